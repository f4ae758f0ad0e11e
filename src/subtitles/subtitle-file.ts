import type { AudioSink } from '../output/audio-sink.js';
import { openOutput, type OutputIo } from '../output/open-output.js';
import { resolveOutputTarget } from '../output/output-target.js';
import { UsageError } from '../errors.js';
import type { CueConsumer } from './cue-timer.js';
import { subtitleFormat, subtitleKind, subtitleKindOrSrt, type SubtitleFormat, type TimedCue, type TimelineSummary } from './subtitle-formats.js';

/**
 * `--subtitles FILE`: cues written as they are timed, into a temporary file that replaces FILE only
 * when the whole run succeeds. A failed or interrupted run leaves no subtitles, and an existing
 * file untouched. A pipe or a descriptor (`--subtitles >(cat)`) is written straight into, like -o.
 */
export class SubtitleFile implements CueConsumer {
  private started = false;

  private constructor(
    private readonly sink: AudioSink,
    private readonly format: SubtitleFormat,
  ) {}

  /**
   * Fails before any request when the path cannot be written or names no subtitle format. A pipe
   * or descriptor has no extension to go by, so `kind` may name the format.
   */
  static async open(path: string, io: OutputIo & { audioOnStdout: boolean }): Promise<SubtitleFile> {
    const target = await resolveOutputTarget(path);
    if (io.audioOnStdout && target.kind === 'descriptor' && target.fd === 1) {
      throw new UsageError(`--subtitles ${path} is stdout, which carries the audio`, { hint: 'Write the subtitles to a file, e.g. --subtitles speech.srt.' });
    }
    const format = subtitleFormat(target.kind === 'file' ? subtitleKind(path) : subtitleKindOrSrt(path));
    return new SubtitleFile(await openOutput(path, io), format);
  }

  async cue(cue: TimedCue): Promise<void> {
    await this.write(this.format.cue(cue));
  }

  async finish(summary: TimelineSummary): Promise<void> {
    await this.write(this.format.footer(summary));
  }

  async commit(): Promise<void> {
    await this.sink.commit();
  }

  async abort(): Promise<void> {
    await this.sink.abort();
  }

  private async write(text: string): Promise<void> {
    const head = this.started ? '' : this.format.header();
    this.started = true;
    await this.sink.write(Buffer.from(head + text, 'utf8'));
  }
}
