import { setFlagsFromString } from 'node:v8';
import { runCli } from './run-cli.js';

// undici parses HTTP with llhttp compiled to WebAssembly. On Node 20, V8 tiers that code up in the
// background and the process then waits ~100 ms for the compiler before it can exit (measured:
// 70-150 ms after the last byte, every run). Baseline-compiled llhttp is fast enough for us, and
// with it the wait is gone. Node 22 and 24 do not wait. Set before undici is first loaded.
if (process.versions.node.startsWith('20.')) setFlagsFromString('--liftoff-only');

/**
 * The process edge: wires the real stdin, stdout, stderr, environment and Ctrl-C into `runCli`, and
 * sets the exit code rather than exiting, so pending writes to stdout are not cut off.
 */
export async function main(): Promise<void> {
  const interrupt = new AbortController();
  // Only the first Ctrl-C is ours (abort and clean up); a second one gets Node's default: exit now.
  process.once('SIGINT', () => interrupt.abort());
  process.once('SIGTERM', () => interrupt.abort());
  // A reader that stops early (`tts voices | head`) is normal: stop writing quietly. Audio runs
  // notice it through their own output and end with a message.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  process.exitCode = await runCli({
    argv: process.argv.slice(2),
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    signal: interrupt.signal,
  });
}
