import { albumOf, oneLine, type BookTags } from './book-tags.js';
import { AAC_FRAME_SAMPLES, audioSpecificConfig, type AacConfig } from './adts-frames.js';
import { box, fourcc, fullBox, LANGUAGE_UNDETERMINED, timeWidth, u16, u32, u64, u8, UNITY_MATRIX } from './mp4-box.js';

/** About 1.4 s of audio per chunk at 48 kHz (2.7 s at 24 kHz): few chunk offsets, short reads. */
const SAMPLES_PER_CHUNK = 64;
/**
 * The movie's clock (mvhd, tkhd, elst) in milliseconds, as ffmpeg, Apple and Nero write it: some
 * readers take Nero's chpl times (100 ns units) to be in it (mutagen before 1.47, so the audiobook
 * player Cozy). The media clocks are the audio's sample rate, so the stated length is exact there.
 */
const MOVIE_TIMESCALE = 1000;
const AUDIO_TRACK = 1;
const CHAPTER_TRACK = 2;
/** Nero's chpl counts its chapters in one byte; the QuickTime track holds any number. */
const MAX_NERO_CHAPTERS = 255;

export interface MoovInput {
  config: AacConfig;
  /** Bytes of every AAC frame, in order; they lie back to back from `audioOffset`. */
  sizes: Uint16Array;
  audioOffset: number;
  /** The chapter track's text samples (back to back from `offset`) and, in audio samples, where each starts. */
  chapters: { titles: readonly string[]; sampleSizes: number[]; offset: number; starts: number[] } | undefined;
  tags: BookTags;
  /** Adds iTunes' media kind "audiobook" (stik 2), which Apple's players file under books. */
  audiobook: boolean;
}

/**
 * The `moov` of an m4a/m4b, written once all audio is in `mdat`: an AAC track whose sample table
 * comes from the frame sizes, a QuickTime chapter text track referenced by `tref/chap`, Nero `chpl`
 * and iTunes tags in `udta`. The audio's edit list starts at media time 0, with no priming skipped:
 * the ADTS a provider sends does not say its encoder's delay, and every chunk of a join has its
 * own, so the stated duration is what a decoder gives back (all frames) and chapter times, counted
 * the same way, stay where the audio is.
 */
export function m4aMoov(input: MoovInput): Buffer {
  const samples = input.sizes.length * AAC_FRAME_SAMPLES;
  const rate = input.config.sampleRate;
  // Rounded up, so the edit list never cuts the last samples off.
  const movieDuration = Math.ceil((samples * MOVIE_TIMESCALE) / rate);
  const chapters = input.chapters && input.chapters.titles.length > 0 ? input.chapters : undefined;
  const t = timeWidth(movieDuration);
  const mvhd = fullBox('mvhd', t.version, 0, t.field(0), t.field(0), u32(MOVIE_TIMESCALE), t.field(movieDuration),
    u32(0x10000), u16(0x100), u8(...new Array<number>(10).fill(0)), UNITY_MATRIX, u32(0, 0, 0, 0, 0, 0), u32(chapters ? 3 : 2));
  return box('moov',
    mvhd,
    audioTrak(input, { samples, movieDuration, chaptered: chapters !== undefined }),
    chapters ? chapterTrak(chapters, { samples, rate, movieDuration }) : undefined,
    userData(input.tags, chapters, { rate, audiobook: input.audiobook }));
}

function audioTrak(input: MoovInput, d: { samples: number; movieDuration: number; chaptered: boolean }): Buffer {
  const { config } = input;
  const stbl = box('stbl',
    fullBox('stsd', 0, 0, u32(1), mp4aEntry(input)),
    fullBox('stts', 0, 0, u32(1, input.sizes.length, AAC_FRAME_SAMPLES)),
    ...chunkTables(input.sizes, input.audioOffset),
    // AAC needs the previous frame to decode the next: a seek decodes one frame before its target.
    fullBox('sgpd', 1, 0, fourcc('roll'), u32(2, 1), u16(0xffff)),
    fullBox('sbgp', 0, 0, fourcc('roll'), u32(1, input.sizes.length, 1)));
  const minf = box('minf', fullBox('smhd', 0, 0, u32(0)), dataInformation(), stbl);
  return box('trak',
    trackHeader({ id: AUDIO_TRACK, flags: 3, duration: d.movieDuration, alternateGroup: 1, volume: 0x100 }),
    editList(d.movieDuration),
    d.chaptered ? box('tref', box('chap', u32(CHAPTER_TRACK))) : undefined,
    box('mdia', mediaHeader(config.sampleRate, d.samples), handler('soun', 'SoundHandler'), minf));
}

function mp4aEntry(input: MoovInput): Buffer {
  const { config, sizes } = input;
  const channels = config.channels === 7 ? 8 : config.channels;
  const seconds = (sizes.length * AAC_FRAME_SAMPLES) / config.sampleRate;
  let bytes = 0;
  let largest = 0;
  for (const size of sizes) {
    bytes += size;
    largest = Math.max(largest, size);
  }
  const decoderConfig = descriptor(0x04, u8(0x40, 0x15), u8(largest >> 16, (largest >> 8) & 0xff, largest & 0xff),
    u32(peakBitrate(sizes, config.sampleRate), Math.round((bytes * 8) / seconds)), descriptor(0x05, audioSpecificConfig(config)));
  const esds = fullBox('esds', 0, 0, descriptor(0x03, u16(AUDIO_TRACK), u8(0), decoderConfig, descriptor(0x06, u8(0x02))));
  const rate16 = config.sampleRate <= 0xffff ? config.sampleRate : 0;
  return box('mp4a', u8(0, 0, 0, 0, 0, 0), u16(1), u32(0, 0), u16(channels, 16, 0, 0), u16(rate16, 0), esds);
}

/** The most bits in any one second, which esds's maxBitrate states. */
function peakBitrate(sizes: Uint16Array, rate: number): number {
  const window = Math.ceil(rate / AAC_FRAME_SAMPLES);
  let sum = 0;
  let peak = 0;
  for (let i = 0; i < sizes.length; i++) {
    sum += sizes[i]! - (i >= window ? sizes[i - window]! : 0);
    peak = Math.max(peak, sum);
  }
  return peak * 8;
}

/** An MPEG-4 descriptor with its length in the 4-byte form ffmpeg and Apple write. */
function descriptor(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  return Buffer.concat([u8(tag, 0x80 | ((n >> 21) & 0x7f), 0x80 | ((n >> 14) & 0x7f), 0x80 | ((n >> 7) & 0x7f), n & 0x7f), body]);
}

/** stsc, stsz and stco (co64 once an offset passes 4 GiB) for samples lying back to back from `offset`. */
function chunkTables(sizes: Uint16Array, offset: number): Buffer[] {
  const count = sizes.length;
  const chunks = Math.ceil(count / SAMPLES_PER_CHUNK);
  const rest = count % SAMPLES_PER_CHUNK;
  const stsc = chunks === 1 ? u32(1, 1, count, 1)
    : rest === 0 ? u32(1, 1, SAMPLES_PER_CHUNK, 1)
    : u32(2, 1, SAMPLES_PER_CHUNK, 1, chunks, rest, 1);
  const stsz = Buffer.alloc(8 + 4 * count);
  stsz.writeUInt32BE(count, 4);
  const offsets = new Float64Array(chunks);
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (i % SAMPLES_PER_CHUNK === 0) offsets[i / SAMPLES_PER_CHUNK] = at;
    stsz.writeUInt32BE(sizes[i]!, 8 + 4 * i);
    at += sizes[i]!;
  }
  return [fullBox('stsc', 0, 0, stsc), fullBox('stsz', 0, 0, stsz), chunkOffsets(offsets)];
}

function chunkOffsets(offsets: ArrayLike<number>): Buffer {
  const large = offsets.length > 0 && offsets[offsets.length - 1]! > 0xffffffff;
  const width = large ? 8 : 4;
  const body = Buffer.alloc(4 + width * offsets.length);
  body.writeUInt32BE(offsets.length, 0);
  for (let i = 0; i < offsets.length; i++) {
    if (large) body.writeBigUInt64BE(BigInt(offsets[i]!), 4 + 8 * i);
    else body.writeUInt32BE(offsets[i]!, 4 + 4 * i);
  }
  return fullBox(large ? 'co64' : 'stco', 0, 0, body);
}

/**
 * A QuickTime chapter track (what Apple's players, VLC and ffmpeg read): text, disabled for
 * playback (in the movie, not enabled), one sample per chapter lasting until the next, in the
 * audio's own timescale so a chapter starts on its exact sample.
 */
function chapterTrak(chapters: NonNullable<MoovInput['chapters']>, d: { samples: number; rate: number; movieDuration: number }): Buffer {
  const durations = chapters.starts.map((start, i) => (chapters.starts[i + 1] ?? d.samples) - start);
  const stts: number[] = [];
  for (const duration of durations) {
    if (stts.length > 0 && stts.at(-1) === duration) stts[stts.length - 2]!++;
    else stts.push(1, duration);
  }
  const stbl = box('stbl',
    fullBox('stsd', 0, 0, u32(1), textEntry()),
    fullBox('stts', 0, 0, u32(stts.length / 2, ...stts)),
    fullBox('stsc', 0, 0, u32(1, 1, durations.length, 1)),
    fullBox('stsz', 0, 0, u32(0, durations.length, ...chapters.sampleSizes)),
    chunkOffsets([chapters.offset]));
  // gmhd with a text atom (an identity matrix) is how QuickTime describes a text track's media.
  const gmhd = box('gmhd', fullBox('gmin', 0, 0, u16(0x40, 0x8000, 0x8000, 0x8000, 0, 0)), box('text', u32(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)));
  return box('trak',
    trackHeader({ id: CHAPTER_TRACK, flags: 2, duration: d.movieDuration, alternateGroup: 0, volume: 0 }),
    editList(d.movieDuration),
    box('mdia', mediaHeader(d.rate, d.samples), handler('text', 'Chapters'), box('minf', gmhd, dataInformation(), stbl)));
}

/** A QuickTime 'text' sample entry with default display, box and style, and a one-font table. */
function textEntry(): Buffer {
  return box('text',
    u8(0, 0, 0, 0, 0, 0), u16(1), // reserved, data reference 1
    u32(1), u16(0), u32(0), // display flags, justification, background colour
    u16(0, 0, 0, 0), // text box
    u16(0, 0, 1), u8(0, 0), u32(0), // style: characters 0–0, font 1, plain, default size, colour
    box('ftab', u16(1, 1), u8(0)));
}

function trackHeader(t: { id: number; flags: number; duration: number; alternateGroup: number; volume: number }): Buffer {
  const w = timeWidth(t.duration);
  return fullBox('tkhd', w.version, t.flags, w.field(0), w.field(0), u32(t.id, 0), w.field(t.duration), u32(0, 0),
    u16(0, t.alternateGroup, t.volume, 0), UNITY_MATRIX, u32(0, 0));
}

function editList(movieDuration: number): Buffer {
  const w = timeWidth(movieDuration);
  return box('edts', fullBox('elst', w.version, 0, u32(1), w.field(movieDuration), w.field(0), u32(0x10000)));
}

function mediaHeader(timescale: number, duration: number): Buffer {
  const w = timeWidth(duration);
  return fullBox('mdhd', w.version, 0, w.field(0), w.field(0), u32(timescale), w.field(duration), u16(LANGUAGE_UNDETERMINED, 0));
}

function handler(type: string, name: string): Buffer {
  return fullBox('hdlr', 0, 0, u32(0), fourcc(type), u32(0, 0, 0), Buffer.from(`${name}\0`, 'utf8'));
}

function dataInformation(): Buffer {
  return box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1)));
}

/** iTunes tags (`meta/ilst`) and Nero chapters (`chpl`, 100 ns units), which ffmpeg and many players read. */
function userData(tags: BookTags, chapters: MoovInput['chapters'], o: { rate: number; audiobook: boolean }): Buffer | undefined {
  const items = [
    textItem('©nam', tags.title),
    textItem('©ART', tags.author),
    textItem('©alb', albumOf(tags)),
    tags.track ? dataItem('trkn', 0, u16(0, tags.track.number, tags.track.total ?? 0, 0)) : undefined,
    tags.cover ? dataItem('covr', tags.cover.mime === 'image/png' ? 14 : 13, tags.cover.data) : undefined,
    o.audiobook ? dataItem('stik', 21, u8(2)) : undefined,
  ].filter((i): i is Buffer => i !== undefined);
  const meta = items.length > 0
    ? fullBox('meta', 0, 0, fullBox('hdlr', 0, 0, u32(0), fourcc('mdir'), fourcc('appl'), u32(0, 0), u8(0)), box('ilst', ...items))
    : undefined;
  const chpl = chapters ? neroChapters(chapters, o.rate) : undefined;
  return meta || chpl ? box('udta', meta, chpl) : undefined;
}

function neroChapters(chapters: NonNullable<MoovInput['chapters']>, rate: number): Buffer {
  const entries = chapters.titles.slice(0, MAX_NERO_CHAPTERS).map((title, i) => {
    const text = utf8Prefix(oneLine(title), 255);
    return Buffer.concat([u64(Math.round((chapters.starts[i]! * 10_000_000) / rate)), u8(text.length), text]);
  });
  return fullBox('chpl', 1, 0, u32(0), u8(entries.length), ...entries);
}

/** The longest prefix of `text` that fits `max` bytes of UTF-8 without cutting a character. */
function utf8Prefix(text: string, max: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return bytes;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

function textItem(key: string, value: string | undefined): Buffer | undefined {
  return value === undefined || oneLine(value) === '' ? undefined : dataItem(key, 1, Buffer.from(oneLine(value), 'utf8'));
}

/** An ilst item: its key box holding a `data` box (type: 1 UTF-8, 13 JPEG, 14 PNG, 21 integer, 0 binary). */
function dataItem(key: string, type: number, payload: Uint8Array): Buffer {
  return box(key, box('data', u32(type, 0), payload));
}
