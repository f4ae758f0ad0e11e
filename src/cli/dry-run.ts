import type { Plan, PlannedRequest } from '../plan/plan-requests.js';
import { codePointLength } from '../text/chunk-text.js';
import { sourceOffset } from '../text/spoken-text.js';
import { dollars, duration, plural, type RunFacts } from './run-summary.js';

/** What a dry run shows: the plan, what the lexicon changed, and what it would all cost. */
export interface DryRunFacts extends RunFacts {
  plan: Plan;
  lexiconChanges: readonly string[];
}

/** Speech runs at about this many characters a second at speed 1, to estimate a chapter's length. */
const CHARACTERS_PER_SECOND = 15;

/** Estimated audio length of some requests, at their own speeds. */
export function estimatedSeconds(requests: readonly PlannedRequest[]): number {
  return requests.reduce((sum, r) => sum + codePointLength(r.text) / CHARACTERS_PER_SECOND / (r.settings.speed ?? 1), 0);
}

const preview = (text: string): string => {
  const words = text.replace(/\s+/g, ' ');
  return words.length <= 60 ? `"${words}"` : `"${words.slice(0, 28)}…${words.slice(-28)}"`;
};

/**
 * What a run would do: with chapters, each chapter with its size, cost and length; otherwise each
 * request, with its voice where it is not the run's, and the pauses between them. Nothing is sent.
 */
export function dryRunText(facts: DryRunFacts): string {
  const { plan } = facts;
  const lines = [
    `Dry run: ${plural(plan.requests.length, 'chunk')}, ${plural(plan.characters, 'character')}, to ${facts.output} as ${facts.format}`,
    `  ${facts.provider}, model ${facts.model}, voice ${facts.voice}`,
  ];
  lines.push(...(plan.chapters.length > 0 ? chapterLines(facts) : requestLines(facts)));
  if (facts.lexiconChanges.length > 0) lines.push('Lexicon:', ...facts.lexiconChanges.map((line) => `  ${line}`));
  lines.push(facts.cost ? `Estimated cost: ~${dollars(facts.cost.usd)} (${facts.cost.basis})` : 'Estimated cost: unknown for this provider');
  lines.push('No request was sent and no file was written.');
  return lines.join('\n');
}

function requestLines(facts: DryRunFacts): string[] {
  const width = String(facts.plan.requests.length).length;
  const lines: string[] = [];
  for (const item of facts.plan.items) {
    if (item.kind === 'pause') lines.push(`  ${' '.repeat(width)}  pause ${item.ms} ms`);
    if (item.kind !== 'request') continue;
    const r = item.request;
    const voice = r.settings.voice !== facts.voice ? `  voice ${r.settings.voice}` : '';
    const speed = r.settings.speed !== undefined ? `  speed ${r.settings.speed}` : '';
    lines.push(`  ${String(r.index + 1).padStart(width)}. ${String(codePointLength(r.text)).padStart(5)} chars${voice}${speed}  ${preview(r.text)}`);
  }
  return lines;
}

function chapterLines(facts: DryRunFacts): string[] {
  const { plan, cost } = facts;
  const width = String(plan.chapters.at(-1)?.number ?? 0).length;
  return plan.chapters.map(({ title, number }, index) => {
    const requests = plan.requests.filter((r) => r.chapter === index);
    const characters = requests.reduce((sum, r) => sum + codePointLength(r.text), 0);
    const share = cost && plan.characters > 0 ? ` · ~${dollars((cost.usd * characters) / plan.characters)}` : '';
    return `  ${String(number).padStart(width)}. ${title} · ${plural(characters, 'character')} · ~${duration(estimatedSeconds(requests))}${share}`;
  });
}

export function dryRunJson(facts: DryRunFacts): string {
  const { plan } = facts;
  return JSON.stringify({
    dryRun: true,
    provider: facts.provider,
    model: facts.model,
    voice: facts.voice,
    format: facts.format,
    output: facts.output,
    chunks: plan.requests.map((r) => ({
      characters: codePointLength(r.text),
      start: sourceOffset(r.spoken, 0),
      end: sourceOffset(r.spoken, r.text.length),
      voice: r.settings.voice,
      speed: r.settings.speed ?? null,
      chapter: r.chapter ?? null,
      text: r.text,
    })),
    pauses: plan.items.flatMap((item) => (item.kind === 'pause' ? [item.ms] : [])),
    chapters: plan.chapters.map(({ title, number }, index) => {
      const requests = plan.requests.filter((r) => r.chapter === index);
      return { number, title, characters: requests.reduce((sum, r) => sum + codePointLength(r.text), 0), estimatedSeconds: Math.round(estimatedSeconds(requests)) };
    }),
    lexicon: facts.lexiconChanges,
    characters: plan.characters,
    estimatedCostUsd: facts.cost ? Math.round(facts.cost.usd * 1e6) / 1e6 : null,
    costBasis: facts.cost?.basis ?? null,
  });
}
