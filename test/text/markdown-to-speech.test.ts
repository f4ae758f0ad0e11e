import { describe, expect, test } from 'vitest';
import { markdownToSpeech, readMarkdown } from '../../src/text/markdown-to-speech.js';
import { sourceOffset } from '../../src/text/spoken-text.js';

type Case = [markdown: string, speech: string];

/** Every word heard maps back to the same word where it is written. */
function expectWordsMapBack(markdown: string): void {
  const { spoken } = readMarkdown(markdown);
  for (const word of spoken.text.matchAll(/[\p{L}\p{N}_]+/gu)) {
    const at = sourceOffset(spoken, word.index);
    expect(markdown.slice(at, at + word[0].length), `"${word[0]}" at ${word.index}`).toBe(word[0]);
  }
}

const tables: Record<string, Case[]> = {
  'the basics': [
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
  ],
  'what issue 13 heard spoken': [
    ['Bare https://example.com/page?id=1 and www.example.org here.', 'Bare  and  here.'],
    ['Mail me@example.com or <me@example.com>.', 'Mail  or .'],
    ['[https://example.com](https://example.com) is [the site](https://example.com).', 'is the site.'],
    ['Text.\n\n    indented code\n    more code\n\nAfter.', 'Text.\n\nAfter.'],
    ['~~~\nfenced with tildes\n~~~\nAfter.', 'After.'],
    ['```\nnever closed\n\nstill code', ''],
    ['<!-- a comment -->\n\nText.', 'Text.'],
    ['<!--\nseveral\nlines\n-->\nText.', 'Text.'],
    ['Inline <!-- aside --> comment.', 'Inline  comment.'],
    ['<script>\nalert("hi");\n</script>\n\nText.', 'Text.'],
    ['<style>\nbody { color: red }\n</style>\nText.', 'Text.'],
    ['Before <script>alert(1)</script> after.', 'Before  after.'],
    ['Tom &amp; Jerry', 'Tom & Jerry'],
    ['a &#8212; b &#x2014; c &copy; &nbsp;d', 'a — b — c © \u00a0d'],
    ['Not an entity: &bogus; and AT&T', 'Not an entity: &bogus; and AT&T'],
    ['A claim[^1] and another[^note].\n\n[^1]: The source.\n[^note]: More.', 'A claim and another.'],
    ['Text[^1].\n\n[^1]: A note\n    with a second line.\n\nAfter the note.', 'Text.\n\nAfter the note.'],
    ['Line one\\\nline two', 'Line one\nline two'],
    ['Line one  \nline two', 'Line one\nline two'],
    ['> > Nested quote.\n> Outer again.', 'Nested quote.\nOuter again.'],
    ['> Outer.\n>\n> > Inner.\n> > > Innermost.', 'Outer.\n\nInner.\nInnermost.'],
  ],
  'raw HTML: its text, not its tags': [
    ['<div align="center">\n<b>Bold</b> &amp; <i>it</i>\n</div>', 'Bold & it'],
    ['<p>One</p><p>Two</p>', 'One\nTwo'],
    ['Before<br>after.', 'Before\nafter.'],
    ['<details>\n<summary>More</summary>\n\nHidden *text*.\n\n</details>', 'More\n\nHidden text.'],
    ['An <abbr title="HyperText">HTML</abbr> word.', 'An HTML word.'],
    ['<img src="x.png" alt="ignored">\n\nText.', 'Text.'],
  ],
  'CommonMark edge cases': [
    ['Title\n=====\n\nSubtitle\n--------\n\nText.', 'Title.\n\nSubtitle.\n\nText.'],
    ['# Closed heading ##', 'Closed heading.'],
    ['> Quoted line\nlazy continuation.', 'Quoted line\nlazy continuation.'],
    ['- one\n  - nested\n    - deeper\n- two', 'one.\nnested.\ndeeper.\ntwo.'],
    ['1. first\n\n   Second paragraph.\n2. second', 'first.\n\nSecond paragraph.\nsecond.'],
    ['- loose\n\n- list', 'loose.\n\nlist.'],
    ['Use ``a `tick` inside`` here.', 'Use a `tick` inside here.'],
    ['`` `starts with a tick ``', '`starts with a tick'],
    ['See [the guide][g], [g][] and [g].\n\n[g]: https://example.com "Guide"', 'See the guide, g and g.'],
    ['[Not a link] stays.', '[Not a link] stays.'],
    ['Read example.com and README.md first.', 'Read example.com and README.md first.'],
    ['An inline note^[not read aloud] here.', 'An inline note here.'],
    ['Go to <https://example.com/a>.', 'Go to .'],
    ['snake_case, foo_bar_baz and _em_.', 'snake_case, foo_bar_baz and em.'],
    ['un*frigging*believable', 'unfriggingbelievable'],
    ['Escaped \\*stars\\* and a \\\\ backslash.', 'Escaped *stars* and a \\ backslash.'],
    ['***\n\nText.\n\n___', 'Text.'],
    ['A paragraph\nover two lines.', 'A paragraph\nover two lines.'],
  ],
  'GitHub extensions': [
    ['| a | b |\n|---|---|\n| 1 |   |\n| `x\\|y` | [l](u) |', 'a, b.\n1.\nx|y, l.'],
    ['| *Emph* | **Strong** |\n| --- | --- |\n| <https://x.org> | ok |', 'Emph, Strong.\nok.'],
    ['~~gone~~ and ~~also~~', 'gone and also'],
    ['* [ ] todo\n* [x] done', 'todo.\ndone.'],
    ['![](x.png) ![alt *text*](y.png) ![ref alt][r]\n\n[r]: z.png', 'alt text ref alt'],
  ],
  'sentences and breaks': [
    ['# Heading\nText right after.', 'Heading.\nText right after.'],
    ['# Heading\n\nText after a blank line.', 'Heading.\n\nText after a blank line.'],
    ['## "Quoted?"\n### (Aside.)\n#### Colon:', '"Quoted?"\n(Aside.)\nColon:'],
    ['- Item with [a link](u)\n- Item ending in `code`', 'Item with a link.\nItem ending in code.'],
    ['Before.\n```\ncode\n\nwith a blank line\n```\nAfter.', 'Before.\nAfter.'],
    ['One.\n\n\n\nTwo.', 'One.\n\nTwo.'],
    ['', ''],
  ],
};

describe('Markdown as it should be heard', () => {
  for (const [title, cases] of Object.entries(tables)) {
    describe(title, () => {
      test.each(cases)('%j', (markdown, speech) => {
        expect(markdownToSpeech(markdown)).toBe(speech);
      });
    });
  }
});

describe('the map back to the Markdown source', () => {
  // Left out: decoded entities, and a word whose parts are written apart (un*frigging*believable).
  const all = Object.values(tables).flat();
  test.each(all.filter(([markdown]) => !/&|\w\*\w/.test(markdown)))('words of %j', (markdown) => {
    expectWordsMapBack(markdown);
  });

  test('a longer document: every word maps back, through quotes, lists, tables, escapes and code spans', () => {
    const markdown = [
      '---',
      'title: The Book',
      '---',
      '# Chapter *One*',
      '',
      '> Quoted **words** here,',
      '> and a lazy',
      'continuation line with \\*escapes\\*.',
      '',
      '- A list item with [a link](https://example.com)',
      '  - nested `code span`',
      '',
      '| Name | Role |',
      '|------|------|',
      '| Ann  | lead |',
      '',
      'Final paragraph, with ~~struck~~ words.',
    ].join('\n');
    expectWordsMapBack(markdown);
    expect(markdownToSpeech(markdown)).toBe(
      'Chapter One.\n\nQuoted words here,\nand a lazy\ncontinuation line with *escapes*.\n\nA list item with a link.\nnested code span.\n\nName, Role.\nAnn, lead.\n\nFinal paragraph, with struck words.',
    );
  });

  test('a decoded entity maps to its `&`, and the text after it maps on', () => {
    const markdown = 'Tom &amp; Jerry &#8212; friends';
    const { spoken } = readMarkdown(markdown);
    expect(spoken.text).toBe('Tom & Jerry — friends');
    const at = (word: string) => sourceOffset(spoken, spoken.text.indexOf(word));
    expect(at('&')).toBe(markdown.indexOf('&amp;'));
    expect(at('Jerry')).toBe(markdown.indexOf('Jerry'));
    expect(at('—')).toBe(markdown.indexOf('&#8212;'));
    expect(at('friends')).toBe(markdown.indexOf('friends'));
  });

  test('an entity in raw HTML maps the same way', () => {
    const markdown = '<div>\nFish &amp; chips\n</div>';
    const { spoken } = readMarkdown(markdown);
    expect(spoken.text).toBe('Fish & chips');
    expect(sourceOffset(spoken, spoken.text.indexOf('&'))).toBe(markdown.indexOf('&amp;'));
    expect(sourceOffset(spoken, spoken.text.indexOf('chips'))).toBe(markdown.indexOf('chips'));
  });

  test("words after a link map past the link's address and title, which may hold the same words", () => {
    const markdown = '[a](u "the end") the end';
    const { spoken } = readMarkdown(markdown);
    expect(spoken.text).toBe('a the end');
    expect(sourceOffset(spoken, spoken.text.indexOf('the'))).toBe(markdown.lastIndexOf('the'));
  });

  test('cells map into their own row, past an escaped pipe', () => {
    const markdown = '| k | v |\n|---|---|\n| a \\| b | b |';
    const { spoken } = readMarkdown(markdown);
    expect(spoken.text).toBe('k, v.\na | b, b.');
    expect(sourceOffset(spoken, spoken.text.lastIndexOf('b'))).toBe(markdown.lastIndexOf('b'));
    expect(sourceOffset(spoken, spoken.text.indexOf('b'))).toBe(markdown.indexOf('b |'));
  });

  test('an escaped character maps to itself, not to its backslash', () => {
    const markdown = 'A \\*star\\* here';
    const { spoken } = readMarkdown(markdown);
    expect(sourceOffset(spoken, spoken.text.indexOf('*'))).toBe(markdown.indexOf('*'));
  });

  test('a code span that starts with a backtick maps past the fence and its padding', () => {
    const markdown = 'Say `` `tick `` now';
    const { spoken } = readMarkdown(markdown);
    expect(spoken.text).toBe('Say `tick now');
    expect(sourceOffset(spoken, spoken.text.indexOf('`'))).toBe(markdown.indexOf('`tick'));
  });

  test('the full stop a heading gets points at the heading, not past the next line', () => {
    const markdown = '# Title\n\nBody';
    const { spoken } = readMarkdown(markdown);
    expect(spoken.text).toBe('Title.\n\nBody');
    expect(sourceOffset(spoken, spoken.text.indexOf('.'))).toBeLessThanOrEqual(markdown.indexOf('\n'));
  });
});

describe('headings and front matter', () => {
  test('headings come with their level, words and spoken offset', () => {
    const markdown = '# Book\n\nIntro.\n\n## Part *one*\n\nText.\n\nSetext\n------\n\n> # Quoted heading\n\n- # Listed heading';
    const { spoken, headings } = readMarkdown(markdown);
    expect(headings).toEqual([
      { level: 1, text: 'Book', offset: 0 },
      { level: 2, text: 'Part one', offset: spoken.text.indexOf('Part one') },
      { level: 2, text: 'Setext', offset: spoken.text.indexOf('Setext') },
    ]);
    // Quoted and listed headings are spoken but are not the document's outline.
    expect(spoken.text).toContain('Quoted heading.\n\nListed heading.');
  });

  test('front matter is not spoken; its title and author are returned', () => {
    const result = readMarkdown('---\ntitle: "A Book: Part 1"\nauthor:\n  - Ann Lee\n  - Bo Chen\nlang: en\n---\n\nText.');
    expect(result.spoken.text).toBe('Text.');
    expect(result.title).toBe('A Book: Part 1');
    expect(result.author).toBe('Ann Lee, Bo Chen');
  });

  test('only front matter at the very top is front matter', () => {
    expect(markdownToSpeech('Text.\n\n---\ntitle: Not front matter\n---')).toBe('Text.\n\ntitle: Not front matter.');
    expect(readMarkdown('Text.\n\n---\ntitle: x\n---').title).toBeUndefined();
  });
});
