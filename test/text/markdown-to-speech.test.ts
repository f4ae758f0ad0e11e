import { describe, expect, test } from 'vitest';
import { markdownToSpeech } from '../../src/text/markdown-to-speech.js';

describe('Markdown as it should be heard', () => {
  test.each([
    ['# Release notes', 'Release notes.'],
    ['## Done already!', 'Done already!'],
    ['Some **bold**, some *italic*, some __strong__ and _em_ text.', 'Some bold, some italic, some strong and em text.'],
    ['snake_case_names and 2*3*4 stay as they are', 'snake_case_names and 2*3*4 stay as they are'],
    ['See [the docs](https://example.com/docs) and ![a cat](cat.png).', 'See the docs and a cat.'],
    ['Run `npm test` first.', 'Run npm test first.'],
    ['Visit <https://example.com> today.', 'Visit  today.'],
    ['- apples\n- oranges\n1. first step\n2) second step', 'apples.\noranges.\nfirst step.\nsecond step.'],
    ['- [x] done task', 'done task.'],
    ['> A quoted line.', 'A quoted line.'],
    ['| Name | Age |\n|------|----:|\n| Ann  | 31  |', 'Name, Age.\nAnn, 31.'],
    ['Before.\n\n```js\nconst code = 1;\n```\n\nAfter.', 'Before.\n\nAfter.'],
    ['Text.\n\n---\n\nMore.', 'Text.\n\nMore.'],
    ['---\ntitle: Notes\n---\nBody text.', 'Body text.'],
    ['Text with a <b>tag</b> and a <!-- comment -->.', 'Text with a tag and a .'],
    ['[ref]: https://example.com\nBody.', 'Body.'],
  ])('%j', (markdown, speech) => {
    expect(markdownToSpeech(markdown)).toBe(speech);
  });
});
