/** What a Markdown file's front matter says about the book it starts. */
export interface FrontMatter {
  title?: string | undefined;
  author?: string | undefined;
}

/**
 * The title and author from YAML front matter (the text between the `---` lines, without them).
 * Only the forms people write by hand are read: `key: plain`, `key: "double"` or `'single'`
 * quoted, `key: [a, b]`, and a block list of `- item` lines under `key:`. Anything else is
 * ignored rather than refused: front matter is never spoken, so a form read wrongly costs a title,
 * not a run, and a full YAML parser would be the biggest thing loaded to read two keys.
 *
 * The author is `author`, else `authors`, else `creator` (Pandoc, Jekyll and EPUB-minded tools
 * each use one); several names are joined with ", ", as players show a single artist field.
 */
export function parseFrontMatter(yaml: string): FrontMatter {
  const keys = topLevelValues(yaml);
  const title = joined(keys.get('title'));
  const author = joined(keys.get('author')) ?? joined(keys.get('authors')) ?? joined(keys.get('creator'));
  return { ...(title === undefined ? {} : { title }), ...(author === undefined ? {} : { author }) };
}

/** Each top-level key's value: a string, a list of strings, or nothing for a form not read. */
function topLevelValues(yaml: string): Map<string, string | string[]> {
  const values = new Map<string, string | string[]>();
  const lines = yaml.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const entry = /^([A-Za-z_][\w-]*)\s*:(?:\s+(.*?))?\s*$/.exec(lines[i]!);
    if (!entry) continue;
    const key = entry[1]!.toLowerCase();
    const rest = stripComment(entry[2] ?? '');
    if (rest !== '') {
      const value = rest.startsWith('[') ? flowList(rest) : scalar(rest);
      if (value !== undefined && !values.has(key)) values.set(key, value);
      continue;
    }
    const items: string[] = [];
    while (i + 1 < lines.length && /^\s*(-\s|-$|#|$)/.test(lines[i + 1]!)) {
      const item = /^\s*-\s+(.*?)\s*$/.exec(lines[++i]!);
      const value = item ? scalar(stripComment(item[1]!)) : undefined;
      if (value !== undefined) items.push(value);
    }
    if (items.length > 0 && !values.has(key)) values.set(key, items);
  }
  return values;
}

/** A plain, single-quoted or double-quoted scalar; undefined for forms not read (`|`, `>`, `{…}`, `&anchor`). */
function scalar(text: string): string | undefined {
  if (text.startsWith('"')) {
    const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(text);
    return quoted ? unescapeDouble(quoted[1]!) : undefined;
  }
  if (text.startsWith("'")) {
    const quoted = /^'((?:[^']|'')*)'$/.exec(text);
    return quoted ? quoted[1]!.replace(/''/g, "'") : undefined;
  }
  if (/^[|>{&*!]/.test(text)) return undefined;
  return text;
}

/** `[a, "b, c", 'd']`: items split at commas outside quotes. */
function flowList(text: string): string[] | undefined {
  if (!text.endsWith(']')) return undefined;
  const items = text.slice(1, -1).match(/\s*(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,]+)/g) ?? [];
  const values = items.map((item) => scalar(item.trim())).filter((v): v is string => v !== undefined && v !== '');
  return values;
}

/** A ` #` outside quotes starts a comment; inside a quoted scalar it is text. */
function stripComment(text: string): string {
  if (text.startsWith('"') || text.startsWith("'")) {
    const quoted = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*')\s*(?:#.*)?$/.exec(text);
    return quoted ? quoted[1]! : text;
  }
  if (text.startsWith('#')) return '';
  return text.replace(/\s+#.*$/, '').trim();
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\', '/': '/', '0': '\0', ' ': ' ' };

function unescapeDouble(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_, code: string) => {
    if (code.length > 1) return String.fromCharCode(parseInt(code.slice(1), 16));
    return ESCAPES[code] ?? code;
  });
}

function joined(value: string | string[] | undefined): string | undefined {
  const text = (Array.isArray(value) ? value.map((v) => v.trim()).filter(Boolean).join(', ') : value)?.trim();
  return text ? text : undefined;
}
