import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { createHttpClient, type HttpClient } from '../../src/http/http-client.js';

/** A server on 127.0.0.1 that counts the connections it was opened and how many were open at once. */
class CountingServer {
  connections = 0;
  open = 0;
  mostOpen = 0;
  readonly sockets = new Set<Socket>();
  private constructor(readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.connections++;
      this.mostOpen = Math.max(this.mostOpen, ++this.open);
      this.sockets.add(socket);
      socket.on('close', () => (this.open--, this.sockets.delete(socket)));
    });
  }

  static async start(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<CountingServer> {
    const server = new CountingServer(createServer(handler));
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const read = async (body: AsyncIterable<Uint8Array>): Promise<Buffer> => {
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts);
};

let server: CountingServer | undefined;
let client: HttpClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = server = undefined;
});

const get = (path: string, signal = new AbortController().signal) => client!.request({ origin: server!.origin, path, headers: {}, method: 'GET', signal });

describe('the HTTP client on Node’s own http', () => {
  test('sends the method, headers and body, and gives back status, headers and body', async () => {
    server = await CountingServer.start(async (req, res) => {
      const body = await read(req);
      res.writeHead(201, { 'x-echo-length': String(req.headers['content-length']), 'x-seen': `${req.method} ${req.url} ${req.headers['x-key']}` });
      res.end(body.toString('utf8').toUpperCase());
    });
    client = createHttpClient({ connections: 1 });
    const response = await client.request({ origin: server.origin, path: '/v1/audio/speech?a=1', headers: { 'x-key': 'k1' }, method: 'POST', body: 'héllo', signal: new AbortController().signal });
    expect(response.status).toBe(201);
    expect(response.headers['x-seen']).toBe('POST /v1/audio/speech?a=1 k1');
    expect(response.headers['x-echo-length']).toBe('6');
    expect((await read(response.body)).toString('utf8')).toBe('HÉLLO');
  });

  test('one connection serves requests one after another, and `connections` bounds those in parallel', async () => {
    server = await CountingServer.start((_req, res) => setTimeout(() => res.end('ok'), 20));
    client = createHttpClient({ connections: 1 });
    for (let i = 0; i < 4; i++) expect((await read((await get('/')).body)).toString()).toBe('ok');
    expect(server.connections).toBe(1);
    await client.close();

    client = createHttpClient({ connections: 3 });
    const bodies = await Promise.all(Array.from({ length: 9 }, async () => read((await get('/')).body)));
    expect(bodies.map(String)).toEqual(Array(9).fill('ok'));
    expect(server.mostOpen).toBe(3);
  });

  test('a reader that waits holds the server back: the body is not buffered ahead of it', async () => {
    const total = 64 * 1024 * 1024;
    let written = 0;
    server = await CountingServer.start((_req, res) => {
      const piece = Buffer.alloc(64 * 1024, 1);
      const pump = (): void => {
        while (written < total) {
          written += piece.length;
          if (!res.write(piece)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    client = createHttpClient({ connections: 1 });
    const response = await get('/');
    const iterator = response.body[Symbol.asyncIterator]();
    let received = (await iterator.next()).value!.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Socket buffers on both sides hold a few megabytes at most; the server waits on the rest.
    expect(written).toBeLessThan(16 * 1024 * 1024);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) received += next.value.length;
    expect(received).toBe(total);
  });

  test('an abort ends the request, and a body being read throws; the connection is closed', async () => {
    server = await CountingServer.start((_req, res) => {
      res.writeHead(200);
      res.write('first part');
    });
    client = createHttpClient({ connections: 1 });
    const abort = new AbortController();
    const response = await get('/', abort.signal);
    const reading = read(response.body);
    setTimeout(() => abort.abort(), 20);
    await expect(reading).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.open).toBe(0);

    const never = new AbortController();
    never.abort();
    await expect(get('/', never.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });

  test('a connection that breaks mid-body throws from the body, with a code the error mapping knows', async () => {
    server = await CountingServer.start((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(100));
      setTimeout(() => res.destroy(), 10);
    });
    client = createHttpClient({ connections: 1 });
    await expect(read((await get('/')).body)).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  test('a refused connection rejects the request with its code', async () => {
    server = await CountingServer.start(() => undefined);
    const origin = server.origin;
    await server.close();
    server = undefined;
    client = createHttpClient({ connections: 1 });
    await expect(client.request({ origin, path: '/', headers: {}, method: 'GET', signal: new AbortController().signal })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  test('close() ends the kept-alive connections', async () => {
    server = await CountingServer.start((_req, res) => res.end('ok'));
    client = createHttpClient({ connections: 2 });
    await read((await get('/')).body);
    expect(server.open).toBe(1);
    await client.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.open).toBe(0);
  });
});
