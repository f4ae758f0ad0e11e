import { spawn } from 'node:child_process';
import { bytesReply, streamingWav, type Reply } from './fake-provider.js';

/** One request the tone provider answered: what it said, in which format, and how long it lasts. */
export interface ServedTone {
  input: string;
  format: string;
  hz: number;
  /**
   * Samples a player decodes from this audio when it sits inside a joined stream, at `sampleRate`:
   * every frame in full, priming and padding included (a join cannot trim them mid-stream), less the
   * Opus pre-skip in `preSkip`, which only the first chunk of a stream has trimmed.
   */
  samples: number;
  preSkip: number;
  sampleRate: number;
}

/** Seconds of tone per character of input: a few seconds a chapter keeps the files small. */
const SECONDS_PER_CHAR = 0.002;

/** How ffmpeg encodes a tone as each format a provider sends. */
const ENCODE: Record<string, string[]> = {
  pcm: ['-f', 's16le'],
  wav: ['-f', 's16le'],
  // A stream, as a server sends it: no Xing/LAME frame (nothing could be patched into it), so
  // every frame is decoded in full, alone or joined.
  mp3: ['-c:a', 'libmp3lame', '-b:a', '32k', '-write_xing', '0', '-f', 'mp3'],
  opus: ['-c:a', 'libopus', '-b:a', '24k', '-f', 'ogg'],
  flac: ['-c:a', 'flac', '-f', 'flac'],
  aac: ['-c:a', 'aac', '-b:a', '32k', '-f', 'adts'],
};

/**
 * A provider that serves real audio in the format asked: a sine tone, its pitch and length set by
 * the input (0.002 s a character), 24 kHz mono, encoded by ffmpeg (pcm and wav as they are, mp3
 * without a Xing frame, Ogg Opus, FLAC, ADTS AAC). Every answer is recorded in `served` with its
 * decoded length, measured by ffprobe on the bytes sent.
 */
export function toneReply(served: Map<string, ServedTone>): Reply {
  return async (req, res) => {
    const input = String(req.body['input']);
    const format = String(req.body['response_format'] ?? 'mp3');
    const args = ENCODE[format];
    if (!args) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `this test provider does not speak ${format}` } }));
      return;
    }
    const key = `${format}\0${input}`;
    const made = TONES.get(key) ?? tone(input, format, args);
    TONES.set(key, made);
    const { body, ...measured } = await made;
    served.set(input, { input, format, ...measured });
    await bytesReply(() => body, { contentType: format === 'mp3' ? 'audio/mpeg' : `audio/${format}` })(req, res);
  };
}

/** The same input in the same format is the same tone: made once per test file, as tests repeat books. */
const TONES = new Map<string, Promise<{ body: Buffer; hz: number; samples: number; preSkip: number; sampleRate: number }>>();

async function tone(input: string, format: string, args: string[]): Promise<{ body: Buffer; hz: number; samples: number; preSkip: number; sampleRate: number }> {
  const hz = 200 + (hash(input) % 60) * 20;
  const seconds = Math.max(0.25, [...input].length * SECONDS_PER_CHAR);
  const encoded = await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `sine=frequency=${hz}:duration=${seconds}:sample_rate=24000`, '-ac', '1', ...args, '-']);
  const body = format === 'wav' ? streamingWav(encoded) : encoded;
  const length = format === 'pcm' || format === 'wav' ? { samples: encoded.length / 2, preSkip: 0, sampleRate: 24_000 } : await packetLength(encoded);
  return { body, hz, ...length };
}

/**
 * Decoded samples in full, per ffprobe: each packet's duration plus the padding a decoder would
 * discard at the end of the stream (Opus's end trim), and the pre-skip the first packet asks for.
 */
async function packetLength(bytes: Buffer): Promise<{ samples: number; preSkip: number; sampleRate: number }> {
  const json = await run('ffprobe', ['-v', 'error', '-show_streams', '-show_packets', '-of', 'json', '-i', '-'], bytes);
  const probed = JSON.parse(json.toString('utf8')) as {
    streams: { sample_rate: string; time_base: string }[];
    packets: { duration: number; side_data_list?: { skip_samples?: number; discard_padding?: number }[] }[];
  };
  const stream = probed.streams[0]!;
  const sampleRate = Number(stream.sample_rate);
  const [num, den] = stream.time_base.split('/').map(Number) as [number, number];
  let ticks = 0;
  let padding = 0;
  let preSkip = 0;
  for (const packet of probed.packets) {
    ticks += packet.duration;
    for (const side of packet.side_data_list ?? []) {
      padding += side.discard_padding ?? 0;
      preSkip += side.skip_samples ?? 0;
    }
  }
  return { samples: Math.round((ticks * num * sampleRate) / den) + padding, preSkip, sampleRate };
}

const hash = (text: string): number => [...text].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);

function run(tool: string, args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`${tool}: ${Buffer.concat(err).toString()}`))));
    child.stdin.end(input);
  });
}
