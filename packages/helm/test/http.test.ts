import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFetch } from '../src/http.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Two real HTTP servers (two origins): `a` redirects to itself and to `b`. */
let a: Server;
let b: Server;
let aUrl: string;
let bUrl: string;
const seen: Seen[] = [];

function serve(handler: (s: Seen, res: import('node:http').ServerResponse) => void): Promise<Server> {
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      handler(s, res);
    });
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

beforeAll(async () => {
  b = await serve((s, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ origin: 'b', path: s.url }));
  });
  bUrl = `http://127.0.0.1:${(b.address() as AddressInfo).port}`;
  a = await serve((s, res) => {
    if (s.url === '/to-b') return void res.writeHead(302, { location: `${bUrl}/landed` }).end();
    if (s.url === '/here') return void res.writeHead(301, { location: '/index.yaml' }).end();
    if (s.url === '/see-other') return void res.writeHead(303, { location: '/index.yaml' }).end();
    if (s.url === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
    if (s.url === '/gz') {
      res.writeHead(200, { 'content-encoding': 'gzip', etag: '"v1"' });
      return void res.end(gzipSync('entries: {}\n'));
    }
    if (s.url === '/missing') return void res.writeHead(404).end('no such file');
    res.writeHead(200, { 'content-type': 'text/yaml', 'x-one': 'first' });
    res.end(s.method === 'HEAD' ? undefined : `${s.method} ${s.url} ${s.body}`);
  });
  aUrl = `http://127.0.0.1:${(a.address() as AddressInfo).port}`;
});

afterAll(() => {
  a.close();
  b.close();
});

describe('httpFetch', () => {
  it('answers status, headers and body as fetch does, with its default headers', async () => {
    const res = await httpFetch(`${aUrl}/index.yaml`, { headers: { Accept: 'text/yaml' } });
    expect(res.ok).toBe(true);
    expect(res.status).toBe(200);
    expect(res.headers.get('X-One')).toBe('first');
    expect(res.headers.get('x-absent')).toBeNull();
    expect(await res.text()).toBe('GET /index.yaml ');
    expect(seen.at(-1)?.headers).toMatchObject({ accept: 'text/yaml', 'user-agent': 'node' });
    const missing = await httpFetch(`${aUrl}/missing`);
    expect([missing.ok, missing.status, await missing.text()]).toEqual([false, 404, 'no such file']);
  });

  it('follows redirects; authorization is not sent to another origin', async () => {
    const same = await httpFetch(`${aUrl}/here`, { headers: { authorization: 'Basic c2VjcmV0' } });
    expect(same.url).toBe(`${aUrl}/index.yaml`);
    expect(seen.at(-1)?.headers.authorization).toBe('Basic c2VjcmV0');
    const other = await httpFetch(`${aUrl}/to-b`, { headers: { authorization: 'Basic c2VjcmV0' } });
    expect(await other.json()).toEqual({ origin: 'b', path: '/landed' });
    expect(seen.at(-1)?.headers.authorization).toBeUndefined();
    const post = await httpFetch(`${aUrl}/see-other`, { method: 'POST', body: '{"a":1}' });
    expect(await post.text()).toBe('GET /index.yaml ');
    await expect(httpFetch(`${aUrl}/loop`)).rejects.toThrow('fetch failed');
  });

  it('sends a body, reads HEAD without one, decodes gzip', async () => {
    const post = await httpFetch(`${aUrl}/check-in`, { method: 'POST', body: '{"n":1}' });
    expect(await post.text()).toBe('POST /check-in {"n":1}');
    expect(seen.at(-1)?.headers['content-length']).toBe('7');
    const head = await httpFetch(`${aUrl}/index.yaml`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
    const gz = await httpFetch(`${aUrl}/gz`);
    expect(await gz.text()).toBe('entries: {}\n');
    expect(Buffer.from(await gz.arrayBuffer()).toString()).toBe('entries: {}\n');
    expect(gz.headers.get('etag')).toBe('"v1"');
  });

  it("rejects as fetch does when nothing answers: TypeError('fetch failed') with the socket's error as cause", async () => {
    const closed = await serve(() => undefined);
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const err = (await httpFetch(`http://127.0.0.1:${port}/index.yaml`).catch(
      (e: unknown) => e,
    )) as TypeError & {
      cause?: { code?: string };
    };
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toBe('fetch failed');
    expect(err.cause?.code).toBe('ECONNREFUSED');
  });

  it('rejects with the signal reason when aborted', async () => {
    const hang = await serve(() => undefined);
    const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/slow`;
    const err = (await httpFetch(url, { signal: AbortSignal.timeout(100) }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(err.name).toBe('TimeoutError');
    hang.closeAllConnections();
    hang.close();
  });
});
