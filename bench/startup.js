import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/tts.js', import.meta.url));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(args, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

/** `tts --help` against a bare `node -e 0`: the target is within 250 ms. */
export function benchStartup(runs = 15) {
  const bare = time(['-e', '0'], runs);
  const help = time([BIN, '--help'], runs);
  return [
    { measure: 'node -e 0 (median)', value: `${bare.toFixed(0)} ms`, target: '' },
    { measure: 'tts --help (median)', value: `${help.toFixed(0)} ms`, target: '' },
    { measure: 'tts --help over bare node', value: `${(help - bare).toFixed(0)} ms`, target: '< 250 ms', ok: help - bare < 250 },
  ];
}
