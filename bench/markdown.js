import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const READER = fileURLToPath(new URL('../dist/text/markdown-to-speech.js', import.meta.url));

/** About `bytes` of Markdown that uses every construct the reader handles. */
export function sampleMarkdown(bytes) {
  const part = (i) => `## Chapter ${i}

Some *emphasis*, some **strong** words, a [link](https://example.com/${i}) and a bare https://example.com/${i} URL.
Tom &amp; Jerry &#8212; a claim[^${i}] with \`code\` and ~~struck~~ text.\\
A hard break, then <b>inline HTML</b> <!-- a comment -->.

> A quote
> > nested inside.

- one item
  - nested item
- [x] done

| Name | Value |
|------|------:|
| a${i} | ${i} |

\`\`\`js
const skipped = ${i};
\`\`\`

[^${i}]: A footnote.

`;
  const parts = [];
  let size = 0;
  for (let i = 1; size < bytes; i++) {
    const text = part(i);
    parts.push(text);
    size += Buffer.byteLength(text);
  }
  return `---\ntitle: Bench\nauthor: Nobody\n---\n\n# Book\n\n${parts.join('')}`;
}

/** In a fresh Node: the reader's import time, and one conversion of 1 MB. */
const PROBE = `
const cpu = (since) => { const d = process.cpuUsage(since); return (d.user + d.system) / 1000; };
const t0 = performance.now();
const c0 = process.cpuUsage();
const { readMarkdown } = await import(${JSON.stringify(READER)});
const t1 = performance.now();
const importCpuMs = cpu(c0);
const { sampleMarkdown } = await import(${JSON.stringify(fileURLToPath(import.meta.url))});
const source = sampleMarkdown(1024 * 1024);
const t2 = performance.now();
const c2 = process.cpuUsage();
readMarkdown(source);
const convertCpuMs = cpu(c2);
const t3 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, importCpuMs, convertMs: t3 - t2, convertCpuMs, rssMb: process.memoryUsage().rss / 2 ** 20 }));
`;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Markdown: the parser's import cost (paid only when Markdown is read) and a 1 MB file's conversion. */
export function benchMarkdown(runs = 5) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`markdown probe exited ${r.status}: ${r.stderr}`);
    samples.push(JSON.parse(r.stdout));
  }
  const ms = (key) => median(samples.map((s) => s[key]));
  const rssMb = median(samples.map((s) => s.rssMb));
  return [
    { measure: 'import the Markdown reader (median)', value: `${ms('importMs').toFixed(0)} ms`, target: '' },
    { measure: '  the same in CPU time', value: `${ms('importCpuMs').toFixed(0)} ms`, target: '' },
    { measure: '1 MB of Markdown to speech (median)', value: `${ms('convertMs').toFixed(0)} ms`, target: '' },
    { measure: '  the same in CPU time', value: `${ms('convertCpuMs').toFixed(0)} ms`, target: '' },
    { measure: 'memory after converting 1 MB', value: `${rssMb.toFixed(0)} MB`, target: '' },
  ];
}
