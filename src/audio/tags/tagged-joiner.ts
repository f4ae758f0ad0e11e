import type { OutputFormat } from '../formats.js';
import type { AudioJoiner, AudioPosition, JoinEnd } from '../joiner.js';
import { shiftPatches, type BookTags, type ChapterTimes } from './book-tags.js';
import { FlacMetadataSplice } from './flac-metadata.js';
import { id3Tag } from './id3-tag.js';
import { M4aWriter } from './m4a-writer.js';
import { OpusTagsSplice } from './opus-tags.js';
import { wavTrailer } from './wav-info.js';

/** What a file says about the book it holds: tags, and its chapters' titles in order. */
export interface BookInfo {
  tags: BookTags;
  chapterTitles: readonly string[];
}

/** How one container carries tags along the joined stream. */
interface TagWriter {
  /** The joiner's output as it passes; returns what to write. */
  pass(pieces: Uint8Array[]): Uint8Array[];
  /** The joiner's end, with the tags' own tail and patches (offsets from the file's start). */
  end(joined: JoinEnd, times: ChapterTimes, position: AudioPosition | undefined): JoinEnd;
}

/**
 * A joiner whose output carries the book's tags and chapter marks: an ID3 tag before mp3 frames,
 * OpusTags and FLAC comment blocks spliced in, a LIST/INFO trailer after WAV data, or the whole
 * MP4 around AAC frames (m4a, m4b). The tags are written first with room for the chapter times,
 * which are patched in at the end, so the output needs to be a file that can seek.
 */
export class TaggedJoiner implements AudioJoiner {
  private readonly starts: number[] = [];

  constructor(
    private readonly inner: AudioJoiner,
    private readonly writer: TagWriter,
  ) {}

  push(bytes: Uint8Array): Uint8Array[] {
    return oneWrite(this.writer.pass(this.inner.push(bytes)));
  }

  endChunk(): Uint8Array[] {
    return oneWrite(this.writer.pass(this.inner.endChunk()));
  }

  silence(ms: number): Uint8Array[] {
    return oneWrite(this.writer.pass(this.inner.silence(ms)));
  }

  /** A chapter starts here: where the audio written so far ends. */
  chapter(): void {
    this.starts.push(this.inner.seconds() ?? 0);
  }

  finish(): JoinEnd {
    const joined = this.inner.finish();
    const end = this.writer.end(joined, { starts: this.starts, end: this.inner.seconds() ?? 0 }, this.inner.position());
    return { ...end, tail: oneWrite(end.tail) };
  }

  position(): AudioPosition | undefined {
    return this.inner.position();
  }

  chunkStart(): AudioPosition | undefined {
    return this.inner.chunkStart();
  }

  seconds(): number | undefined {
    return this.inner.seconds();
  }
}

/**
 * The joiners give a piece per codec frame (an mp3 frame is 24 ms), and each piece is a write of its
 * own: 20 hours of audio were millions of system calls (a whole book's m4b took minutes, mostly in
 * the kernel). What one call gives goes out as one piece.
 */
function oneWrite(pieces: Uint8Array[]): Uint8Array[] {
  return pieces.length <= 1 ? pieces : [Buffer.concat(pieces)];
}

/** `inner` with the book's tags for `format`, or `inner` itself where the format carries none. */
export function tagJoiner(inner: AudioJoiner, format: OutputFormat, book: BookInfo): AudioJoiner {
  const writer = tagWriter(format, book);
  return writer ? new TaggedJoiner(inner, writer) : inner;
}

function tagWriter(format: OutputFormat, book: BookInfo): TagWriter | undefined {
  switch (format) {
    case 'mp3':
      return id3Writer(book);
    case 'opus':
      return spliceWriter(new OpusTagsSplice(book.tags, book.chapterTitles));
    case 'flac':
      return spliceWriter(new FlacMetadataSplice(book.tags, book.chapterTitles, { vendor: 'tts' }));
    case 'wav':
      return wavWriter(book);
    case 'm4a':
    case 'm4b':
      return mp4Writer(new M4aWriter({ tags: book.tags, chapterTitles: book.chapterTitles, kind: format }));
    default:
      return undefined;
  }
}

/** The tag goes first; everything the joiner patches moves along by its size. */
function id3Writer(book: BookInfo): TagWriter | undefined {
  const tag = id3Tag(book.tags, book.chapterTitles);
  if (tag.bytes.length === 0) return undefined;
  const state = { started: false };
  const start = (pieces: Uint8Array[]): Uint8Array[] => {
    if (state.started) return pieces;
    state.started = true;
    return [tag.bytes, ...pieces];
  };
  return {
    pass: start,
    end: (joined, times) => ({ tail: start(joined.tail), patches: [...shiftPatches(joined.patches, tag.bytes.length), ...tag.patches(times)] }),
  };
}

/** Ogg and FLAC: the stream's own comment pages or blocks are replaced as they pass. */
function spliceWriter(splice: { push(bytes: Uint8Array): Uint8Array[]; finish(times: ChapterTimes): JoinEnd['patches'] }): TagWriter {
  const pass = (pieces: Uint8Array[]): Uint8Array[] => pieces.flatMap((p) => splice.push(p));
  return { pass, end: (joined, times) => ({ tail: pass(joined.tail), patches: [...joined.patches, ...splice.finish(times)] }) };
}

/** WAV: LIST/INFO (and chapter cues) after the data chunk, whose size the joiner patches. */
function wavWriter(book: BookInfo): TagWriter {
  const written = { bytes: 0 };
  const pass = (pieces: Uint8Array[]): Uint8Array[] => {
    for (const p of pieces) written.bytes += p.length;
    return pieces;
  };
  return {
    pass,
    end: (joined, times, position) => {
      const tail = pass(joined.tail);
      const trailer = wavTrailer({ ...book, times, sampleRate: position?.sampleRate ?? 24_000, dataBytes: written.bytes - WAV_HEADER_BYTES });
      return trailer ? { tail: [...tail, trailer.bytes], patches: [...joined.patches, ...trailer.patches] } : { tail, patches: joined.patches };
    },
  };
}

/** The canonical header the WAV encoder writes before the samples (src/audio/wav.ts). */
const WAV_HEADER_BYTES = 44;

/** MP4: ftyp and the mdat header first, AAC frames as they come, moov at the end. */
function mp4Writer(writer: M4aWriter): TagWriter {
  const state = { started: false };
  const pass = (pieces: Uint8Array[]): Uint8Array[] => {
    const head = state.started ? [] : writer.head();
    state.started = true;
    return [...head, ...pieces.flatMap((p) => writer.push(p))];
  };
  return {
    pass,
    end: (joined, times) => {
      const tail = pass(joined.tail);
      const end = writer.finish(times);
      return { tail: [...tail, ...end.tail], patches: [...joined.patches, ...end.patches] };
    },
  };
}
