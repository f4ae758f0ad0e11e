import { Mp3Joiner } from '../mp3-joiner.js';
import type { SampleEncoder, SampleEncoderFactory } from '../sample-joiner.js';
import { requireS16, toFloatPlanes } from './pcm-samples.js';

/** Constant 64 kb/s: clear speech at 24 kHz mono, and a constant rate keeps the duration exact. */
const BITRATE_KBPS = 64;
/** Samples LAME puts before the first input sample (its ENCDELAY). */
const LAME_ENCODER_DELAY = 576;

/**
 * MP3 made here with LAME (compiled to WebAssembly, MIT). Its frames go through the same joiner as a
 * server's, which writes the Info frame with the true frame count on a file.
 */
export async function loadMp3Encoder(seekable: boolean): Promise<SampleEncoderFactory> {
  const { createMp3Encoder } = await import('wasm-media-encoders');
  const lame = await createMp3Encoder();
  return (layout): SampleEncoder => {
    requireS16(layout, 'mp3');
    lame.configure({ sampleRate: layout.sampleRate as 24000, channels: layout.channels as 1, bitrate: BITRATE_KBPS as 64 });
    const frames = new Mp3Joiner(seekable);
    let inputSamples = 0;
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
        return { tail: [...out, ...end.tail], patches: end.patches };
      },
    };
  };
}
