import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, createReadStream, existsSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { ownDescriptor } from '../../src/output/output-target.js';
import { fakePcm, type FakeProvider } from '../helpers/fake-provider.js';
import { runTts, type Sandbox, useFakeProvider } from '../helpers/run-tts.js';
import { deadPid, deviceNode, isRoot, mountTmpfs, partFiles, startTts, unmount } from '../helpers/spawn-bin.js';

let fake: FakeProvider;
let box: Sandbox;
useFakeProvider((f, b) => ((fake = f), (box = b)));

const env = () => ({ ...box.env, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url });
const TEXT = 'Written where the user points.';
const pcm = fakePcm(TEXT);
const collect = async (stream: Readable): Promise<Buffer> => {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
};

describe('-o naming something that is not a regular file is written into, never replaced', () => {
  test('a character device: /dev/null takes the audio and stays a device', async () => {
    const device = deviceNode(box.dir, 'null');
    const r = await startTts([TEXT, '-o', device, '-F', 'pcm'], { env: env() }).done;
    expect(r.stderr).toMatch(/0:00 of pcm/);
    expect(r.code).toBe(0);
    expect(statSync(device).isCharacterDevice()).toBe(true);
    expect(partFiles(box.dir)).toEqual([]);
  });

  test('a full device: the disk-full message, exit 5, and the device still a device', async () => {
    const device = deviceNode(box.dir, 'full');
    const r = await startTts([TEXT, '-o', device], { env: env() }).done;
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/Cannot write .*full: the disk is full \(ENOSPC\)/);
    expect(r.stderr).not.toMatch(/ at .*\.js:\d+/);
    expect(statSync(device).isCharacterDevice()).toBe(true);
  });

  test('this process\'s stdout by name (/proc/self/fd/1, or a link to /dev/stdout) is the same as -o -', async () => {
    symlinkSync('/dev/stdout', box.path('to-stdout'));
    for (const name of ['/proc/self/fd/1', box.path('to-stdout')]) {
      const r = await startTts([TEXT, '-o', name, '-F', 'pcm'], { env: env() }).done;
      expect(r.code).toBe(0);
      expect(r.stdout.equals(pcm)).toBe(true);
    }
    expect(lstatSync(box.path('to-stdout')).isSymbolicLink()).toBe(true);
  });

  test('a descriptor the shell opened, as -o >(cmd) passes it (/dev/fd/3)', async () => {
    const run = startTts([TEXT, '-o', '/dev/fd/3', '-F', 'pcm'], { env: env(), stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    const received = collect(run.child.stdio[3] as Readable);
    const r = await run.done;
    expect(r.stderr).toMatch(/0:00 of pcm/);
    expect(r.code).toBe(0);
    expect((await received).equals(pcm)).toBe(true);
  });

  test('a file the shell opened for appending keeps what it held: the audio goes after it', async () => {
    writeFileSync(box.path('log.pcm'), 'before|');
    const fd = openSync(box.path('log.pcm'), 'a');
    const r = await startTts([TEXT, '-o', '/dev/fd/3', '-F', 'pcm'], { env: env(), stdio: ['pipe', 'pipe', 'pipe', fd] }).done;
    closeSync(fd);
    expect(r.code).toBe(0);
    expect(readFileSync(box.path('log.pcm')).equals(Buffer.concat([Buffer.from('before|'), pcm]))).toBe(true);
  });

  test('a named pipe: its reader gets the audio, and it stays a pipe', async () => {
    expect(spawnSync('mkfifo', [box.path('fifo')]).status).toBe(0);
    const received = collect(createReadStream(box.path('fifo')));
    const r = await startTts([TEXT, '-o', box.path('fifo'), '-F', 'pcm'], { env: env() }).done;
    expect(r.code).toBe(0);
    expect((await received).equals(pcm)).toBe(true);
    expect(lstatSync(box.path('fifo')).isFIFO()).toBe(true);
  });

  test('a folder is written into, never replaced: one file named after the input', async () => {
    const r = await runTts([TEXT, '-o', box.dir, '-F', 'pcm'], { env: env() });
    expect(r.code).toBe(0);
    expect(statSync(box.dir).isDirectory()).toBe(true);
    expect(statSync(box.path('speech.pcm')).size).toBeGreaterThan(0);
  });

  test.skipIf(!isRoot)('a block device (a disk) is refused before any request, and left as it was', async () => {
    // A node of our own for the loop device: nothing is ever written through it.
    expect(spawnSync('mknod', [box.path('disk'), 'b', '7', '0']).status).toBe(0);
    const r = await runTts([TEXT, '-o', box.path('disk')], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Not writing audio over .*disk: it is a block device/);
    expect(statSync(box.path('disk')).isBlockDevice()).toBe(true);
    expect(fake.requests).toHaveLength(0);
  });

  test.each([
    ['/dev/stdout', 1],
    ['/dev/fd/63', 63],
    ['/proc/self/fd/4', 4],
    ['/proc/thread-self/fd/5', 5],
    [`/proc/${process.pid}/fd/6`, 6],
    ['/proc/1/fd/1', undefined],
    ['/dev/fdx/1', undefined],
    ['/tmp/fd/1', undefined],
  ])('%s names our own descriptor %s', (path, fd) => {
    expect(ownDescriptor(path)).toBe(fd);
  });
});

describe('a regular file is replaced atomically, as the user had it', () => {
  test('through a symbolic link: the target gets the audio, the link stays a link', async () => {
    writeFileSync(box.path('real.pcm'), 'old');
    symlinkSync('real.pcm', box.path('link.pcm'));
    const r = await runTts([TEXT, '-o', box.path('link.pcm')], { env: env() });
    expect(r.code).toBe(0);
    expect(readlinkSync(box.path('link.pcm'))).toBe('real.pcm');
    expect(readFileSync(box.path('real.pcm')).equals(pcm)).toBe(true);
  });

  test('a link to nothing yet: the file is made where it points', async () => {
    mkdirSync(box.path('audio'));
    symlinkSync('audio/new.pcm', box.path('dangling.pcm'));
    expect((await runTts([TEXT, '-o', box.path('dangling.pcm')], { env: env() })).code).toBe(0);
    expect(lstatSync(box.path('dangling.pcm')).isSymbolicLink()).toBe(true);
    expect(readFileSync(box.path('audio/new.pcm')).equals(pcm)).toBe(true);
  });

  test('an existing 0600 file stays 0600', async () => {
    writeFileSync(box.path('private.pcm'), 'old');
    chmodSync(box.path('private.pcm'), 0o600);
    expect((await runTts([TEXT, '-o', box.path('private.pcm')], { env: env() })).code).toBe(0);
    expect(statSync(box.path('private.pcm')).mode & 0o777).toBe(0o600);
    expect(readFileSync(box.path('private.pcm')).equals(pcm)).toBe(true);
  });

  test.skipIf(isRoot)('a file the user may not write is refused, as > would refuse it', async () => {
    writeFileSync(box.path('locked.pcm'), 'old');
    chmodSync(box.path('locked.pcm'), 0o444);
    const r = await runTts([TEXT, '-o', box.path('locked.pcm')], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/permission denied/);
    expect(readFileSync(box.path('locked.pcm'), 'utf8')).toBe('old');
  });
});

describe('the text being read is never the output', () => {
  const refused = (r: { code: number; stderr: string }) => {
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Not writing the audio to .*: it is the text being read/);
    expect(fake.requests).toHaveLength(0);
    expect(readFileSync(box.path('notes.txt'), 'utf8')).toBe('My notes.');
  };

  test('the same path, a symbolic link, a hard link, another spelling', async () => {
    writeFileSync(box.path('notes.txt'), 'My notes.');
    symlinkSync('notes.txt', box.path('notes-link.txt'));
    linkSync(box.path('notes.txt'), box.path('notes-hard.txt'));
    for (const output of ['notes.txt', 'notes-link.txt', 'notes-hard.txt', 'audio/../notes.txt']) {
      mkdirSync(box.path('audio'), { recursive: true });
      refused(await runTts(['-f', box.path('notes.txt'), '-o', box.path(output), '-F', 'mp3'], { env: env() }));
    }
  });

  test('stdin redirected from the output file', async () => {
    writeFileSync(box.path('notes.txt'), 'My notes.');
    const fd = openSync(box.path('notes.txt'), 'r');
    const r = await startTts(['-o', box.path('notes.txt'), '-F', 'mp3'], { env: env(), stdio: [fd, 'pipe', 'pipe'] }).done;
    closeSync(fd);
    refused(r);
  });

  test('the lexicon being read is never the output either', async () => {
    writeFileSync(box.path('words.txt'), 'tts = text to speech\n');
    const r = await runTts(['Say tts.', '--lexicon', box.path('words.txt'), '-o', box.path('words.txt'), '-F', 'mp3'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Not writing the audio to .*words\.txt: it is the lexicon being read/);
    expect(fake.requests).toHaveLength(0);
    expect(readFileSync(box.path('words.txt'), 'utf8')).toBe('tts = text to speech\n');
  });

  test('into a folder, an output named after its input is never that input: nothing is written', async () => {
    // A text file whose name is what its audio would be called: talk.mp3 in, talk.mp3 out.
    writeFileSync(box.path('talk.mp3'), 'Words, not audio.');
    writeFileSync(box.path('other.txt'), 'Another file.');
    const r = await runTts(['-f', box.path('talk.mp3'), box.path('other.txt'), '-o', `${box.dir}/`], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Not writing the audio to .*talk\.mp3: it is the text being read/);
    expect(fake.requests).toHaveLength(0);
    expect(readFileSync(box.path('talk.mp3'), 'utf8')).toBe('Words, not audio.');
    expect(existsSync(box.path('other.mp3'))).toBe(false);
  });

  test('subtitles are never written over the text by another name (a link)', async () => {
    writeFileSync(box.path('notes.txt'), 'My notes.');
    symlinkSync('notes.txt', box.path('notes.srt'));
    const r = await runTts(['-f', box.path('notes.txt'), '-o', box.path('notes.mp3'), '--subtitles', box.path('notes.srt')], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Not writing the subtitles to .*notes\.srt: it is the text being read/);
    expect(fake.requests).toHaveLength(0);
    expect(readFileSync(box.path('notes.txt'), 'utf8')).toBe('My notes.');
  });
});

describe('a full disk: the disk is full, exit 5, nothing left behind', () => {
  // Three chunks of about 190 kB of audio each: the output outgrows a small limit, a chunk does not.
  const long = Array.from({ length: 150 }, (_, i) => `Sentence number ${i} of a text that is long enough to need several chunks.`).join(' ');

  test('a file size limit (EFBIG) while the output grows: the old file untouched, no part file', async () => {
    writeFileSync(box.path('book.pcm'), 'old audio');
    writeFileSync(box.path('book.txt'), long);
    // bash's ulimit -f counts KiB: 256 KiB for any one file.
    const via = ['bash', '-c', 'ulimit -f 256; exec "$@"', 'bash'];
    const r = await startTts(['-f', box.path('book.txt'), '-o', box.path('book.pcm')], { env: env(), via }).done;
    expect(r.stderr).toMatch(/Cannot write .*book\.pcm: the file is larger than the disk or the limits allow \(EFBIG\)/);
    expect(r.code).toBe(5);
    expect(readFileSync(box.path('book.pcm'), 'utf8')).toBe('old audio');
    expect(partFiles(box.dir)).toEqual([]);
  });

  test('a full file system (a 64 KiB tmpfs, where this machine lets us mount one)', async (context) => {
    mkdirSync(box.path('small'));
    if (!mountTmpfs(box.path('small'), 64)) return context.skip();
    try {
      writeFileSync(box.path('small/book.pcm'), 'old audio');
      writeFileSync(box.path('book.txt'), long);
      const r = await startTts(['-f', box.path('book.txt'), '-o', box.path('small/book.pcm')], { env: env() }).done;
      expect(r.stderr).toMatch(/Cannot write .*book\.pcm: the disk is full \(ENOSPC\)\n {2}hint: Free some space/);
      expect(r.code).toBe(5);
      expect(readFileSync(box.path('small/book.pcm'), 'utf8')).toBe('old audio');
      expect(partFiles(box.path('small'))).toEqual([]);
    } finally {
      unmount(box.path('small'));
    }
  });

  test.for([
    ['the cache folder', [], 'XDG_CACHE_HOME'],
    ['the temporary folder (--no-cache)', ['--no-cache'], 'TMPDIR'],
  ] as const)('a full disk where chunks wait, %s: named as such, not as the output; the output untouched', async ([, flags, variable], context) => {
    mkdirSync(box.path('small'));
    if (!mountTmpfs(box.path('small'), 64)) return context.skip();
    try {
      writeFileSync(box.path('book.pcm'), 'old audio');
      writeFileSync(box.path('book.txt'), long);
      const r = await startTts(['-f', box.path('book.txt'), '-o', box.path('book.pcm'), ...flags], { env: { ...env(), [variable]: box.path('small') } }).done;
      expect(r.stderr).toMatch(new RegExp(`Cannot write a chunk's audio in ${box.path('small')}/\\S+: the disk is full \\(ENOSPC\\)\\n {2}hint: .*cache folder.*--no-cache`));
      expect(r.stderr).not.toMatch(/write the audio somewhere else/);
      expect(r.code).toBe(5);
      expect(readFileSync(box.path('book.pcm'), 'utf8')).toBe('old audio');
      expect(partFiles(box.dir)).toEqual([]);
    } finally {
      unmount(box.path('small'));
    }
  });

  test('stdout on a full device: a clear message and exit 5, no stack trace', async () => {
    const fd = openSync(deviceNode(box.dir, 'full'), 'w');
    const r = await startTts([TEXT, '-o', '-'], { env: env(), stdio: ['pipe', fd, 'pipe'] }).done;
    closeSync(fd);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^tts: Cannot write stdout: the disk is full \(ENOSPC\)\n/);
    expect(r.stderr).not.toMatch(/ at .*\.js:\d+/);
  });
});

describe('parts of an output left by a killed run', () => {
  const hourAgo = new Date(Date.now() - 3600_000);
  const part = (name: string, age = hourAgo): string => {
    writeFileSync(box.path(name), 'partial');
    utimesSync(box.path(name), age, age);
    return name;
  };

  test('are swept by the next run; parts of a live run, a young part and other outputs\' parts stay', async () => {
    const dead = deadPid();
    const gone = [part(`.out.pcm.${dead}.0123abcd.part`), part('.out.pcm.89abcdef.part')];
    const kept = [
      part(`.out.pcm.${process.pid}.cafebabe.part`),
      part('.out.pcm.deadbeef.part', new Date()),
      part(`.other.pcm.${dead}.0123abcd.part`),
      part(`.out.pcm.${dead}.notours.part`),
    ];
    expect((await runTts([TEXT, '-o', box.path('out.pcm')], { env: env() })).code).toBe(0);
    const left = partFiles(box.dir).map((p) => p.slice(box.dir.length + 1));
    expect(left.sort()).toEqual(kept.sort());
    expect(left).not.toContain(gone[0]);
  });
});
