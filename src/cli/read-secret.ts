import type { Readable, Writable } from 'node:stream';
import { InterruptedError, UsageError } from '../errors.js';

/**
 * Reads a secret from a hidden prompt on a terminal (nothing is echoed), or the first line of stdin
 * when it is piped (`pass show openai | tts config set openai.apiKey`).
 */
export async function readSecret(prompt: string, stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown }, stderr: Writable): Promise<string> {
  const value = stdin.isTTY && stdin.setRawMode ? await promptHidden(prompt, stdin as Readable & { setRawMode(raw: boolean): unknown }, stderr) : await firstLine(stdin);
  if (value.trim() === '') throw new UsageError('No value was given');
  return value.trim();
}

async function firstLine(stdin: Readable): Promise<string> {
  let text = '';
  for await (const part of stdin) {
    text += String(part);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

function promptHidden(prompt: string, stdin: Readable & { setRawMode(raw: boolean): unknown }, stderr: Writable): Promise<string> {
  // Echo goes off before the prompt shows: a key typed or pasted the instant it appears is not echoed.
  stdin.setRawMode(true);
  stderr.write(prompt);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (error?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (data: Buffer): void => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003') return done(new InterruptedError());
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on('data', onData);
  });
}
