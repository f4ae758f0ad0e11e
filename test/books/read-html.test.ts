import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { readHtml } from '../../src/books/read-html.js';
import { UsageError } from '../../src/errors.js';
import { requireTool } from '../helpers/audio-tools.js';
import { expectWordsMapBack, outline, spokenTexts } from './book-outline.js';

const PAGE = `<!DOCTYPE html>
<html lang="en-US">
<head>
  <meta charset="utf-8">
  <title>Keeping a Lighthouse | The Coast Blog</title>
  <meta name="author" content="Ada Wren">
  <style>body { font: 16px serif } .ad::before { content: "Buy now" }</style>
  <script>window.track = () => console.log("tracked");</script>
</head>
<body>
  <header class="site"><a href="/">The Coast Blog</a><nav><a href="/a">About</a> <a href="/b">Archive</a></nav></header>
  <noscript>Please enable JavaScript.</noscript>
  <div class="layout">
    <aside class="sidebar"><h2>Popular posts</h2><ul><li>Ten knots</li></ul></aside>
    <article>
      <header><h1>Keeping a Lighthouse</h1><p class="byline">by Ada Wren</p></header>
      <p>The lamp is lit at dusk &amp; put out at dawn.<sup><a href="#fn1" id="r1">1</a></sup></p>
      <form action="/subscribe"><label>Email <input name="email"></label><button>Subscribe</button></form>
      <h2>The Lamp</h2>
      <p>Its <em>lens</em> weighs a ton.</p>
      <svg width="10" height="10"><text x="0" y="9">decoration</text></svg>
      <template><p>Template text</p></template>
      <h2>The Logbook</h2>
      <table><tr><th>Date</th><th>Weather</th></tr><tr><td>1 May</td><td>Fog</td></tr></table>
      <button onclick="share()">Share</button>
      <footer><p>Posted in Coasts.</p></footer>
      <ol class="footnotes"><li id="fn1">Every day of the year.</li></ol>
    </article>
  </div>
  <footer class="site"><p>© 2024 The Coast Blog</p></footer>
  <script src="/app.js"></script>
</body>
</html>`;

describe('a web page', () => {
  test('is heard as its article: chapters at h2 under a single h1, notes after their chapter', () => {
    const page = readHtml(PAGE, { name: 'post.html' });
    expect(outline(page)).toEqual([
      { title: 'Keeping a Lighthouse | The Coast Blog', speech: ['Keeping a Lighthouse.\n\nby Ada Wren\n\nThe lamp is lit at dusk & put out at dawn.', 'Every day of the year.'] },
      { title: 'The Lamp', speech: ['The Lamp.\n\nIts lens weighs a ton.'] },
      { title: 'The Logbook', speech: ['The Logbook.\n\nDate, Weather.\n1 May, Fog.\n\nPosted in Coasts.'] },
    ]);
  });

  test('takes its title, author and language from the head', () => {
    const page = readHtml(PAGE);
    expect({ title: page.title, author: page.author, language: page.language, cover: page.cover }).toEqual({
      title: 'Keeping a Lighthouse | The Coast Blog',
      author: 'Ada Wren',
      language: 'en-US',
      cover: undefined,
    });
  });

  test('maps every spoken word back to the page source', () => {
    for (const spoken of spokenTexts(readHtml(PAGE))) expectWordsMapBack(spoken, PAGE);
  });

  test('prefers <main> to the rest of the body', () => {
    const page = readHtml('<body><p>Cookie banner.</p><div role="main"><p>The text.</p></div><p>Share this.</p></body>');
    expect(outline(page)).toEqual([{ title: 'Opening', speech: ['The text.'] }]);
  });

  test('without main or article, reads the body less its header, footer and navigation', () => {
    const page = readHtml(`<title>Notes</title><body><header><h1>Site</h1></header><div role="navigation">Menu</div>
      <h1>First</h1><p>One.</p><h1>Second</h1><p>Two.</p><div role="contentinfo">Contact us</div><footer>Legal</footer></body>`);
    expect(outline(page)).toEqual([
      { title: 'First', speech: ['First.\n\nOne.'] },
      { title: 'Second', speech: ['Second.\n\nTwo.'] },
    ]);
  });

  test('with no heading at all, is one chapter named by its title, else its first h1', () => {
    expect(outline(readHtml('<title>Just text</title><p>Hello.</p>'))).toEqual([{ title: 'Just text', speech: ['Hello.'] }]);
    expect(outline(readHtml('<h1>Only heading</h1><p>Hello.</p>'))).toEqual([{ title: 'Only heading', speech: ['Only heading.\n\nHello.'] }]);
  });

  test('reads bytes as UTF-8', () => {
    const page = readHtml(Buffer.from('<p>Grüße aus Köln – 東京</p>'));
    expect(spokenTexts(page).map((s) => s.text)).toEqual(['Grüße aus Köln – 東京']);
    expect(() => readHtml(Buffer.from([0x3c, 0x70, 0x3e, 0x00]), { name: 'x.html' })).toThrow('x.html looks like a binary file, not text');
    expect(() => readHtml(Buffer.from([0x3c, 0x70, 0x3e, 0xff]), { name: 'x.html' })).toThrow('x.html is not valid UTF-8 text');
  });

  test('nested eight thousand tags deep (unclosed <b>s), still reads', () => {
    const page = readHtml(`<p>${'<b>'.repeat(8_000)}Deep text.</p>`);
    expect(spokenTexts(page).map((s) => s.text)).toEqual(['Deep text.']);
  });

  test('with nothing to read is a usage error', () => {
    expect(() => readHtml('<script>only()</script><nav>Menu</nav>', { name: 'app.html' })).toThrow(UsageError);
    expect(() => readHtml('<script>only()</script>', { name: 'app.html' })).toThrow('No text to speak: app.html has no readable text');
  });
});

test('a page pandoc made, with footnotes, reads without its markers', () => {
  requireTool('pandoc');
  const html = execFileSync('pandoc', ['-s', '-t', 'html5', '--metadata', 'title=Tides', '--metadata', 'author=Ben Stone', '--metadata', 'lang=en'], {
    input: '# High water\n\nThe sea rose.[^1]\n\n# Low water\n\nIt fell again.\n\n[^1]: Twice a day.\n',
    encoding: 'utf8',
  });
  const page = readHtml(html);
  expect({ title: page.title, author: page.author, language: page.language }).toEqual({ title: 'Tides', author: 'Ben Stone', language: 'en' });
  // pandoc's own title block is a <header> outside any section: page chrome, not read.
  expect(outline(page)).toEqual([
    { title: 'High water', speech: ['High water.\n\nThe sea rose.', 'Twice a day.'] },
    { title: 'Low water', speech: ['Low water.\n\nIt fell again.'] },
  ]);
});
