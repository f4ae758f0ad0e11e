import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startModelProvider } from './model-provider.js';
import { prose } from './pipeline.js';

const BIN = fileURLToPath(new URL('../bin/tts.js', import.meta.url));

/**
 * First sound through the speaker: ALSA's file plugin stands in for the sound card, and the time
 * from the provider's first byte to the first samples reaching it is measured.
 */
export async function benchPlayback() {
  const home = mkdtempSync(join(tmpdir(), 'tts-bench-play-'));
  const heard = join(home, 'heard.wav');
  writeFileSync(join(home, '.asoundrc'), `pcm.!default {\n  type file\n  slave.pcm "null"\n  file "${heard}"\n  format "wav"\n}\n`);
  const provider = await startModelProvider({ ttfbMs: 300, msPerChar: 0.1, bytesPerChar: 200 });
  try {
    const env = { HOME: home, PATH: join(home, 'no-players'), XDG_CONFIG_HOME: join(home, 'c'), XDG_CACHE_HOME: join(home, 'cc'), OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: provider.url, CI: '1' };
    let firstSound;
    const child = spawn(process.execPath, [BIN, '--play', '--no-cache', '-q'], { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const poll = setInterval(() => {
      // Past the 44-byte header: samples have reached the sound card.
      if (firstSound === undefined && existsSync(heard) && statSync(heard).size > 44) firstSound = performance.now();
    }, 2);
    child.stdin.end(prose(3000));
    const code = await new Promise((resolve) => child.on('close', resolve));
    clearInterval(poll);
    if (code !== 0 || firstSound === undefined) {
      return [{ measure: 'first sound through the speaker', value: 'skipped', target: `(${stderr.trim().split('\n').pop() || 'no sound'})` }];
    }
    const lag = firstSound - provider.firstBytes[0];
    return [{ measure: "first sound after the provider's first byte", value: `${lag.toFixed(0)} ms`, target: '< 300 ms', ok: lag < 300 }];
  } finally {
    await provider.close();
    rmSync(home, { recursive: true, force: true });
  }
}
