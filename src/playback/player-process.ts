/**
 * The speaker runs here, in a child process of its own: with no usable sound device, ALSA aborts
 * the whole process (SIGABRT) with no error to catch, and then only this child dies. It reads a
 * streaming WAV on stdin, opens the device with that layout, prints "ready" on stdout once the
 * device is open, and plays the samples as they come.
 */
import { WavReader } from '../audio/wav.js';
import { EXIT_NO_SPEAKER, READY } from './player-protocol.js';

// Ctrl-C reaches the whole process group; the parent decides when the sound stops (it kills us).
process.on('SIGINT', () => undefined);

interface SpeakerStream extends NodeJS.WritableStream {
  on(event: 'open' | 'close', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}
type SpeakerClass = new (format: { channels: number; bitDepth: number; sampleRate: number; signed: boolean }) => SpeakerStream;

async function loadSpeaker(): Promise<SpeakerClass> {
  try {
    return ((await import('speaker' as string)) as { default: SpeakerClass }).default;
  } catch (error) {
    process.stderr.write(`the optional "speaker" package is not installed or not built: ${(error as Error).message}\n`);
    process.exit(EXIT_NO_SPEAKER);
  }
}

async function play(): Promise<void> {
  const reader = new WavReader('playback');
  let speaker: SpeakerStream | undefined;
  for await (const part of process.stdin) {
    const samples = reader.push(part as Buffer);
    if (!speaker && reader.layout) {
      const Speaker = await loadSpeaker();
      const { channels, bitsPerSample, sampleRate } = reader.layout;
      speaker = new Speaker({ channels, bitDepth: bitsPerSample, sampleRate, signed: true });
      speaker.on('open', () => process.stdout.write(`${READY}\n`));
      speaker.on('error', (error) => {
        process.stderr.write(`${error.message}\n`);
        process.exit(1);
      });
    }
    for (const s of samples) {
      if (!speaker!.write(Buffer.from(s))) await new Promise((resolve) => speaker!.once('drain', resolve));
    }
  }
  if (!speaker) return;
  await new Promise<void>((resolve) => {
    speaker!.on('close', resolve);
    speaker!.end();
  });
}

await play();
