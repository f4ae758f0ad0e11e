/**
 * Which moment of the audio the listener hears now, estimated from when audio reached the player:
 * playback starts with the first audio and runs in real time, except that it waits whenever the
 * player runs dry (audio that arrives late is heard late). Good to a fraction of a second, which
 * is what showing the sentence being spoken needs.
 */
export class PlayClock {
  /** The wall time (ms) at which second 0 of the audio was, or would have been, heard. */
  private origin: number | undefined;
  private written = 0;

  /** Audio up to `seconds` has been handed to the player at wall time `now` (ms). */
  wrote(seconds: number, now: number): void {
    if (this.origin === undefined) this.origin = now;
    // The player ran out before this arrived: everything from here on is heard that much later.
    else if (now > this.origin + this.written * 1000) this.origin = now - this.written * 1000;
    this.written = Math.max(this.written, seconds);
  }

  /** Seconds of audio heard by wall time `now` (ms); undefined before any audio. */
  heard(now: number): number | undefined {
    if (this.origin === undefined) return undefined;
    return Math.min(this.written, Math.max(0, (now - this.origin) / 1000));
  }
}
