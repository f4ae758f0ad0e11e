import type { Agent, AgentOptions, ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import type { RequestTarget } from './request-target.js';
import type { HeaderBag } from './retry-policy.js';

/** One request: where it goes (see requestTarget), what it carries, and what aborts it. */
export interface HttpRequest extends RequestTarget {
  method: 'GET' | 'POST';
  body?: string | undefined;
  /** Aborts the request, and the reading of its body: Ctrl-C, or the request's deadline. */
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: HeaderBag;
  /**
   * The body as it arrives. Reading is what pulls it: while the reader awaits, the socket is not
   * read and the server is held back. A connection that breaks mid-body throws here.
   */
  body: AsyncIterable<Uint8Array>;
  /** Stops reading early; the connection is closed rather than reused. */
  destroy(): void;
}

/** Sends requests over kept-alive connections; `close` ends them all. */
export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

export interface HttpClientOptions {
  /** Connections to one server at most; more requests wait for one to be free. */
  connections: number;
}

/** What tts uses of Node's `http` or `https`: the same for plain and TLS connections. */
interface HttpModule {
  Agent: new (options: AgentOptions) => Agent;
  request(url: URL, options: RequestOptions, onResponse: (response: IncomingMessage) => void): ClientRequest;
}

/**
 * Node's http or https module, as CommonJS. An ESM import of `node:http` costs 50-75 ms on Node 22
 * and 24: its ESM facade reads every export, and a few of them are getters that load Node's own
 * copy of undici (for WebSocket and the like). `https` (and TLS) is loaded only for an https URL.
 */
const httpModule = (protocol: string): HttpModule =>
  protocol === 'https:' ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http');

/**
 * An HTTP client on Node's own `http` and `https`. They are built into Node and load in ~10 ms,
 * where importing undici took ~150 ms, as long as Node's own start, on Node 20, 22 and 24 alike
 * (the compile cache does not help: the time goes in running its modules). Their HTTP parser is
 * native, so no WebAssembly is left compiling when the run ends.
 */
export function createHttpClient({ connections }: HttpClientOptions): HttpClient {
  const agents = new Map<string, { agent: Agent; send: HttpModule['request'] }>();
  const agentFor = (protocol: string): { agent: Agent; send: HttpModule['request'] } => {
    let made = agents.get(protocol);
    if (made === undefined) {
      const module = httpModule(protocol);
      made = { agent: new module.Agent({ keepAlive: true, maxSockets: connections }), send: module.request };
      agents.set(protocol, made);
    }
    return made;
  };
  return {
    request(request) {
      const url = new URL(request.path, request.origin);
      const { agent, send } = agentFor(url.protocol);
      return sendRequest(request, (options, onResponse) => send(url, { ...options, agent }, onResponse));
    },
    async close() {
      for (const { agent } of agents.values()) agent.destroy();
      agents.clear();
    },
  };
}

type Send = (options: RequestOptions, onResponse: (response: IncomingMessage) => void) => ClientRequest;

function sendRequest(request: HttpRequest, send: Send): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
    let sent: ClientRequest;
    try {
      sent = send({ method: request.method, headers, signal: request.signal }, (response) =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: response, destroy: () => response.destroy() }),
      );
    } catch (error) {
      // A header value Node refuses (ERR_INVALID_CHAR) throws here, before anything is sent.
      reject(error);
      return;
    }
    // Before the response, a failure rejects the request; after it, the body's reader sees it.
    sent.on('error', reject);
    sent.end(request.body);
  });
}
