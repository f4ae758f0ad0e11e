import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AudioFormat } from '../audio/formats.js';
import { builtModule } from '../package-files.js';
import type { Patch } from '../audio/joiner.js';
import { AudioError } from '../errors.js';
import type { AudioSink } from '../output/audio-sink.js';
import type { Env } from '../config/env.js';
import { PlayClock } from './play-clock.js';
import { READY } from './player-protocol.js';
import { SYSTEM_PLAYERS } from './system-players.js';

interface Candidate {
  name: string;
  command: string;
  args: readonly string[];
  /** The built-in speaker says when the device is open; a system player is trusted once it has run a while. */
  saysReady: boolean;
}

/** A system player that is still running this long after its first audio has opened its device. */
const TRUSTED_AFTER_MS = 300;
const PLAYER_PROCESS = fileURLToPath(builtModule('playback/player-process.js'));

function onPath(name: string, env: Env): string | undefined {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Every way this machine may play `format` from a stream, best first. */
export function playerCandidates(format: AudioFormat, env: Env): Candidate[] {
  const found: Candidate[] = [];
  if (format === 'wav') found.push({ name: 'speaker', command: process.execPath, args: [PLAYER_PROCESS], saysReady: true });
  for (const p of SYSTEM_PLAYERS) {
    const command = p.formats.includes(format) ? onPath(p.name, env) : undefined;
    if (command) found.push({ name: p.name, command, args: p.args, saysReady: false });
  }
  return found;
}

interface Running {
  candidate: Candidate;
  child: ChildProcess;
  exit: Promise<string>;
  exited: boolean;
  /** Its input broke (it stopped reading): whatever its exit status, it did not play everything. */
  broken: boolean;
  /** Marks this player as proven; for a system player, called a while after its first audio. */
  trust(): void;
  timer?: NodeJS.Timeout;
}

/**
 * Plays the audio as it arrives, in a child process so that a missing or broken sound device is an
 * error message, never a crash. Until a player proves itself (the speaker opened its device, or a
 * system player kept running), what it was sent is kept so that the next one can replay it.
 */
export class PlayerSink implements AudioSink {
  readonly seekable = false;
  readonly live = true;
  private running: Running | undefined;
  private trusted = false;
  private history: Buffer[] = [];
  private readonly failures: string[] = [];
  private next = 0;
  private closed = false;
  /** The player that ended up playing, to say so. */
  playerName: string | undefined;
  /** What the listener hears now, for showing the sentence being spoken. */
  readonly clock = new PlayClock();

  private candidates: Candidate[];

  constructor(private readonly env: Env) {
    this.candidates = playerCandidates('wav', env);
  }

  accept(format: AudioFormat): void {
    this.candidates = playerCandidates(format, this.env);
  }

  async write(bytes: Uint8Array): Promise<void> {
    const data = Buffer.from(bytes);
    if (!this.trusted) this.history.push(data);
    const running = this.running ?? (await this.start());
    if ((await send(running, data)) && !running.broken) {
      if (!running.candidate.saysReady) running.timer ??= setTimeout(running.trust, TRUSTED_AFTER_MS).unref();
      return;
    }
    // The next player is sent the history, this write included: nothing is sent twice.
    await this.failed(running);
  }

  async patch(_patches: readonly Patch[]): Promise<void> {}

  progress(seconds: number): void {
    this.clock.wrote(seconds, Date.now());
  }

  async commit(): Promise<void> {
    for (;;) {
      const running = this.running ?? (await this.start());
      // A child's exit does not wait for our writes to it: the end of its input is awaited too, or a
      // pipe that broke after its exit would go unseen.
      const flushed = new Promise<void>((resolve) => (running.child.stdin ? running.child.stdin.end(() => resolve()) : resolve()));
      const [problem] = await Promise.all([running.exit, flushed]);
      if (problem === '' && !running.broken) {
        this.playerName = running.candidate.name;
        return;
      }
      await this.failed(running);
    }
  }

  async abort(): Promise<void> {
    this.closed = true;
    const running = this.running;
    if (running && !running.exited) {
      running.child.kill('SIGKILL');
      await running.exit;
    }
  }

  /** A player died: if it was already heard, that is the end; else the next one replays what it was sent. */
  private async failed(running: Running): Promise<void> {
    if (!running.exited) running.child.kill('SIGKILL');
    const problem = (await running.exit) || 'stopped reading before the end';
    this.running = undefined;
    if (this.trusted) throw new AudioError(`Playback stopped: ${running.candidate.name} ${problem}`);
    this.failures.push(`${running.candidate.name}: ${problem}`);
    const next = await this.start();
    for (const part of this.history) if (!(await send(next, part))) return this.failed(next);
  }

  private async start(): Promise<Running> {
    if (this.closed) throw new AudioError('Playback was stopped');
    const candidate = this.candidates[this.next++];
    if (!candidate) {
      throw new AudioError(`No way to play sound here${this.failures.length ? ` (${this.failures.join('; ')})` : ''}`, {
        hint: 'Write a file instead with -o speech.mp3, or pipe it: -o - | mpv -. To play directly, install libasound2-dev and run npm rebuild speaker, or install mpv or ffplay.',
      });
    }
    const child = spawn(candidate.command, [...candidate.args], { env: this.env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-2000)));
    const running: Running = {
      candidate,
      child,
      exited: false,
      broken: false,
      trust: () => {
        if (this.running !== running || running.exited) return;
        this.trusted = true;
        this.history = [];
        this.playerName = candidate.name;
      },
      exit: new Promise<string>((resolve) => {
        child.on('error', (error) => resolve(`could not start (${error.message})`));
        child.on('close', (code, signal) => {
          running.exited = true;
          const last = stderr.trim().split('\n').filter(Boolean).pop() ?? '';
          resolve(code === 0 ? '' : signal ? `was killed by ${signal}${signal === 'SIGABRT' ? ' (no usable sound device)' : ''}` : `exited with ${code}${last ? `: ${last}` : ''}`);
        });
      }),
    };
    child.stdin?.on('error', () => (running.broken = true));
    this.running = running;
    if (candidate.saysReady) {
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString('utf8').includes(READY)) running.trust();
      });
    }
    return running;
  }
}

/** Writes to the player with back-pressure; false when it has died. */
function send(running: Running, data: Buffer): Promise<boolean> {
  const stdin = running.child.stdin;
  if (!stdin || running.exited || stdin.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const ok = stdin.write(data, (error) => {
      if (!error) return;
      running.broken = true;
      resolve(false);
    });
    if (ok) return resolve(true);
    const settle = (alive: boolean) => () => {
      stdin.off('drain', onDrain);
      stdin.off('close', onClose);
      resolve(alive);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    stdin.once('drain', onDrain);
    stdin.once('close', onClose);
  });
}
