import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { BIN } from './run-tts.js';

export interface Finished {
  /** The exit code; 128 + n when a signal ended it without our handler (as a shell reports it). */
  code: number;
  stdout: Buffer;
  stderr: string;
  /** From spawn to exit. */
  ms: number;
  /** The highest peak resident memory seen (VmHWM, sampled every 50 ms), in MiB. */
  peakRssMib: number;
}

export interface Started {
  child: ChildProcess;
  pid: number;
  done: Promise<Finished>;
}

/**
 * Starts the real bin with the stdio a test arranges (a file as stdout, a pipe as fd 3, another
 * process's output as stdin). A run still going after `killAfterMs` is killed, so a test of a hang
 * fails with a message instead of leaving a process behind.
 */
export function startTts(
  args: string[],
  options: {
    env: Record<string, string | undefined>;
    stdio?: StdioOptions;
    killAfterMs?: number;
    /** A command that runs the bin's command line as its arguments: `['bash', '-c', 'ulimit -f 9; exec "$@"', 'bash']`. */
    via?: string[];
    /** false: nobody reads stdout, as a player that stalled; the pipe fills and writes wait. */
    readStdout?: boolean;
  },
): Started {
  const started = Date.now();
  const command = [...(options.via ?? []), process.execPath, BIN, ...args];
  const child = spawn(command[0]!, command.slice(1), { env: options.env as NodeJS.ProcessEnv, stdio: options.stdio ?? ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  if (options.readStdout !== false) child.stdout?.on('data', (b: Buffer) => out.push(b));
  child.stderr?.on('data', (b: Buffer) => err.push(b));
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, peakRss(child.pid))), 50);
  const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 15_000);
  const done = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(sampler);
      clearTimeout(killer);
      const bySignal = signal ? 128 + (({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }) as Record<string, number>)[signal]! : 1;
      resolve({ code: code ?? bySignal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), ms: Date.now() - started, peakRssMib: Math.round(peak / 1024) });
    });
  });
  return { child, pid: child.pid ?? 0, done };
}

function peakRss(pid: number | undefined): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Whether process `pid` has a handler for `signal` (Linux: SigCgt in /proc/<pid>/status). */
export function catches(pid: number, signal: NodeJS.Signals): boolean {
  try {
    const mask = /SigCgt:\s+([0-9a-f]+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return mask !== undefined && ((BigInt(`0x${mask}`) >> BigInt(constants.signals[signal] - 1)) & 1n) === 1n;
  } catch {
    return false;
  }
}

/** Resolves once `check` holds, polling; rejects after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A pid that was running a moment ago and is not now: a process that ran and exited. */
export function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

/** Every `.part` file under `dir`, at any depth. */
export function partFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((name) => name.endsWith('.part')).map((name) => join(dir, name));
}

export const isRoot = process.getuid?.() === 0;

/**
 * A copy of a character device inside `dir` when we may make one (as root): a test that writes to
 * it cannot harm the machine's own /dev, even run against a tts that replaced devices with files.
 * Elsewhere the real device, which no ordinary user can replace.
 */
export function deviceNode(dir: string, name: 'null' | 'full'): string {
  const path = join(dir, `dev-${name}`);
  const minor = name === 'null' ? '3' : '7';
  if (isRoot && spawnSync('mknod', ['-m', '666', path, 'c', '1', minor]).status === 0) return path;
  return `/dev/${name}`;
}

/** Mounts a tmpfs of `kib` KiB at `dir` when this machine lets us (root with mount rights). */
export function mountTmpfs(dir: string, kib: number, options: { readOnly?: boolean } = {}): boolean {
  if (!isRoot) return false;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k${options.readOnly ? ',ro' : ''}`, 'tmpfs', dir]).status === 0;
}

export function unmount(dir: string): void {
  spawnSync('umount', [dir]);
}
