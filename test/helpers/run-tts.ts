import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import type { ProviderSpec } from '../../src/providers/provider-spec.js';
import { FakeProvider, type Reply } from './fake-provider.js';

export interface TtsResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  stdin?: string | Buffer;
  stdinIsTTY?: boolean;
  stdoutIsTTY?: boolean;
  /** stderr as a terminal 160 columns wide, as ora draws on one (cursor moves are no-ops); set no CI in env to see progress. */
  stderrIsTTY?: boolean;
  signal?: AbortSignal;
  /** Retry waits happen instantly unless a test says otherwise. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The providers known by name, when a test brings its own. */
  providers?: readonly ProviderSpec[];
}

/**
 * A home of its own for a test: config and cache in a temporary folder, and no key or base URL
 * from the machine running the tests.
 */
export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'tts-test-'));
  readonly env: Record<string, string | undefined> = {
    HOME: this.dir,
    XDG_CONFIG_HOME: join(this.dir, 'config'),
    XDG_CACHE_HOME: join(this.dir, 'cache'),
    PATH: process.env['PATH'],
    CI: '1',
  };

  path(name: string): string {
    return join(this.dir, name);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs the CLI in-process with captured streams. */
export async function runTts(args: string[], options: RunOptions = {}): Promise<TtsResult> {
  const stdout = new PassThrough() as PassThrough & { isTTY?: boolean };
  const stderr = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdout.isTTY = options.stdoutIsTTY ?? false;
  if (options.stderrIsTTY) Object.assign(stderr, { isTTY: true, columns: 160, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]) as Readable & { isTTY?: boolean };
  stdin.isTTY = options.stdinIsTTY ?? options.stdin === undefined;
  // The run's clock moves only with its sleeps, which return at once: a retry-after of an hour or a
  // ten-minute stall passes in no time, and each wait is exactly what was asked.
  let clock = Date.now();
  const sleep = options.sleep ?? (async () => undefined);
  const code = await runCli({
    argv: args,
    env: options.env ?? {},
    stdin,
    stdout,
    stderr,
    signal: options.signal ?? new AbortController().signal,
    sleep: (ms, signal) => ((clock += ms), sleep(ms, signal)),
    now: () => clock,
    random: () => 0.5,
    ...(options.providers ? { providers: options.providers } : {}),
  });
  await new Promise((r) => setImmediate(r));
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
}

export const BIN = fileURLToPath(new URL('../../bin/tts.js', import.meta.url));

/** Runs the real bin (built JS) as a user would. */
export function spawnTts(args: string[], options: { env: Record<string, string | undefined>; stdin?: string | Buffer; keepStdinOpen?: boolean; onSpawn?: (pid: number) => void; nodePath?: string; cwd?: string }): Promise<TtsResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.nodePath ?? process.execPath, [BIN, ...args], { env: options.env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    // Left open, stdin behaves like a terminal nobody types into: nothing may wait on it.
    if (options.keepStdinOpen) child.on('exit', () => child.stdin.destroy());
    else if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else child.stdin.end();
  });
}

/**
 * The usual setup of a test that talks to a provider: a fake one on 127.0.0.1 and a sandboxed home,
 * both new for every test and closed after it. `use` receives them before each test.
 */
export function useFakeProvider(use: (fake: FakeProvider, box: Sandbox) => void, fallback?: Reply): void {
  let current: { fake: FakeProvider; box: Sandbox } | undefined;
  beforeEach(async () => {
    current = { fake: await FakeProvider.start(fallback), box: new Sandbox() };
    use(current.fake, current.box);
  });
  afterEach(async () => {
    await current?.fake.close();
    current?.box.cleanup();
  });
}
