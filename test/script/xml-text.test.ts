import { SaxesParser } from 'saxes';
import { describe, expect, test } from 'vitest';
import { decodeXmlText } from '../../src/script/xml-text.js';
import { sourceOffset } from '../../src/text/spoken-text.js';

/** The text saxes itself reads from `<r>raw</r>`: the decoding here must agree with it. */
function saxesText(raw: string): string {
  const parser = new SaxesParser();
  let text = '';
  parser.on('text', (t) => (text += t));
  parser.write(`<r>${raw}</r>`).close();
  return text;
}

describe('XML character data with its map', () => {
  test.each([
    'plain',
    'a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;',
    '&#233;&#xE9;&#x1F600;&#128512;',
    'one\r\ntwo\rthree\nfour',
    '&amp;&amp;\r\n&lt;',
    '',
  ])('%j reads as saxes reads it', (raw) => {
    expect(decodeXmlText(raw, 0, { references: true }).text).toBe(saxesText(raw));
  });

  test('each decoded character points at its reference, the rest at itself', () => {
    const raw = 'x&amp;y&#x1F600;z\r\nw';
    const spoken = decodeXmlText(raw, 100, { references: true });
    expect(spoken.text).toBe('x&y😀z\nw');
    const at = (char: string) => sourceOffset(spoken, spoken.text.indexOf(char)) - 100;
    expect([at('x'), at('&'), at('y'), at('😀'), at('z'), at('\n'), at('w')]).toEqual([0, 1, 6, 7, 16, 17, 19]);
  });

  test('CDATA keeps references as written', () => {
    expect(decodeXmlText('&amp;\r\n', 0, { references: false }).text).toBe('&amp;\n');
  });
});
