/** One request's worth of text, with where it sits in the input (UTF-16 offsets). */
export interface TextChunk {
  text: string;
  start: number;
  end: number;
}

export interface ChunkOptions {
  /** Most code points one chunk may hold (the provider's limit less a margin). */
  maxChars: number;
  /**
   * A smaller limit for the first chunk, so sound starts after one short request when the audio is
   * played or piped; later chunks are fetched while it plays.
   */
  firstChunkMaxChars?: number | undefined;
  /**
   * Every sentence a chunk of its own: where the audio cannot be aligned to the text (aac), request
   * boundaries are the only exact sentence times.
   */
  sentencesAlone?: boolean | undefined;
}

/** Segmenting one huge string is superlinear in V8 (74 s for 2 MB); windows keep it linear. */
const WINDOW = 16 * 1024;
/**
 * The first window is smaller: the first request is cut (and sent) after segmenting little of a
 * long text (16K characters take ~8 ms, 4K ~1.5 ms).
 */
const FIRST_WINDOW = 4 * 1024;

/** Code points, which is how providers count: an emoji is one or two, never a half. */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

interface Unit {
  start: number;
  end: number;
  size: number;
}

/**
 * Splits text into chunks of whole sentences, each at most `maxChars` code points, preferring to end
 * a chunk at a paragraph break. A sentence longer than the limit is split at a clause, then between
 * words, then between grapheme clusters: never inside a word, a surrogate pair or an emoji sequence.
 * The chunks, joined, are the input less the whitespace at their edges.
 */
export function chunkText(text: string, options: ChunkOptions): TextChunk[] {
  return [...textChunks(text, options)];
}

/**
 * `chunkText` as the text is read: each chunk comes out as soon as it is closed, so the first
 * request can be sent while the rest of a long text is still being cut.
 */
export function* textChunks(text: string, options: ChunkOptions): Generator<TextChunk> {
  const chunks: TextChunk[] = [];
  let made = 0;
  let current: Unit[] = [];
  let currentSize = 0;
  const limit = (): number => (made === 0 ? (options.firstChunkMaxChars ?? options.maxChars) : options.maxChars);

  const close = (units: Unit[]): void => {
    const first = units[0];
    const last = units[units.length - 1];
    if (!first || !last) return;
    const raw = text.slice(first.start, last.end);
    const lead = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (body === '') return;
    chunks.push({ text: body, start: first.start + lead, end: first.start + lead + body.length });
    made++;
  };

  const add = (unit: Unit): void => {
    if (unit.size > limit()) {
      for (const piece of splitLong(text, unit, limit())) add(piece);
      return;
    }
    if (currentSize + unit.size > limit() && current.length > 0) {
      const cut = paragraphCut(text, current, limit());
      close(current.slice(0, cut));
      current = current.slice(cut);
      currentSize = current.reduce((sum, u) => sum + u.size, 0);
      // The carried units may still not leave room; close them too.
      if (currentSize + unit.size > limit() && current.length > 0) {
        close(current);
        current = [];
        currentSize = 0;
      }
    }
    current.push(unit);
    currentSize += unit.size;
    if (options.sentencesAlone) {
      close(current);
      current = [];
      currentSize = 0;
    }
  };

  for (const unit of sentenceUnits(text, options.maxChars)) {
    add(unit);
    yield* chunks.splice(0);
  }
  close(current);
  yield* chunks;
}

/**
 * Where to end a full chunk: after the last unit that closes a paragraph, if that keeps the chunk at
 * least half full; else after all of its units.
 */
function paragraphCut(text: string, units: Unit[], limit: number): number {
  let size = 0;
  let best = units.length;
  for (let i = 0; i < units.length; i++) {
    size += units[i]!.size;
    if (i < units.length - 1 && size >= limit / 2 && /\n\s*\n\s*$/.test(text.slice(units[i]!.start, units[i]!.end))) best = i + 1;
  }
  return best;
}

/** Made on first use: creating them costs ~15 ms of start-up that `tts --help` need not pay. */
const segmenters = new Map<Intl.SegmenterOptions['granularity'], Intl.Segmenter>();
const segmenter = (granularity: 'sentence' | 'word' | 'grapheme'): Intl.Segmenter => {
  let made = segmenters.get(granularity);
  if (!made) segmenters.set(granularity, (made = new Intl.Segmenter(undefined, { granularity })));
  return made;
};

const unitOf = (text: string, start: number, end: number): Unit => ({ start, end, size: codePointLength(text.slice(start, end)) });

/**
 * Sentences over the whole text, found window by window; the unfinished last one is carried over. A
 * window holding one sentence too short to split grows until it holds more.
 */
function* sentenceUnits(text: string, maxChars: number): Generator<Unit> {
  let pos = 0;
  let size = FIRST_WINDOW;
  while (pos < text.length) {
    const end = Math.min(pos + size, text.length);
    const units = windowUnits(text, pos, end);
    if (end === text.length) {
      yield* units;
      return;
    }
    if (units.length > 1) {
      const carried = units.pop()!;
      yield* units;
      pos = carried.start;
      size = WINDOW;
      continue;
    }
    // One sentence fills the window: if it is longer than any chunk, split it now and carry its
    // last piece, which the window edge may have cut; else look further for its end.
    const pieces = splitLong(text, units[0] ?? unitOf(text, pos, end), maxChars);
    const carried = pieces.pop()!;
    yield* pieces;
    if (carried.start > pos) pos = carried.start;
    else size *= 2;
  }
}

/** The sentences of text[start, end), as the segmenter sees them there. */
function windowUnits(text: string, start: number, end: number): Unit[] {
  const units: Unit[] = [];
  for (const s of segmenter('sentence').segment(text.slice(start, end))) {
    const unit = unitOf(text, start + s.index, start + s.index + s.segment.length);
    const previous = units[units.length - 1];
    // The segmenter gives a paragraph's second newline as a segment of its own; it belongs to the
    // sentence before it, which is how a paragraph end is seen.
    if (previous && s.segment.trim() === '') units[units.length - 1] = { start: previous.start, end: unit.end, size: previous.size + unit.size };
    else units.push(unit);
  }
  return units;
}

/** Clause ends: after , ; : or a dash followed by a space, or after CJK clause punctuation. */
const CLAUSE = /[,;:\u2013\u2014)](?=\s)|[\uFF0C\u3001\uFF1B\uFF1A\uFF09]/g;

function splitLong(text: string, unit: Unit, max: number): Unit[] {
  const slice = text.slice(unit.start, unit.end);
  const clauses: Unit[] = [];
  let from = 0;
  for (const m of slice.matchAll(CLAUSE)) {
    const to = m.index + m[0].length;
    clauses.push(unitOf(text, unit.start + from, unit.start + to));
    from = to;
  }
  clauses.push(unitOf(text, unit.start + from, unit.end));
  return pack(clauses, max, (u) => cutAtBoundaries(text, u, max));
}

/**
 * Cuts an over-long clause into pieces of at most `max` code points, each at the last word boundary
 * before the limit, else the last grapheme boundary.
 */
function cutAtBoundaries(text: string, unit: Unit, max: number): Unit[] {
  const pieces: Unit[] = [];
  let start = unit.start;
  for (;;) {
    const limit = indexAfterCodePoints(text, start, max, unit.end);
    if (limit >= unit.end) break;
    const cut = lastBoundary(text, start, limit, 'word') ?? lastBoundary(text, start, limit, 'grapheme') ?? limit;
    pieces.push(unitOf(text, start, cut));
    start = cut;
  }
  pieces.push(unitOf(text, start, unit.end));
  return pieces;
}

/** The UTF-16 index `count` code points after `start`, or `end` if the text ends first. */
function indexAfterCodePoints(text: string, start: number, count: number, end: number): number {
  let at = start;
  for (let n = 0; n < count && at < end; n++) {
    const c = text.charCodeAt(at);
    at += c >= 0xd800 && c <= 0xdbff && at + 1 < end ? 2 : 1;
  }
  return at;
}

/** How far before a limit a cut is looked for, and how much context a segmenter needs to be right. */
const WINDOW_BEFORE = 256;
const RESYNC = 64;
/**
 * Regional indicators pair into flags by parity from wherever segmenting starts, and ZWJ joins
 * across any distance: with these about, only segmenting from a known boundary is safe.
 */
const CONTEXT_SENSITIVE = /[\u{1F1E6}-\u{1F1FF}\u200D]/u;

/**
 * The last boundary after `start` and at or before `limit`. Only a short stretch before the limit
 * is segmented (segmenting whole run-ons word by word took 9.5 of 11 s for 2 MB of Chinese), and
 * a boundary within the first RESYNC code units of that stretch is not trusted: a segmenter started
 * mid-word can invent one there. Where flags or ZWJ sequences are about, or the stretch holds no
 * boundary at all, segmenting starts at `start`, a real boundary.
 */
function lastBoundary(text: string, start: number, limit: number, granularity: 'word' | 'grapheme'): number | undefined {
  const from = limit - WINDOW_BEFORE;
  if (from > start && !CONTEXT_SENSITIVE.test(text.slice(from, limit + RESYNC))) {
    const near = boundaryIn(text, { from, trusted: from + RESYNC, limit, granularity });
    if (near !== undefined) return near;
  }
  return boundaryIn(text, { from: start, trusted: start + 1, limit, granularity });
}

interface BoundarySearch {
  /** Where segmenting starts: a boundary, or far enough back that the segmenter has found its feet. */
  from: number;
  /** Boundaries before this are not believed. */
  trusted: number;
  limit: number;
  granularity: 'word' | 'grapheme';
}

/** The last boundary in [trusted, limit] found by segmenting from `from`. */
function boundaryIn(text: string, { from, trusted, limit, granularity }: BoundarySearch): number | undefined {
  let best: number | undefined;
  for (const s of segmenter(granularity).segment(text.slice(from, Math.min(text.length, limit + RESYNC)))) {
    const at = from + s.index;
    if (at > limit) break;
    if (at >= trusted) best = at;
  }
  return best;
}

/** Greedily merges neighbouring units up to `max`; a unit over `max` is split by `finer` first. */
function pack(units: Unit[], max: number, finer: (u: Unit) => Unit[]): Unit[] {
  const out: Unit[] = [];
  let open: Unit | undefined;
  for (const unit of units) {
    const parts = unit.size > max ? finer(unit) : [unit];
    for (const part of parts) {
      if (open && open.size + part.size <= max) {
        open = { start: open.start, end: part.end, size: open.size + part.size };
      } else {
        if (open) out.push(open);
        open = part;
      }
    }
  }
  if (open) out.push(open);
  return out;
}
