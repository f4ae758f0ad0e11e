import { describe, expect, test } from 'vitest';
import type { TimedCue } from '../../src/subtitles/subtitle-formats.js';
import { NowSpeaking } from '../../src/ui/now-speaking.js';

const cue = (number: number, start: number, end: number, text: string): TimedCue => ({ number, start, end, lines: [text], source: { start: 0, end: text.length }, request: 0 });

/** The status line as a list of what it showed, and a clock of heard seconds the test moves. */
function display(): { shown: (string | undefined)[]; heard: { now: number | undefined }; speaking: NowSpeaking } {
  const shown: (string | undefined)[] = [];
  const heard: { now: number | undefined } = { now: undefined };
  const speaking = new NowSpeaking({ show: (text) => shown.push(text), heard: () => heard.now, intervalMs: 60_000 });
  return { shown, heard, speaking };
}

describe('the sentence being heard, under --play on a terminal', () => {
  test('each sentence shows from its start until the next one starts, not before it is heard', async () => {
    const { shown, heard, speaking } = display();
    speaking.cue(cue(1, 0, 2, 'First sentence.'));
    speaking.cue(cue(2, 2.5, 4, 'Second one.'));
    speaking.tick();
    expect(shown).toEqual([]);
    heard.now = 0.1;
    speaking.tick();
    heard.now = 2.4;
    speaking.tick();
    expect(shown).toEqual(['First sentence.']);
    heard.now = 2.6;
    speaking.tick();
    expect(shown).toEqual(['First sentence.', 'Second one.']);
    await speaking.commit();
    heard.now = 4.1;
    speaking.tick();
    // Once everything has been heard the line is cleared for the summary.
    expect(shown).toEqual(['First sentence.', 'Second one.', undefined]);
  });

  test('a listener who falls behind skips straight to the sentence now heard', () => {
    const { shown, heard, speaking } = display();
    for (let i = 0; i < 5; i++) speaking.cue(cue(i + 1, i, i + 1, `Sentence ${i + 1}.`));
    heard.now = 3.5;
    speaking.tick();
    expect(shown).toEqual(['Sentence 4.']);
  });

  test('an aborted run clears the line at once', async () => {
    const { shown, heard, speaking } = display();
    speaking.cue(cue(1, 0, 5, 'Still talking.'));
    heard.now = 1;
    speaking.tick();
    await speaking.abort();
    expect(shown).toEqual(['Still talking.', undefined]);
  });
});
