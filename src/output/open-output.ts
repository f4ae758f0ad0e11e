import { close, constants, fstat, open, type Stats } from 'node:fs';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { setTimeout as wait } from 'node:timers/promises';
import { isatty } from 'node:tty';
import { promisify } from 'node:util';
import { InterruptedError, UsageError } from '../errors.js';
import type { AudioSink } from './audio-sink.js';
import { DescriptorSink } from './descriptor-sink.js';
import { FileSink } from './file-sink.js';
import { cannotWrite, resolveOutputTarget } from './output-target.js';
import { StreamSink } from './stream-sink.js';

const openFd = promisify(open);
const fstatFd = promisify(fstat);
const closeFd = promisify(close);

/** How often to look again for a reader on a named pipe that has none yet. */
const FIFO_POLL_MS = 100;

export interface OutputIo {
  /** The process's stdout: `-o /dev/stdout` is the same as `-o -`. */
  stdout: Writable & { isTTY?: boolean };
  /** Ctrl-C, also while waiting for a named pipe's reader. */
  signal: AbortSignal;
}

/**
 * The sink for `-o <path>`: a regular file is replaced atomically (through a symbolic link, its
 * target); a device, a named pipe or a descriptor is written straight into, as a pipe is.
 */
export async function openOutput(path: string, io: OutputIo): Promise<AudioSink> {
  const target = await resolveOutputTarget(path);
  switch (target.kind) {
    case 'file':
      return FileSink.create(target.path, target.existing);
    case 'descriptor':
      return openDescriptor(path, target.fd, io);
    case 'device':
      return openDevice(path, target.path);
    case 'fifo':
      return openFifo(path, target.path, io.signal);
  }
}

async function openDescriptor(asked: string, fd: number, io: OutputIo): Promise<AudioSink> {
  if (fd === 1) {
    if (io.stdout.isTTY) throw notToTerminal();
    return new StreamSink(io.stdout, { where: 'stdout', signal: io.signal });
  }
  if (fd === 0) throw new UsageError(`Not writing audio to ${asked}: that is where text is read from`);
  if (fd === 2) {
    throw new UsageError(`Not writing audio to ${asked}: stderr carries tts's messages`, { hint: 'Write the audio to stdout with -o -.' });
  }
  const info: Stats = await fstatFd(fd).catch((error: unknown) => {
    throw new UsageError(`Cannot write to ${asked}: descriptor ${fd} is not open`, { cause: error });
  });
  if (isatty(fd)) throw notToTerminal();
  if (info.isFIFO() || info.isSocket()) return pipeSink(fd, asked, io.signal);
  return new DescriptorSink(fd, { where: asked, closeAtEnd: true });
}

async function openDevice(asked: string, path: string): Promise<AudioSink> {
  // O_NOCTTY: writing to a terminal's device must not make it this process's controlling terminal.
  const fd = await openFd(path, constants.O_WRONLY | (constants.O_NOCTTY ?? 0)).catch((error: unknown) => {
    throw cannotWrite(asked, error);
  });
  if (isatty(fd)) {
    await closeFd(fd).catch(() => undefined);
    throw notToTerminal();
  }
  return new DescriptorSink(fd, { where: asked, closeAtEnd: true });
}

/** A named pipe is written once a reader has opened it; until then we wait, as `echo > fifo` does. */
async function openFifo(asked: string, path: string, signal: AbortSignal): Promise<AudioSink> {
  for (;;) {
    try {
      // Non-blocking: a blocking open would hold a thread that Ctrl-C cannot take back.
      return pipeSink(await openFd(path, constants.O_WRONLY | constants.O_NONBLOCK), asked, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw cannotWrite(asked, error);
    }
    await wait(FIFO_POLL_MS, undefined, { signal }).catch(() => {
      throw new InterruptedError();
    });
  }
}

function pipeSink(fd: number, where: string, signal: AbortSignal): StreamSink {
  return new StreamSink(new Socket({ fd, readable: false, writable: true }), { where, signal, owned: true });
}

function notToTerminal(): UsageError {
  return new UsageError('Not writing audio to a terminal', { hint: 'Give -o speech.mp3, pipe it (| mpv -), or drop -o to play it.' });
}
