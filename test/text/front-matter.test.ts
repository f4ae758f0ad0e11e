import { describe, expect, test } from 'vitest';
import { parseFrontMatter, type FrontMatter } from '../../src/text/front-matter.js';

describe('title and author from YAML front matter', () => {
  test.each<[string, FrontMatter]>([
    ['title: Plain title\nauthor: Ann Lee', { title: 'Plain title', author: 'Ann Lee' }],
    ['title: "Double: quoted \\"yes\\""\nauthor: \'O\'\'Brien\'', { title: 'Double: quoted "yes"', author: "O'Brien" }],
    ['title: "Caf\\u00e9"', { title: 'Café' }],
    ['title: A title with a colon: still the title', { title: 'A title with a colon: still the title' }],
    ['title: Trailing comment # not the title\nauthor: "Hash # kept"', { title: 'Trailing comment', author: 'Hash # kept' }],
    ['authors: [Ann Lee, "Bo, Jr.", \'Cy\']', { author: 'Ann Lee, Bo, Jr., Cy' }],
    ['author:\n  - Ann Lee\n  - Bo Chen', { author: 'Ann Lee, Bo Chen' }],
    ['author:\n- Ann Lee\n\n# a comment\n- Bo Chen\ntitle: After the list', { title: 'After the list', author: 'Ann Lee, Bo Chen' }],
    ['creator: Dee', { author: 'Dee' }],
    ['author: Ann\nauthors: [Bo]\ncreator: Cy', { author: 'Ann' }],
    ['Title: Capitalised key', { title: 'Capitalised key' }],
    ['title: First\ntitle: Second', { title: 'First' }],
    ['title: |\n  A block scalar\nauthor:\n  name: Nested map', {}],
    ['date: 2024-01-01\ntags: [a, b]', {}],
    ['title: ""\nauthor: []', {}],
    ['  title: indented is not top-level', {}],
    ['', {}],
  ])('%j', (yaml, expected) => {
    expect(parseFrontMatter(yaml)).toEqual(expected);
  });
});
