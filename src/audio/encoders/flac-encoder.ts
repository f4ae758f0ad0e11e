import { createRequire } from 'node:module';
import { AudioError } from '../../errors.js';
import { FlacJoiner } from '../flac-joiner.js';
import type { SampleEncoder, SampleEncoderFactory } from '../sample-joiner.js';
import { requireS16, toInt32 } from './pcm-samples.js';

/** The parts of libflac.js (libFLAC compiled to WebAssembly, MIT) used here. */
interface LibFlac {
  isReady(): boolean;
  on(event: 'ready', listener: () => void): void;
  create_libflac_encoder(rate: number, channels: number, bps: number, level: number, totalSamples: number, verify: boolean, blockSize: number): number;
  init_encoder_stream(encoder: number, write: (data: Uint8Array, bytes: number) => void, metadata?: (meta: unknown) => void): number;
  FLAC__stream_encoder_process_interleaved(encoder: number, samples: Int32Array, frames: number): boolean;
  FLAC__stream_encoder_finish(encoder: number): boolean;
  FLAC__stream_encoder_delete(encoder: number): void;
}

const COMPRESSION_LEVEL = 5;
let library: Promise<LibFlac> | undefined;

/**
 * libflac.js's WebAssembly loader calls fetch(path) when a global fetch exists, which fails on
 * Node ≥ 18; with fetch hidden while it loads, it reads the file from disk as on older Node.
 */
function loadLibFlac(): Promise<LibFlac> {
  library ??= new Promise<LibFlac>((resolve) => {
    const saved = globalThis.fetch;
    (globalThis as { fetch?: unknown }).fetch = undefined;
    const flac = createRequire(import.meta.url)('libflacjs/dist/libflac.wasm.js') as LibFlac;
    const ready = (): void => {
      globalThis.fetch = saved;
      resolve(flac);
    };
    if (flac.isReady()) ready();
    else flac.on('ready', ready);
  });
  return library;
}

/**
 * FLAC made here with libFLAC. Its stream goes through the FLAC joiner, which writes STREAMINFO with
 * the true totals on a file.
 */
export async function loadFlacEncoder(): Promise<SampleEncoderFactory> {
  const flac = await loadLibFlac();
  return (layout): SampleEncoder => {
    requireS16(layout, 'flac');
    const encoder = flac.create_libflac_encoder(layout.sampleRate, layout.channels, 16, COMPRESSION_LEVEL, 0, false, 0);
    const frames = new FlacJoiner();
    let inputSamples = 0;
    let out: Uint8Array[] = [];
    const status = encoder === 0 ? -1 : flac.init_encoder_stream(encoder, (data, bytes) => out.push(...frames.push(Uint8Array.from(data.subarray(0, bytes)))));
    if (status !== 0) throw new AudioError(`The FLAC encoder could not start (status ${status})`);
    const drain = (): Uint8Array[] => {
      const done = out;
      out = [];
      return done;
    };
    return {
      write(samples) {
        const count = samples.byteLength / (2 * layout.channels);
        inputSamples += count;
        flac.FLAC__stream_encoder_process_interleaved(encoder, toInt32(samples), count);
        return drain();
      },
      finish() {
        flac.FLAC__stream_encoder_finish(encoder);
        flac.FLAC__stream_encoder_delete(encoder);
        const tail = [...drain(), ...frames.endChunk()];
        const end = frames.finish();
        return { tail: [...tail, ...end.tail], patches: end.patches };
      },
      position: () => ({ samples: inputSamples, sampleRate: layout.sampleRate }),
    };
  };
}
