import { ProviderError } from '../errors.js';
import { readError, type Responder } from './provider-error.js';

/**
 * The most text one event may hold. OpenAI's deltas are a few kB; a whole 4,096-character chunk of
 * pcm in one event would be about 20 MB of base64.
 */
const MAX_EVENT_CHARS = 64 * 1024 ** 2;

const LINE_END = /[\r\n]/g;

/** The first line end (CR or LF) in `text` at or after `from`, or -1. */
function lineEnd(text: string, from: number): number {
  LINE_END.lastIndex = from;
  return LINE_END.exec(text)?.index ?? -1;
}

/**
 * Decodes OpenAI's `stream_format: "sse"` body: `speech.audio.delta` events carry base64 audio, and
 * `speech.audio.done` ends it. Bytes may arrive cut anywhere (inside a line, a CRLF, a
 * UTF-8 sequence); `event:` lines, comments and a final `data: [DONE]` are tolerated.
 */
export class SseAudioDecoder {
  /** Text after the last line end, in the pieces it came in: a long line is joined once, when it ends. */
  private pending: string[] = [];
  private pendingChars = 0;
  private readonly text = new TextDecoder('utf-8');
  private dataLines: string[] = [];
  private dataChars = 0;
  done = false;

  private readonly provider: string;

  /** The responder's dialect reads an error event's message. */
  constructor(private readonly responder: Responder) {
    this.provider = responder.provider;
  }

  /** Feed body bytes; returns the audio they completed. */
  push(bytes: Uint8Array): Uint8Array[] {
    const piece = this.text.decode(bytes, { stream: true });
    const audio: Uint8Array[] = [];
    // A CR held back at the end may be the first half of a CRLF: the next piece settles it.
    const heldCr = this.pending.at(-1)?.endsWith('\r') === true;
    if (heldCr || lineEnd(piece, 0) !== -1) {
      let text = [...this.pending, piece].join('');
      let newline: number;
      while ((newline = lineEnd(text, 0)) !== -1 && !(text[newline] === '\r' && newline === text.length - 1)) {
        const width = text.startsWith('\r\n', newline) ? 2 : 1;
        this.line(text.slice(0, newline), audio);
        text = text.slice(newline + width);
      }
      this.pending = [text];
      this.pendingChars = text.length;
    } else {
      this.pending.push(piece);
      this.pendingChars += piece.length;
    }
    // A server that never ends its line or its event would otherwise grow memory until --timeout.
    if (this.pendingChars + this.dataChars > MAX_EVENT_CHARS) throw this.tooLong();
    return audio;
  }

  /** The body ended: flush the last event if its blank line never came. */
  end(): Uint8Array[] {
    const audio: Uint8Array[] = [];
    const rest = [...this.pending, this.text.decode()].join('');
    if (rest !== '') this.line(rest, audio);
    this.pending = [];
    this.pendingChars = 0;
    this.line('', audio);
    return audio;
  }

  private line(line: string, audio: Uint8Array[]): void {
    if (line === '') {
      if (this.dataLines.length > 0) this.event(this.dataLines.join('\n'), audio);
      this.dataLines = [];
      this.dataChars = 0;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      this.dataLines.push(value);
      this.dataChars += value.length;
    }
  }

  private tooLong(): ProviderError {
    return new ProviderError(`${this.provider} sent an SSE event of more than ${MAX_EVENT_CHARS / 1024 ** 2} MiB without ending it: not a speech stream`, {
      provider: this.provider,
      retryable: false,
    });
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
