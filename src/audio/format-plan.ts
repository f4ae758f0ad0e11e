import { AudioError, UsageError } from '../errors.js';
import { codecOf, SPEECH_PCM, type AudioFormat, type OutputFormat } from './formats.js';
import type { AudioJoiner, Seekable } from './joiner.js';
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

/** One place the audio goes: a file or stdout in a format, or the speakers. */
export interface OutputRequest {
  format: OutputFormat;
  /** The speakers: they want samples, as a streaming WAV. */
  player: boolean;
}

export interface OutputPlan {
  wire: AudioFormat;
  /**
   * Per output, the codec its joiner makes (a player may get a compressed stream to decode itself);
   * an m4a or m4b output's is aac, remuxed into MP4 as it is written.
   */
  formats: AudioFormat[];
  /** What differs from what was asked: shown as warnings. */
  notes: string[];
  /** What was done on the user's behalf: worth a line. */
  remarks: string[];
}

export interface OutputPlanOptions {
  /**
   * Something looks at the audio itself (subtitle alignment): ask for raw samples where the server
   * has them and the outputs can be made here, so every output maps sample for sample onto them.
   */
  samples?: boolean | undefined;
}

/**
 * One request per chunk serves every output. Playing asks the server for samples (pcm, else wav),
 * from which the speakers get a WAV stream and a file its format, made here. When a file wants a
 * format that cannot be made here (aac), that format is fetched for the file and the player is
 * handed the same stream to decode.
 */
export function planOutputs(asked: readonly OutputRequest[], serverFormats: readonly AudioFormat[], provider: string, options: OutputPlanOptions = {}): OutputPlan {
  const mp4 = asked.find((r) => r.format !== codecOf(r.format));
  if (mp4 && !serverFormats.includes('aac')) {
    throw new UsageError(`${mp4.format} holds AAC audio, which ${provider} cannot send and tts cannot make (there is no permissively licensed AAC encoder)`, {
      hint: 'Choose another format: mp3, opus and flac carry chapters and tags too (-o book.mp3).',
    });
  }
  const requests = asked.map((r) => ({ ...r, format: codecOf(r.format) }));
  const files = requests.filter((r) => !r.player);
  const playing = requests.some((r) => r.player);
  const samples = serverFormats.includes('pcm') ? 'pcm' : serverFormats.includes('wav') ? 'wav' : undefined;
  if (!playing && !(options.samples && samples)) {
    const plan = planFormats(files[0]!.format, serverFormats, provider);
    return { wire: plan.wire, formats: requests.map((r) => r.format), notes: [], remarks: [] };
  }
  if (samples && files.every((f) => LOCAL_FORMATS.includes(f.format))) {
    const encoded = [...new Set(files.map((f) => f.format).filter((f) => f !== samples && f !== 'wav' && f !== 'pcm'))];
    const remarks = !playing && encoded.length > 0 && encoded.every((f) => serverFormats.includes(f)) ? [`asking ${provider} for ${samples} and encoding ${encoded.join(', ')} here, so the text lines up with the audio sample for sample.`] : [];
    return { wire: samples, formats: requests.map((r) => (r.player ? 'wav' : r.format)), notes: [], remarks };
  }
  if (!playing) {
    const plan = planFormats(files[0]!.format, serverFormats, provider);
    return { wire: plan.wire, formats: requests.map((r) => r.format), notes: [], remarks: [] };
  }
  const container = files[0]?.format ?? serverFormats[0]!;
  const wire = planFormats(container, serverFormats, provider).wire;
  const notes = [`${container} cannot be made here from samples, so ${provider} is asked for ${container}: it is written to the file and played by a player that decodes it.`];
  return { wire, formats: requests.map((r) => (r.player ? wire : r.format)), notes, remarks: [] };
}

async function sampleEncoder(format: AudioFormat, { seekable }: Seekable): Promise<SampleEncoderFactory> {
  switch (format) {
    case 'pcm':
      return rawPcmEncoder;
    case 'wav':
      return wavEncoder;
    case 'mp3':
      return (await import('./encoders/mp3-encoder.js')).loadMp3Encoder({ seekable });
    case 'opus':
      return (await import('./encoders/opus-encoder.js')).loadOpusEncoder();
    case 'flac':
      return (await import('./encoders/flac-encoder.js')).loadFlacEncoder();
    case 'aac':
      throw new AudioError('aac cannot be encoded here: there is no permissively licensed AAC encoder');
  }
}

/**
 * The joiner that turns the server's chunks into one correct `plan.output` stream. Each container's
 * joiner is loaded when a run needs it: loading all of them cost ~15 ms before the first request.
 */
export async function createJoiner(plan: FormatPlan, { seekable }: Seekable = { seekable: false }): Promise<AudioJoiner> {
  if (plan.wire === 'pcm' || plan.wire === 'wav') {
    if (plan.wire !== plan.output || plan.output === 'wav' || plan.output === 'pcm') {
      return new SampleJoiner(plan.wire, { ...SPEECH_PCM, formatTag: 1 }, await sampleEncoder(plan.output, { seekable }));
    }
  }
  switch (plan.output) {
    case 'mp3':
      return new (await import('./mp3-joiner.js')).Mp3Joiner({ seekable });
    case 'aac':
      return new (await import('./adts-joiner.js')).AdtsJoiner();
    case 'opus':
      return new (await import('./opus-joiner.js')).OpusJoiner();
    case 'flac':
      return new (await import('./flac-joiner.js')).FlacJoiner();
    default:
      throw new AudioError(`Cannot turn ${plan.wire} into ${plan.output}`);
  }
}
