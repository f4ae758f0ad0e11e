import { AudioError, UsageError } from '../errors.js';
import { AdtsJoiner } from './adts-joiner.js';
import { FlacJoiner } from './flac-joiner.js';
import { SPEECH_PCM, type AudioFormat } from './formats.js';
import type { AudioJoiner } from './joiner.js';
import { Mp3Joiner } from './mp3-joiner.js';
import { OpusJoiner } from './opus-joiner.js';
import { rawPcmEncoder, SampleJoiner, wavEncoder, type SampleEncoderFactory } from './sample-joiner.js';

/** What to ask the server for, and what we make of it here. */
export interface FormatPlan {
  /** The format written to the output. */
  output: AudioFormat;
  /** The format asked of the server. */
  wire: AudioFormat;
}

/**
 * Output formats made here from the server's samples, without any external program: wav and pcm
 * directly, mp3, opus and flac with WebAssembly encoders (loaded only when used). There is no
 * permissively licensed AAC encoder, so aac is never made here.
 */
const LOCAL_FORMATS: readonly AudioFormat[] = ['pcm', 'wav', 'mp3', 'opus', 'flac'];
const SAMPLE_WIRES: readonly AudioFormat[] = ['pcm', 'wav'];

export function planFormats(output: AudioFormat, serverFormats: readonly AudioFormat[], provider: string): FormatPlan {
  if (serverFormats.includes(output)) return { output, wire: output };
  const wire = SAMPLE_WIRES.find((f) => serverFormats.includes(f));
  if (wire !== undefined && LOCAL_FORMATS.includes(output)) return { output, wire };
  const makeable = [...new Set([...serverFormats, ...(wire ? LOCAL_FORMATS : [])])];
  throw new UsageError(`${provider} cannot produce ${output} audio`, {
    hint: `It can give: ${makeable.join(', ')}. Choose one with --format, or an output file with that extension.`,
  });
}

async function sampleEncoder(format: AudioFormat, seekable: boolean): Promise<SampleEncoderFactory> {
  switch (format) {
    case 'pcm':
      return rawPcmEncoder;
    case 'wav':
      return wavEncoder;
    case 'mp3':
      return (await import('./encoders/mp3-encoder.js')).loadMp3Encoder(seekable);
    case 'opus':
      return (await import('./encoders/opus-encoder.js')).loadOpusEncoder();
    case 'flac':
      return (await import('./encoders/flac-encoder.js')).loadFlacEncoder();
    case 'aac':
      throw new AudioError('aac cannot be encoded here: there is no permissively licensed AAC encoder');
  }
}

/** The joiner that turns the server's chunks into one correct `plan.output` stream. */
export async function createJoiner(plan: FormatPlan, seekable = false): Promise<AudioJoiner> {
  if (plan.wire === 'pcm' || plan.wire === 'wav') {
    if (plan.wire !== plan.output || plan.output === 'wav' || plan.output === 'pcm') {
      return new SampleJoiner(plan.wire, { ...SPEECH_PCM, formatTag: 1 }, await sampleEncoder(plan.output, seekable));
    }
  }
  switch (plan.output) {
    case 'mp3':
      return new Mp3Joiner(seekable);
    case 'aac':
      return new AdtsJoiner();
    case 'opus':
      return new OpusJoiner();
    case 'flac':
      return new FlacJoiner();
    default:
      throw new AudioError(`Cannot turn ${plan.wire} into ${plan.output}`);
  }
}
