import { execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import { describeWait, Reporter } from '../../src/ui/reporter.js';

async function spin(options: { isTTY: boolean; columns?: number; quiet?: boolean; ci?: boolean; noColor?: boolean }): Promise<string> {
  // A stand-in terminal: what ora draws is captured; cursor moves are no-ops.
  const stderr = Object.assign(new PassThrough(), { isTTY: options.isTTY, columns: options.columns ?? 80, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  let drawn = '';
  stderr.on('data', (d: Buffer) => (drawn += d.toString()));
  const reporter = new Reporter({ stderr, quiet: options.quiet ?? false, ci: options.ci ?? false, noColor: options.noColor ?? false });
  await reporter.startProgress('Speaking…');
  reporter.progress({ chunksDone: 1, chunks: 4, charsDone: 1000, chars: 4000 });
  await new Promise((r) => setTimeout(r, 120));
  reporter.stopProgress();
  return drawn;
}

test('progress is drawn on a terminal, with chunks and characters done', async () => {
  expect(await spin({ isTTY: true })).toMatch(/Speaking: 1\/4 chunks · 1,000\/4,000 characters/);
});

test('no progress when stderr is not a terminal, under --quiet, or in CI', async () => {
  expect(await spin({ isTTY: false })).toBe('');
  // A terminal of no width: ora's line arithmetic would run away.
  expect(await spin({ isTTY: true, columns: 0 })).toBe('');
  expect(await spin({ isTTY: true, quiet: true })).toBe('');
  expect(await spin({ isTTY: true, ci: true })).toBe('');
});

/**
 * ora's colors are decided when its color library loads, from the real process's terminal; a child
 * process with FORCE_COLOR shows what a color terminal would get.
 */
function spinInColorTerminal(noColor: boolean): string {
  const reporter = new URL('../../dist/ui/reporter.js', import.meta.url).href;
  const script = `
    import { execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
    import { Reporter } from '${reporter}';
    const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 80, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    let drawn = '';
    stderr.on('data', (d) => (drawn += d));
    const r = new Reporter({ stderr, quiet: false, ci: false, noColor: ${noColor} });
    await r.startProgress('Speaking');
    await new Promise((s) => setTimeout(s, 100));
    r.stopProgress();
    process.stdout.write(drawn);`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, FORCE_COLOR: '1' }, encoding: 'utf8' });
}

test('NO_COLOR: the spinner is drawn without color', () => {
  expect(spinInColorTerminal(false)).toContain('\u001b[36m');
  expect(spinInColorTerminal(true)).not.toMatch(/\u001b\[3\dm/);
});

test("the progress line says when the run waits on the provider's limit, counting down, and stops saying so when it goes on", async () => {
  const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 160, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  let drawn = '';
  stderr.on('data', (d: Buffer) => (drawn += d.toString()));
  let now = 1_000_000;
  const reporter = new Reporter({ stderr, quiet: false, ci: false, now: () => now });
  await reporter.startProgress('Speaking…');
  reporter.progress({ chunksDone: 6, chunks: 35, charsDone: 24_000, chars: 140_000 });
  reporter.waiting({ untilMs: now + 12_000, ms: 12_000, reason: 'quota' });
  await new Promise((r) => setTimeout(r, 120));
  expect(drawn).toMatch(/6\/35 chunks · .* · waiting 12 s for the provider's rate limit to reset/);
  now += 9_500;
  drawn = '';
  await new Promise((r) => setTimeout(r, 1100));
  expect(drawn).toMatch(/waiting 2\.5 s for the provider's rate limit to reset/);
  reporter.waiting(undefined);
  drawn = '';
  await new Promise((r) => setTimeout(r, 120));
  reporter.stopProgress();
  expect(drawn).toMatch(/6\/35 chunks/);
  expect(drawn).not.toMatch(/waiting/);
});

test.each([
  [{ ms: 3000, reason: 'retry-after' as const }, 'waiting 3.0 s as the provider asked (retry-after)'],
  [{ ms: 42_400, reason: 'quota' as const }, "waiting 42 s for the provider's rate limit to reset"],
  [{ ms: 500, reason: 'refused' as const }, 'waiting 0.5 s after a refusal (429) that named no wait'],
  [{ ms: 1000, reason: 'rpm' as const }, 'waiting 1.0 s for --rpm'],
])('a wait in words: %o', (wait, words) => {
  expect(describeWait(wait)).toBe(words);
});

test('a new file or chapter is drawn at once, even one written before the spinner\'s next frame', async () => {
  const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 160, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  let drawn = '';
  stderr.on('data', (d: Buffer) => (drawn += d.toString()));
  const reporter = new Reporter({ stderr, quiet: false, ci: false, noColor: true });
  await reporter.startProgress('Speaking…');
  const state = { chunksDone: 0, chunks: 3, charsDone: 0, chars: 300 };
  // Three chapters, one after another with no frame between them (their audio already fetched).
  for (const [i, current] of ['Prologue', 'The Storm', 'Evening'].entries()) reporter.progress({ ...state, chunksDone: i, current });
  await new Promise((r) => setImmediate(r));
  reporter.stopProgress();
  expect(drawn).toContain('· Prologue');
  expect(drawn).toContain('· The Storm');
  expect(drawn).toContain('· Evening');
});
