import { describe, expect, test } from 'vitest';
import { dropControls, escapeControls, escapeJsonControls } from '../../src/text/control-characters.js';
import { normalizeText } from '../../src/text/normalize-text.js';

describe('control characters', () => {
  test.each([
    ['\u001b]0;title\u0007 hello', '\\x1b]0;title\\x07 hello'],
    ['\u001b[2J\u001b[31mred', '\\x1b[2J\\x1b[31mred'],
    ['C1 CSI \u009b31m', 'C1 CSI \\x9b31m'],
    ['tab\tand\nnewline stay', 'tab\tand\nnewline stay'],
    ['del\u007f', 'del\\x7f'],
  ])('printed: %j', (text, shown) => {
    expect(escapeControls(text)).toBe(shown);
  });

  test.each([
    ['\u001b]0;title\u0007 hello', ']0;title hello'],
    ['bell\u0007 and nul\u0000 gone', 'bell and nul gone'],
    ['page one.\fPage two.', 'page one.\nPage two.'],
    ['tab\tand\nnewline stay, ünïcödé too', 'tab\tand\nnewline stay, ünïcödé too'],
    ['C1\u009b and DEL\u007f', 'C1 and DEL'],
  ])('spoken: %j', (text, spoken) => {
    expect(dropControls(text)).toBe(spoken);
  });

  test('every input is spoken without them: text is normalised on the way in', () => {
    expect(normalizeText('\uFEFFHi\u001b[0m.\r\nBye.')).toBe('Hi[0m.\nBye.');
  });

  test('JSON keeps valid JSON, with DEL and C1 escaped as JSON escapes', () => {
    const json = escapeJsonControls(JSON.stringify({ text: 'a\u009bb\u007f\u001b' }));
    expect(json).toBe('{"text":"a\\u009bb\\u007f\\u001b"}');
    expect(JSON.parse(json)).toEqual({ text: 'a\u009bb\u007f\u001b' });
  });
});
