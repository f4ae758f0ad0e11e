import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { PlayerSink } from '../../src/playback/player-sink.js';
import { Sandbox } from '../helpers/run-tts.js';

let box: Sandbox;
beforeEach(() => {
  box = new Sandbox();
});
afterEach(() => box.cleanup());

/** Stand-in players on a PATH of their own: ffplay fails at once, mpv records what it is given. */
function players(): { env: Record<string, string | undefined>; recorded: string } {
  const bin = box.path('bin');
  mkdirSync(bin);
  const recorded = box.path('recorded.bin');
  writeFileSync(join(bin, 'ffplay'), '#!/bin/sh\nexit 1\n');
  writeFileSync(join(bin, 'mpv'), `#!/bin/sh\nexec /bin/cat > "${recorded}"\n`);
  chmodSync(join(bin, 'ffplay'), 0o755);
  chmodSync(join(bin, 'mpv'), 0o755);
  return { env: { ...box.env, PATH: bin }, recorded };
}

test('when a player dies between writes, the next gets everything once, in order', async () => {
  const { env, recorded } = players();
  const sink = new PlayerSink(env);
  // A compressed stream: the built-in speaker cannot decode it, so the system players are tried.
  sink.accept('mp3');
  const pieces = Array.from({ length: 6 }, (_, i) => Buffer.alloc(1000, 65 + i));
  for (const piece of pieces) {
    await sink.write(piece);
    // Time for the failing player to have exited before the next write reaches it.
    await new Promise((r) => setTimeout(r, 60));
  }
  await sink.commit();
  expect(sink.playerName).toBe('mpv');
  expect(readFileSync(recorded).equals(Buffer.concat(pieces))).toBe(true);
});

test('a player that cannot start at all is passed over, and with none left the error names each', async () => {
  const sink = new PlayerSink({ ...box.env, PATH: box.path('empty') });
  sink.accept('mp3');
  await expect(sink.write(Buffer.alloc(10))).rejects.toThrow(/No way to play sound here/);
});
