import { InterruptedError } from '../errors.js';
import { writeError } from '../output/write-error.js';
import { EXIT_OK, exitCodeFor } from './exit-codes.js';
import { runCli } from './run-cli.js';

/**
 * The process edge: wires the real stdin, stdout, stderr, environment and Ctrl-C into `runCli`, and
 * sets the exit code rather than exiting, so pending writes to stdout are not cut off.
 */
export async function main(): Promise<void> {
  const interrupt = new AbortController();
  // Only the first signal is ours: abort, clean up (no part file left behind), exit 128 + its
  // number. Any signal after it gets Node's default: the process ends at once. SIGHUP (the terminal
  // closed) ends a run just as SIGTERM does.
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const name of STOP_SIGNALS) process.off(name, onSignal);
    interrupt.abort(new InterruptedError('Interrupted', signal));
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  // A reader that stops early (`tts voices | head`) is normal: stop writing quietly. Audio runs
  // notice a failed stdout (a closed pipe, a full disk) through their own output and say so; for
  // words, the failure is said once the command is done.
  let stdoutFailure: NodeJS.ErrnoException | undefined;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') stdoutFailure ??= error;
  });
  // A terminal that hung up cannot show the last words; that is no reason to crash on the way out.
  process.stderr.on('error', () => undefined);
  const code = await runCli({
    argv: process.argv.slice(2),
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    signal: interrupt.signal,
  });
  // A failed write says so on the next tick: let it.
  await new Promise((resolve) => setImmediate(resolve));
  if (code === EXIT_OK && stdoutFailure) {
    const error = writeError(stdoutFailure, 'stdout');
    process.stderr.write(`tts: ${error.message}\n`);
    process.exitCode = exitCodeFor(error);
    return;
  }
  process.exitCode = code;
  if (interrupt.signal.aborted && code !== EXIT_OK) {
    // The one forced exit. Audio queued for a reader that stopped reading (a stalled pipe) holds the
    // process open until it reads again, perhaps never; an interrupted run has nothing left worth
    // delivering. The timer is unref'd: it fires only if something still holds the process.
    setTimeout(() => process.exit(), STUCK_AFTER_SIGNAL_MS).unref();
  }
}

/** How long an interrupted process may take to wind down before it is ended. */
const STUCK_AFTER_SIGNAL_MS = 1000;

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
