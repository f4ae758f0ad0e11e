import { FileSink } from '../output/file-sink.js';
import type { CueConsumer } from './cue-timer.js';
import { subtitleFormat, subtitleKind, type SubtitleFormat, type TimedCue, type TimelineSummary } from './subtitle-formats.js';

/**
 * `--subtitles FILE`: cues written as they are timed, into a temporary file that replaces FILE only
 * when the whole run succeeds. A failed or interrupted run leaves no subtitles, and an existing
 * file untouched.
 */
export class SubtitleFile implements CueConsumer {
  private started = false;

  private constructor(
    private readonly sink: FileSink,
    private readonly format: SubtitleFormat,
  ) {}

  /** Fails before any request when the path cannot be written or names no subtitle format. */
  static async open(path: string): Promise<SubtitleFile> {
    const format = subtitleFormat(subtitleKind(path));
    return new SubtitleFile(await FileSink.open(path), format);
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
