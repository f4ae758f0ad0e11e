import { describe, expect, test } from 'vitest';
import { speakElement, type HtmlSpeechOptions } from '../../src/books/html-to-speech.js';
import { parseMarkup } from '../../src/books/markup-tree.js';
import { SpeechWriter } from '../../src/books/speech-writer.js';
import { expectWordsMapBack, outline, spokenTexts } from './book-outline.js';

/** What a listener hears from one content document: its text, then its notes. */
function hear(body: string, options: Partial<HtmlSpeechOptions> = {}): string[] {
  const source = `<html><head><title>T</title></head><body>${body}</body></html>`;
  const writer = new SpeechWriter();
  speakElement(parseMarkup(source, 'xhtml'), writer, { mode: 'book', notes: 'end-of-chapter', ...options });
  const document = { segments: writer.segments('T') };
  for (const spoken of spokenTexts(document)) expectWordsMapBack(spoken, source);
  return outline(document).flatMap((c) => c.speech);
}

describe('a book document as it is heard', () => {
  test.each([
    ['paragraphs are separated by a blank line', '<p>One.</p>\n  <p>Two.</p>', ['One.\n\nTwo.']],
    ['whitespace collapses, inline markup vanishes', '<p>  Some   <em>very</em>\n\t<b>bold</b>  words </p>', ['Some very bold words']],
    ['headings become sentences', '<h1>Chapter One</h1><h2>Why?</h2><p>Text.</p>', ['Chapter One.\n\nWhy?\n\nText.']],
    ['a heading that ends in a closing quote keeps its own stop', '<h2>“Run!”</h2>', ['“Run!”']],
    ['entities are decoded', '<p>Fish &amp; chips &lt;3 &#233;t&#xE9; &mdash; caf&eacute;&nbsp;noir</p>', ['Fish & chips <3 été — café noir']],
    ['soft hyphens and zero-width spaces vanish', '<p>hy\u00ADphen&shy;ated zero\u200Bwidth</p>', ['hyphenated zerowidth']],
    ['line breaks stay lines', '<p>Roses are red,<br/>violets are blue.</p>', ['Roses are red,\nviolets are blue.']],
    ['list items are sentences on their own lines', '<ul><li>Rope</li><li>Lantern!</li></ul>', ['Rope.\nLantern!']],
    ['tables are read cell by cell, a row a sentence', '<table><tr><th>Name</th><th>Age</th></tr><tr><td>Ann</td><td>31</td></tr><tr><td></td><td>4</td></tr></table>', ['Name, Age.\nAnn, 31.\n4.']],
    ['images say their alt text', '<p>Look: <img src="a.png" alt="a red kite"/> above.</p>', ['Look: a red kite above.']],
    ['images with no real alt text say nothing', '<p>A<img src="x.png" alt="image"/> <img alt="DSC_0042.JPG"/><img alt=""/><img alt="decor" role="presentation"/>B</p>', ['A B']],
    ['code listings are left out, other preformatted text keeps its lines', '<pre><code>x = 1</code></pre><pre>one\n  two</pre>', ['one\ntwo']],
    ['script, style, nav, forms, buttons, svg, math and templates are silent', `
      <script>alert("no")</script><style>p{}</style><nav><a href="#a">Contents</a></nav>
      <form><label>Name <input value="x"/></label><button>Send</button></form>
      <svg><text>vector</text></svg><math><mi>x</mi></math><template><p>later</p></template><p>Kept.</p>`, ['Kept.']],
    ['hidden parts and page numbers are silent', '<p hidden="">a</p><p aria-hidden="true">b</p><p style="display: none">c</p><p>Text<span epub:type="pagebreak" title="12">12</span> goes on.</p>', ['Text goes on.']],
    ['ruby readings are not read twice', '<p><ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp>字<rt>ji</rt></ruby>です。</p>', ['漢字です。']],
    ['an aside in a book is part of the book', '<p>Main.</p><aside><p>A sidebar.</p></aside>', ['Main.\n\nA sidebar.']],
    ['a header and footer in a book are part of the book', '<header><h1>Title</h1></header><p>Text.</p><footer><p>The end.</p></footer>', ['Title.\n\nText.\n\nThe end.']],
  ])('%s', (_, body, heard) => {
    expect(hear(body)).toEqual(heard);
  });
});

describe('note markers are not heard, and notes come after the text', () => {
  test.each([
    ['EPUB 3 noteref and footnote aside', '<p>Dark.<a epub:type="noteref" href="#n1">1</a> Night.</p><aside epub:type="footnote" id="n1"><p>Ink.</p></aside><p>After.</p>', ['Dark. Night.\n\nAfter.', 'Ink.']],
    ['a superscript link', '<p>Word<sup><a href="#fn1" id="r1">12</a></sup>, more.</p><p id="fn1">Not marked as a note.</p>', ['Word, more.\n\nNot marked as a note.']],
    ['a link around a superscript', '<p>Word<a href="notes.xhtml#n3"><sup>iv</sup></a> goes.</p>', ['Word goes.']],
    ['a bracketed link', '<p>Claim<a href="#c1">[3]</a> stands.</p>', ['Claim stands.']],
    ['a link made of symbols', '<p>Word<a href="#n1">*</a> and back <a href="#r1">↩︎</a>.</p>', ['Word and back .']],
    ['pandoc EPUB 2 footnotes', '<p>A<a href="#fn1" class="footnote-ref" id="fnref1">1</a> b.</p><div class="footnotes"><hr/><ol><li id="fn1"><p>Note.<a href="#fnref1" class="footnote-back">↩︎</a></p></li></ol></div>', ['A b.', 'Note.']],
    ['pandoc HTML footnotes', '<p>A<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref"><sup>1</sup></a> b.</p><section class="footnotes" role="doc-endnotes"><hr/><ol><li id="fn1"><p>Note.<a href="#fnref1" role="doc-backlink">↩︎</a></p></li></ol></section>', ['A b.', 'Note.']],
    ['an exponent and a cross-reference stay', '<p>E = mc<sup>2</sup>, see <a href="#ch3">chapter three</a> or <a href="#ch4">IV</a>.</p>', ['E = mc2, see chapter three or IV.']],
  ])('%s', (_, body, heard) => {
    expect(hear(body)).toEqual(heard);
  });

  test('notes can be left out', () => {
    expect(hear('<p>Dark.<a epub:type="noteref" href="#n1">1</a></p><aside epub:type="footnote" id="n1"><p>Ink.</p></aside>', { notes: 'drop' })).toEqual(['Dark.']);
  });
});
