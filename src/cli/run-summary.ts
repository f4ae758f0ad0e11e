import type { ChapterLength } from './chapter-log.js';
import { maskSecret } from '../config/secrets.js';
import type { CostEstimate } from '../providers/provider-spec.js';
import type { ExchangeInfo, SpeakReport } from '../speak/speak.js';

export interface RunFacts {
  provider: string;
  model: string;
  voice: string;
  format: string;
  output: string;
  /** Of what was sent: a chunk from the cache costs nothing. */
  cost: CostEstimate | undefined;
  /** A book's chapters as written: where each starts and how long it lasts. */
  chapters?: readonly ChapterLength[];
}

export const plural = (n: number, word: string): string => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;

export function duration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

const size = (bytes: number): string => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1e3))} kB`);
export const dollars = (usd: number): string => (usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`);

/** The line people read after a run. */
export function summaryLine(report: SpeakReport, facts: RunFacts): string {
  const played = facts.output === 'the speakers';
  const audio =
    played ? `played ${report.audioSeconds !== undefined ? duration(report.audioSeconds) : ''}`.trim()
    : report.audioSeconds !== undefined ? `${duration(report.audioSeconds)} of ${facts.format}`
    : facts.format;
  const cached = report.cacheHits > 0 ? `, ${report.cacheHits} from cache` : '';
  const retries = report.retries > 0 ? `, ${plural(report.retries, 'retry').replace('retrys', 'retries')}` : '';
  // All from the cache: nothing was paid for, so no price is shown.
  const cost = facts.cost && facts.cost.usd > 0 ? ` · ~${dollars(facts.cost.usd)}` : '';
  const bytes = played ? '' : `, ${size(report.bytes)}`;
  return `${facts.output}: ${audio}${bytes} · ${plural(report.chunks, 'chunk')}, ${plural(report.characters, 'character')} · ${plural(report.requests, 'request')}${retries}${cached}${cost}`;
}

/** The same for scripts. */
export function summaryJson(report: SpeakReport, facts: RunFacts): string {
  return JSON.stringify({
    output: facts.output,
    provider: facts.provider,
    model: facts.model,
    voice: facts.voice,
    format: facts.format,
    chunks: report.chunks,
    characters: report.characters,
    audioSeconds: report.audioSeconds === undefined ? null : Math.round(report.audioSeconds * 1000) / 1000,
    bytes: report.bytes,
    requests: report.requests,
    retries: report.retries,
    cacheHits: report.cacheHits,
    charactersSent: report.sentCharacters,
    estimatedCostUsd: facts.cost ? Math.round(facts.cost.usd * 1e6) / 1e6 : null,
    costBasis: facts.cost?.basis ?? null,
    requestIds: report.requestIds,
    ...(facts.chapters && facts.chapters.length > 0 ? { chapters: facts.chapters.map((c) => ({ title: c.title, start: ms(c.start), seconds: ms(c.seconds) })) } : {}),
  });
}

const ms = (seconds: number): number => Math.round(seconds * 1000) / 1000;

/** One line a chapter: its number, length and title, the lengths aligned. */
export function chapterLines(chapters: readonly ChapterLength[]): string[] {
  const width = String(chapters.length).length;
  return chapters.map((c, i) => `  ${String(i + 1).padStart(width)}  ${duration(c.seconds).padStart(7)}  ${c.title}`);
}

export interface ExchangeView {
  /** Requests in the run. */
  chunks: number;
  /** Show headers and body too. */
  debug: boolean;
  /** The provider's headers whose values are secrets (lower case). */
  secretHeaders: readonly string[];
}

/** A header's value as --debug shows it: a secret one masked, its scheme (`Bearer`) kept. */
function shownHeader(name: string, value: string, secretHeaders: readonly string[]): string {
  if (!secretHeaders.includes(name.toLowerCase())) return value;
  const [scheme, token] = value.includes(' ') ? value.split(/ (.*)/s) : ['', value];
  return `${scheme ? `${scheme} ` : ''}${maskSecret(token ?? '')}`;
}

/** --verbose: one line per request; --debug adds its headers (secrets masked) and body. */
export function exchangeLines(info: ExchangeInfo, { chunks, debug, secretHeaders }: ExchangeView): string[] {
  const what = info.error
    ? `failed: ${info.error instanceof Error ? info.error.message : String(info.error)}`
    : `200, ${size(info.bytes ?? 0)}${info.requestId ? `, ${info.requestId}` : ''}`;
  const lines = [`tts: chunk ${info.index + 1}/${chunks}, try ${info.attempt}: POST ${info.url} → ${what} in ${(info.ms / 1000).toFixed(2)} s`];
  if (debug) {
    for (const [name, value] of Object.entries(info.headers)) lines.push(`tts:   ${name}: ${shownHeader(name, value, secretHeaders)}`);
    const body = info.body.replace(/("input":")((?:[^"\\]|\\.){60})(?:[^"\\]|\\.)+"/, '$1$2…"');
    lines.push(`tts:   body: ${body}`);
  }
  return lines;
}
