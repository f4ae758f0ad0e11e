import { ProviderError } from '../errors.js';
import { readError, type Responder } from './provider-error.js';

/**
 * Decodes OpenAI's `stream_format: "sse"` body: `speech.audio.delta` events carry base64 audio, and
 * `speech.audio.done` ends it. Bytes may arrive cut anywhere (inside a line, a CRLF, a
 * UTF-8 sequence); `event:` lines, comments and a final `data: [DONE]` are tolerated.
 */
export class SseAudioDecoder {
  private pending = '';
  private readonly text = new TextDecoder('utf-8');
  private dataLines: string[] = [];
  done = false;

  private readonly provider: string;

  /** The responder's dialect reads an error event's message. */
  constructor(private readonly responder: Responder) {
    this.provider = responder.provider;
  }

  /** Feed body bytes; returns the audio they completed. */
  push(bytes: Uint8Array): Uint8Array[] {
    this.pending += this.text.decode(bytes, { stream: true });
    const audio: Uint8Array[] = [];
    let newline: number;
    while ((newline = this.pending.search(/\r\n|\r|\n/)) !== -1) {
      // A lone CR at the very end may be the first half of a CRLF still in flight.
      if (this.pending[newline] === '\r' && newline === this.pending.length - 1) break;
      const width = this.pending.startsWith('\r\n', newline) ? 2 : 1;
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + width);
      this.line(line, audio);
    }
    return audio;
  }

  /** The body ended: flush the last event if its blank line never came. */
  end(): Uint8Array[] {
    const audio: Uint8Array[] = [];
    this.pending += this.text.decode();
    if (this.pending !== '') this.line(this.pending, audio);
    this.pending = '';
    this.line('', audio);
    return audio;
  }

  private line(line: string, audio: Uint8Array[]): void {
    if (line === '') {
      if (this.dataLines.length > 0) this.event(this.dataLines.join('\n'), audio);
      this.dataLines = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.dataLines.push(value);
  }

  private event(data: string, audio: Uint8Array[]): void {
    if (data.trim() === '[DONE]') {
      this.done = true;
      return;
    }
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(data) as Record<string, unknown>;
    } catch {
      throw new ProviderError(`${this.provider} sent an SSE event that is not JSON: ${data.slice(0, 80)}`, {
        provider: this.provider,
        retryable: false,
      });
    }
    const type = event['type'];
    if (type === 'speech.audio.delta' && typeof event['audio'] === 'string') {
      audio.push(Buffer.from(event['audio'], 'base64'));
    } else if (type === 'speech.audio.done') {
      this.done = true;
    } else if (type === 'error' || event['error'] !== undefined) {
      const fields = readError(this.responder.dialect, event);
      throw new ProviderError(`${this.provider} failed mid-stream: ${fields.message ?? data.slice(0, 200)}`, {
        provider: this.provider,
        code: fields.code,
        type: fields.type,
        retryable: true,
      });
    }
  }
}
