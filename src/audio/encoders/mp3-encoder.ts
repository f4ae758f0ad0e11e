import { Mp3Joiner } from '../mp3-joiner.js';
import type { Seekable } from '../joiner.js';
import type { SampleEncoder, SampleEncoderFactory } from '../sample-joiner.js';
import { requireS16, toFloatPlanes } from './pcm-samples.js';

/** Constant 64 kb/s: clear speech at 24 kHz mono, and a constant rate keeps the duration exact. */
const BITRATE_KBPS = 64;
/** Samples LAME puts before the first input sample (its ENCDELAY). */
const LAME_ENCODER_DELAY = 576;
/**
 * The MP3 synthesis filterbank's own delay: a decoder's output lags its input by 529 samples
 * (LAME tag readers skip ENCDELAY + 529 at the start).
 */
const MP3_DECODER_DELAY = 529;

/**
 * MP3 made here with LAME (compiled to WebAssembly, MIT). Its frames go through the same joiner as a
 * server's, which writes the Info frame with the true frame count on a file.
 */
export async function loadMp3Encoder({ seekable }: Seekable): Promise<SampleEncoderFactory> {
  const { createMp3Encoder } = await import('wasm-media-encoders');
  const lame = await createMp3Encoder();
  return (layout): SampleEncoder => {
    requireS16(layout, 'mp3');
    lame.configure({ sampleRate: layout.sampleRate as 24000, channels: layout.channels as 1, bitrate: BITRATE_KBPS as 64 });
    const frames = new Mp3Joiner({ seekable });
    let inputSamples = 0;
    let finished = false;
    // LAME's output buffer is reused by the next call: copy before handing it on.
    const copy = (bytes: Uint8Array): Uint8Array[] => frames.push(Uint8Array.from(bytes));
    return {
      write: (samples) => {
        inputSamples += samples.byteLength / (2 * layout.channels);
        return copy(lame.encode(toFloatPlanes(samples, layout.channels)));
      },
      finish: () => {
        const out = [...copy(lame.finalize()), ...frames.endChunk()];
        frames.gapless(LAME_ENCODER_DELAY, inputSamples);
        const end = frames.finish();
        finished = true;
        return { tail: [...out, ...end.tail], patches: end.patches };
      },
      // On a file the LAME tag makes players trim the delay and padding: out comes exactly the input.
      // A pipe has no tag (it is written at the end), so players decode every frame: the input lands
      // ENCDELAY + 529 samples late, and the last frame's padding follows it.
      position: () => ({
        samples: seekable ? inputSamples : finished ? frames.samples : inputSamples + LAME_ENCODER_DELAY + MP3_DECODER_DELAY,
        sampleRate: layout.sampleRate,
      }),
    };
  };
}
