import { SPEECH_PCM, type AudioFormat } from '../audio/formats.js';
import { WavReader } from '../audio/wav.js';

/** One request's audio as 16-bit mono samples, for aligning its text to it. */
export interface RequestSamples {
  samples: Int16Array;
  sampleRate: number;
}

/**
 * Collects the samples of the request being written, from the server's pcm or wav. Only one
 * request is held at a time: `take` hands it over and starts the next.
 */
export class SampleCollector {
  private parts: Uint8Array[] = [];
  private bytes = 0;
  private reader: WavReader | undefined;
  private sampleRate = SPEECH_PCM.sampleRate;

  constructor(private readonly wire: Extract<AudioFormat, 'pcm' | 'wav'>) {}

  push(bytes: Uint8Array): void {
    if (this.wire === 'pcm') return this.keep(bytes);
    this.reader ??= new WavReader('the audio to align');
    for (const samples of this.reader.push(bytes)) this.keep(samples);
    if (this.reader.layout) this.sampleRate = this.reader.layout.sampleRate;
  }

  take(): RequestSamples {
    const joined = Buffer.concat(this.parts, this.bytes);
    const count = Math.floor(joined.length / 2);
    // Int16Array needs an even byte offset; Buffer's pool does not promise one.
    const aligned = joined.byteOffset % 2 === 0 ? new Int16Array(joined.buffer, joined.byteOffset, count) : new Int16Array(Uint8Array.from(joined.subarray(0, count * 2)).buffer);
    this.parts = [];
    this.bytes = 0;
    this.reader = undefined;
    return { samples: aligned, sampleRate: this.sampleRate };
  }

  private keep(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.bytes += bytes.length;
  }
}
