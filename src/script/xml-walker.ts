import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { UsageError } from '../errors.js';
import type { SpokenText } from '../text/spoken-text.js';
import { describePlace, lineColumn } from './source-position.js';
import { decodeXmlText } from './xml-text.js';

export interface XmlElement {
  /** The name as written, prefix included (`mstts:express-as`). */
  name: string;
  /** Attribute values as XML reads them: references decoded, whitespace normalised. */
  attributes: Readonly<Record<string, string>>;
  /** Offset of the element's `<` in the source. */
  start: number;
}

export interface XmlVisitor {
  open(element: XmlElement): void;
  close(element: XmlElement): void;
  /** Character data inside the root element (CDATA included), decoded and mapped to the source. */
  text(text: SpokenText): void;
}

export interface XmlSource {
  text: string;
  /** Names the input in messages: a path, or "stdin". */
  fileName: string;
  /** What the document is, for messages: "SSML", "PLS lexicon". */
  kind: string;
  /** The root element every such document has. */
  root: string;
}

const BARE_AMPERSAND = /&(?!(?:[A-Za-z_:][\w.:-]*|#\d+|#x[0-9A-Fa-f]+);)/;
const TEXT_HINT = 'In XML text, write & as &amp; and < as &lt;.';

/**
 * Walks an XML document with saxes, a conforming non-validating parser, handing the visitor each
 * element and each piece of text with its offsets in the source. saxes reports where it is after
 * each event; text ends just before the `<` that ended it, so its raw span is known and can be
 * decoded here with a map (saxes hands decoded text only). Malformed XML is a UsageError naming
 * the line and column, thrown before the visitor has seen anything after the fault.
 */
export function walkXml(source: XmlSource, visitor: XmlVisitor): void {
  const parser = new SaxesParser({ position: true, xmlns: false });
  const open: XmlElement[] = [];
  // Where the markup or text that saxes reports next begins.
  let cursor = 0;
  let elementStart = 0;
  const fail = (offset: number, message: string, hint: string): never => {
    throw faultAt(source, offset, message, hint);
  };

  parser.on('opentagstart', () => {
    elementStart = cursor;
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const element = { name: tag.name, attributes: tag.attributes, start: elementStart };
    if (open.length === 0 && localName(tag.name) !== source.root) {
      fail(elementStart, `the root element is <${tag.name}>, not <${source.root}>`, `The whole document is one <${source.root}> element.`);
    }
    open.push(element);
    cursor = parser.position;
    visitor.open(element);
  });
  parser.on('closetag', (tag: SaxesTagPlain) => {
    const element = open.pop()!;
    const written = tag.isSelfClosing ? tag.name : /<\/([^\s>]*)\s*>$/.exec(source.text.slice(cursor, parser.position))?.[1];
    if (written !== tag.name) {
      const opened = lineColumn(source.text, element.start);
      fail(cursor, `</${written ?? ''}> does not close <${tag.name}> (opened at line ${opened.line}, column ${opened.column})`, 'Close elements in the reverse order of opening them.');
    }
    cursor = parser.position;
    visitor.close(element);
  });
  parser.on('text', () => {
    // Text ends at the `<` just read; outside the root it can only be whitespace.
    if (open.length > 0) visitor.text(decodeXmlText(source.text.slice(cursor, parser.position - 1), cursor, { references: true }));
    cursor = parser.position - 1;
  });
  parser.on('cdata', () => {
    const contentStart = cursor + '<![CDATA['.length;
    visitor.text(decodeXmlText(source.text.slice(contentStart, parser.position - ']]>'.length), contentStart, { references: false }));
    cursor = parser.position;
  });
  for (const markup of ['xmldecl', 'comment', 'processinginstruction', 'doctype'] as const) {
    parser.on(markup, () => {
      // saxes reports a comment before reading its final '>', the others after it.
      cursor = source.text.indexOf('>', parser.position - 1) + 1;
    });
  }
  parser.on('error', (error: Error) => {
    throw malformed(source, error, { open, cursor, parser });
  });
  parser.write(source.text).close();
}

function faultAt(source: XmlSource, offset: number, message: string, hint: string): UsageError {
  return new UsageError(`Malformed ${source.kind} in ${describePlace(source.fileName, lineColumn(source.text, offset))}: ${message}`, { hint });
}

/** The error for what saxes found wrong, said as precisely as the walk so far allows. */
function malformed(source: XmlSource, error: Error, at: { open: readonly XmlElement[]; cursor: number; parser: SaxesParser }): UsageError {
  const { open, cursor, parser } = at;
  const fault = (offset: number, message: string, hint = TEXT_HINT) => faultAt(source, offset, message, hint);
  const what = error.message.replace(/^\d+:\d+: /, '').replace(/\.$/, '');
  // saxes reads a bare & as the start of a reference that runs on, and then reports something far off.
  const bare = BARE_AMPERSAND.exec(source.text.slice(cursor, Math.max(cursor, parser.position)));
  if (bare) return fault(cursor + bare.index, 'a bare & (write it as &amp;)');
  if (what === 'text data outside of root node') return fault(cursor + (/\S/.exec(source.text.slice(cursor))?.index ?? 0), 'text after the end of the root element');
  const unclosed = open[open.length - 1];
  if (what.startsWith('unclosed tag') && unclosed) return fault(unclosed.start, `<${unclosed.name}> is never closed`, `Add </${unclosed.name}> where it ends.`);
  if (what === 'undefined entity') {
    const amp = source.text.lastIndexOf('&', parser.position - 1);
    return fault(amp, `unknown entity ${/^&[^\s&;<]*;?/.exec(source.text.slice(amp))?.[0] ?? '&'}`);
  }
  // saxes has just read the offending character: its 0-based "next column" is that character's 1-based one.
  const bom = parser.line === 1 && source.text.startsWith('\uFEFF') ? 1 : 0;
  const place = { line: parser.line, column: Math.max(1, parser.column - bom) };
  return new UsageError(`Malformed ${source.kind} in ${describePlace(source.fileName, place)}: ${what}`, { hint: TEXT_HINT });
}

export function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}
