import { AudioError, UsageError } from '../errors.js';
import { SPEECH_PCM, type AudioFormat } from './formats.js';
import type { AudioJoiner } from './joiner.js';
import { AdtsJoiner } from './adts-joiner.js';
import { FlacJoiner } from './flac-joiner.js';
import { Mp3Joiner } from './mp3-joiner.js';
import { OpusJoiner } from './opus-joiner.js';
import { PassthroughJoiner } from './passthrough-joiner.js';
import { rawPcmEncoder, SampleJoiner, wavEncoder, type SampleEncoderFactory } from './sample-joiner.js';

/** What to ask the server for, and what we make of it here. */
export interface FormatPlan {
  /** The format written to the output. */
  output: AudioFormat;
  /** The format asked of the server. */
  wire: AudioFormat;
}

/** Output formats made here from the server's samples, without any external program. */
const SAMPLE_ENCODERS: Partial<Record<AudioFormat, SampleEncoderFactory>> = {
  pcm: rawPcmEncoder,
  wav: wavEncoder,
};

const SAMPLE_WIRES: readonly AudioFormat[] = ['pcm', 'wav'];

export function planFormats(output: AudioFormat, serverFormats: readonly AudioFormat[], provider: string): FormatPlan {
  if (serverFormats.includes(output)) return { output, wire: output };
  const wire = SAMPLE_WIRES.find((f) => serverFormats.includes(f));
  if (wire !== undefined && SAMPLE_ENCODERS[output]) return { output, wire };
  const makeable = [...new Set([...serverFormats, ...(wire ? Object.keys(SAMPLE_ENCODERS) : [])])];
  throw new UsageError(`${provider} cannot produce ${output} audio`, {
    hint: `It can give: ${makeable.join(', ')}. Choose one with --format, or an output file with that extension.`,
  });
}

export function createJoiner(plan: FormatPlan, chunkCount: number, seekable = false): AudioJoiner {
  const encoder = SAMPLE_ENCODERS[plan.output];
  if ((plan.wire === 'pcm' || plan.wire === 'wav') && encoder) return new SampleJoiner(plan.wire, { ...SPEECH_PCM, formatTag: 1 }, encoder);
  if (plan.wire === plan.output) {
    switch (plan.output) {
      case 'mp3':
        return new Mp3Joiner(seekable);
      case 'aac':
        return new AdtsJoiner();
      case 'opus':
        return new OpusJoiner();
      case 'flac':
        return new FlacJoiner();
    }
  }
  throw new AudioError(`Cannot turn ${plan.wire} into ${plan.output}`);
}
