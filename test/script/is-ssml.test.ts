import { describe, expect, test } from 'vitest';
import { isSsml } from '../../src/script/is-ssml.js';

describe('recognising SSML', () => {
  test.each<[string, string, string | undefined, boolean]>([
    ['a <speak> root', '<speak>Hi</speak>', undefined, true],
    ['with attributes', '<speak version="1.1" xml:lang="en-US">Hi</speak>', undefined, true],
    ['an empty root', '<speak/>', undefined, true],
    ['after an XML declaration', '<?xml version="1.0" encoding="UTF-8"?>\n<speak>Hi</speak>', undefined, true],
    ['after a byte-order mark and white space', '\uFEFF\n  <speak>Hi</speak>', undefined, true],
    ['after comments and a doctype', '<?xml version="1.0"?><!-- a --><!DOCTYPE speak>\n<!-- b -->\n<speak>Hi</speak>', undefined, true],
    ['by the .ssml extension, whatever the text', 'Hello', 'talk.SSML', true],
    ['plain text', 'Hello <speak> there', undefined, false],
    ['text mentioning speak first', 'speak: <speak>', undefined, false],
    ['another root', '<?xml version="1.0"?><html><speak/></html>', undefined, false],
    ['a longer element name', '<speaker>Hi</speaker>', undefined, false],
    ['a prefixed root is not taken for SSML', '<s:speak>Hi</s:speak>', undefined, false],
    ['Markdown', '# Title\n\nText', 'notes.md', false],
  ])('%s', (_name, text, path, expected) => {
    expect(isSsml(text, path)).toBe(expected);
  });
});
