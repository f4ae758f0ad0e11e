import { synthesize } from '../dist/local-voice/synthesize.js';
import { prose } from './pipeline.js';

/** Seconds of speech the built-in voice makes per second of CPU (all threads of this process). */
export async function benchLocalVoice() {
  const text = prose(2000);
  await synthesize('Warm up.', { voice: 'en-us', speed: 1, sampleRate: 24_000, signal: new AbortController().signal });
  const cpu = process.cpuUsage();
  const started = performance.now();
  const pcm = await synthesize(text, { voice: 'en-us', speed: 1, sampleRate: 24_000, signal: new AbortController().signal });
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const audioSeconds = pcm.length / 2 / 24_000;
  return [
    { measure: `built-in voice, ${text.length} characters`, value: `${audioSeconds.toFixed(0)} s audio`, target: '' },
    { measure: '  seconds of audio per second of CPU', value: `${(audioSeconds / cpuSeconds).toFixed(0)}x`, target: '' },
    { measure: '  wall time for it', value: `${((performance.now() - started) / 1000).toFixed(2)} s`, target: '' },
  ];
}
