import { runCli } from './run-cli.js';

/**
 * The process edge: wires the real stdin, stdout, stderr, environment and Ctrl-C into `runCli`, and
 * sets the exit code rather than exiting, so pending writes to stdout are not cut off.
 */
export async function main(): Promise<void> {
  const interrupt = new AbortController();
  // Only the first Ctrl-C is ours (abort and clean up); a second one gets Node's default: exit now.
  process.once('SIGINT', () => interrupt.abort());
  process.once('SIGTERM', () => interrupt.abort());
  process.exitCode = await runCli({
    argv: process.argv.slice(2),
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    signal: interrupt.signal,
  });
}
