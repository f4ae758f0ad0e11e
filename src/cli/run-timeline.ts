import type { PlayerSink } from '../playback/player-sink.js';
import type { CueConsumer } from '../subtitles/cue-timer.js';
import type { TimelineSink } from '../timeline/timeline.js';
import type { Reporter } from '../ui/reporter.js';
import type { CliIo } from './cli-io.js';
import type { SpeakOptions } from './speak-options.js';

export interface TimelineContext {
  io: CliIo;
  reporter: Reporter;
  /** The text's language (a BCP 47 tag): the aligner's reference voice speaks it. */
  language: string | undefined;
  /** The speakers, when the run plays: the sentence heard is shown from their clock. */
  player: PlayerSink | undefined;
  /** Where the subtitles' warnings go, when not straight to the reporter: a batch job's own, naming its file. */
  warn?: ((message: string) => void) | undefined;
}

/**
 * What follows the audio in time for this run: cue times for --subtitles, and the sentence being
 * heard under --play on a terminal. None of it loads unless asked for: the aligner brings a worker
 * and eSpeak NG, which a plain run must not wait for.
 */
export async function openTimeline(options: SpeakOptions, context: TimelineContext): Promise<TimelineSink[]> {
  const consumers = await cueConsumers(options, context);
  if (consumers.length === 0) return [];
  const { CueTimer } = await import('../subtitles/cue-timer.js');
  const { language, io, reporter } = context;
  const timer = new CueTimer({
    consumers,
    aligner: async () => {
      const { espeakAligner, referenceVoice } = await import('../subtitles/espeak-aligner.js');
      return espeakAligner(referenceVoice(language));
    },
    signal: io.signal,
    warn: context.warn ?? ((message) => reporter.warn(message)),
  });
  return [timer];
}

async function cueConsumers(options: SpeakOptions, { io, reporter, player }: TimelineContext): Promise<CueConsumer[]> {
  const consumers: CueConsumer[] = [];
  if (options.subtitles !== undefined) {
    const { SubtitleFile } = await import('../subtitles/subtitle-file.js');
    consumers.push(await SubtitleFile.open(options.subtitles, { stdout: io.stdout, signal: io.signal, audioOnStdout: options.output?.kind === 'stdout' }));
  }
  if (player && reporter.interactive) {
    const { NowSpeaking } = await import('../ui/now-speaking.js');
    consumers.push(new NowSpeaking({ show: (text) => reporter.speaking(text), heard: (now) => player.clock.heard(now) }));
  }
  return consumers;
}
