import type { Patch } from '../joiner.js';
import { albumOf, checkChapterTimes, oneLine, trackText, type BookTags, type ChapterTimes } from './book-tags.js';

/** What wav.ts's canonical 44-byte header puts in the RIFF size besides the samples. */
const HEADER_RIFF_BYTES = 36;
const MAX_RIFF = 0xfffffffe;

/**
 * Chunks to append after a WAV file's data chunk once everything is known: LIST/INFO (INAM title,
 * IART artist, IPRD album, ITRK track: the ids ffmpeg and most tag readers map), and with chapters a
 * `cue ` chunk (one cue point per chapter, at its first sample) with LIST/adtl `labl` titles,
 * which ffmpeg reads as chapters and audio editors show as markers. Text is UTF-8, as ffmpeg
 * writes it. WAV has no standard place for a cover, so none is written.
 *
 * Returns the bytes to append and the RIFF size patch (applied after the joiner's own, which
 * counts only the samples), or undefined when the file cannot take them: past 4 GiB wav.ts keeps
 * the streaming sizes, and anything after an unbounded data chunk would be played as noise. On a
 * pipe, append nothing either, for the same reason.
 */
export function wavTrailer(input: {
  tags: BookTags;
  chapterTitles: readonly string[];
  times: ChapterTimes;
  sampleRate: number;
  dataBytes: number;
}): { bytes: Buffer; patches: Patch[] } | undefined {
  const { tags, chapterTitles, times } = input;
  checkChapterTimes(times, chapterTitles.length);
  const chunks: Buffer[] = [];
  // A data chunk of odd length is followed by a pad byte, which its size does not count.
  if (input.dataBytes % 2 === 1) chunks.push(Buffer.alloc(1));
  const info = [
    subchunk('INAM', tags.title),
    subchunk('IART', tags.author),
    subchunk('IPRD', albumOf(tags)),
    subchunk('ITRK', tags.track ? trackText(tags.track) : undefined),
  ].filter((c): c is Buffer => c !== undefined);
  if (info.length > 0) chunks.push(chunk('LIST', Buffer.concat([Buffer.from('INFO', 'latin1'), ...info])));
  if (chapterTitles.length > 0) {
    const starts = times.starts.map((s) => Math.round(s * input.sampleRate));
    chunks.push(cueChunk(starts));
    const labels = chapterTitles.map((title, i) => chunk('labl', Buffer.concat([u32(i + 1), zstring(oneLine(title))])));
    chunks.push(chunk('LIST', Buffer.concat([Buffer.from('adtl', 'latin1'), ...labels])));
  }
  const bytes = Buffer.concat(chunks);
  const riff = HEADER_RIFF_BYTES + input.dataBytes + bytes.length;
  if (bytes.length === 0 || riff > MAX_RIFF) return undefined;
  const size = Buffer.alloc(4);
  size.writeUInt32LE(riff);
  return { bytes, patches: [{ offset: 4, bytes: size }] };
}

function cueChunk(starts: number[]): Buffer {
  const body = Buffer.alloc(4 + 24 * starts.length);
  body.writeUInt32LE(starts.length, 0);
  starts.forEach((sample, i) => {
    const at = 4 + 24 * i;
    body.writeUInt32LE(i + 1, at); // the id the labl refers to
    body.writeUInt32LE(sample, at + 4); // play-order position
    body.write('data', at + 8, 'latin1');
    // chunk start and block start stay 0: the samples are in the one data chunk
    body.writeUInt32LE(sample, at + 20);
  });
  return chunk('cue ', body);
}

function subchunk(id: string, value: string | undefined): Buffer | undefined {
  return value === undefined || oneLine(value) === '' ? undefined : chunk(id, zstring(oneLine(value)));
}

/** A RIFF chunk, padded to an even length (the pad is not counted in its size). */
function chunk(id: string, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.write(id, 0, 'latin1');
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([header, body, Buffer.alloc(body.length % 2)]);
}

const zstring = (text: string): Buffer => Buffer.from(`${text}\0`, 'utf8');

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
