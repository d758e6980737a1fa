import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

// `node:http` through process.getBuiltinModule, not an import: Node makes an ES module of `node:http` by
// reading all its exports, and its WebSocket, CloseEvent and MessageEvent getters load undici (≈ 4 MiB
// of resident memory the agent does not use).
const { request: httpRequest } = process.getBuiltinModule('node:http');

/** What a chart source reads of an answer: the subset of fetch's `Response` it uses, the body already read. */
export interface HttpAnswer {
  readonly ok: boolean;
  readonly status: number;
  /** The URL that answered (after redirects). */
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface HttpRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;

/**
 * `fetch` for the agent's few plain HTTP(S) calls (chart repositories and registries, the
 * platform's check-in, the public IP lookup), over `node:http`/`node:https` and their global
 * agents. Global `fetch` loads undici on first use (its JavaScript, its WebAssembly HTTP parser):
 * ≈ 18 MiB of resident memory for the life of the process, for a few requests.
 *
 * As `fetch` does: redirects are followed (at most 20; a 303, or a 301/302 of a POST, becomes a
 * GET without body; `authorization` is not sent to another origin), a gzip, deflate or br body is
 * decoded, and a failure to connect rejects with `TypeError('fetch failed')` whose `cause` is the
 * socket's error (`code`: ECONNREFUSED, ENOTFOUND ...). The body is read before the promise resolves.
 */
export async function httpFetch(url: string, init: HttpRequestInit = {}): Promise<HttpAnswer> {
  let target = new URL(url);
  let method = (init.method ?? 'GET').toUpperCase();
  let body: string | undefined = init.body;
  // fetch's defaults (some servers refuse a request without a user agent)
  const headers: Record<string, string> = { accept: '*/*', 'user-agent': 'node' };
  for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
  for (let hop = 0; ; hop++) {
    const res = await send(target, method, headers, body, init.signal);
    const location = res.headers.location;
    if (REDIRECTS.has(res.statusCode ?? 0) && location) {
      res.resume();
      if (hop >= MAX_REDIRECTS)
        throw new TypeError('fetch failed', { cause: new Error('redirect count exceeded') });
      const next = new URL(location, target);
      if (next.origin !== target.origin) delete headers.authorization;
      const status = res.statusCode ?? 0;
      if (status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST') {
        method = 'GET';
        body = undefined;
        delete headers['content-type'];
      }
      target = next;
      continue;
    }
    const raw = method === 'HEAD' ? Buffer.alloc(0) : await readAll(res);
    const data = decode(raw, String(res.headers['content-encoding'] ?? ''));
    const status = res.statusCode ?? 0;
    const answerHeaders = res.headers;
    return {
      ok: status >= 200 && status < 300,
      status,
      url: target.toString(),
      headers: {
        get: (name) => {
          const v = answerHeaders[name.toLowerCase()];
          return v === undefined ? null : Array.isArray(v) ? v.join(', ') : String(v);
        },
      },
      text: async () => data.toString('utf8'),
      json: async () => JSON.parse(data.toString('utf8')) as unknown,
      arrayBuffer: async () =>
        data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer,
    };
  }
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  signal: AbortSignal | undefined,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      reject(new TypeError('fetch failed', { cause: new Error(`unsupported protocol ${url.protocol}`) }));
      return;
    }
    const payload = body === undefined ? undefined : Buffer.from(body);
    const h: Record<string, string | number> = { ...headers };
    if (payload) h['content-length'] = payload.length;
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method,
      headers: h,
      ...(signal ? { signal } : {}),
    });
    req.on('response', resolve);
    req.on('error', (err) =>
      reject(signal?.aborted ? (signal.reason ?? err) : new TypeError('fetch failed', { cause: err })),
    );
    req.end(payload);
  });
}

const ignore = () => undefined;

/**
 * The whole body. The listeners go once it is read: the first answer on a keep-alive TLS socket stays
 * reachable from the socket while it is open, and a listener left on it would keep the body with it.
 */
function readAll(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    const done = () => {
      res.off('data', onData);
      res.off('end', onEnd);
      res.off('error', onError);
      res.off('aborted', onAborted);
      res.on('error', ignore);
    };
    const onData = (c: Buffer) => chunks.push(c);
    const onEnd = () => {
      done();
      const data = Buffer.concat(chunks);
      chunks = [];
      resolve(data);
    };
    const onError = (err: Error) => {
      done();
      chunks = [];
      reject(new TypeError('terminated', { cause: err }));
    };
    const onAborted = () => onError(new Error('the answer was cut off'));
    res.on('data', onData);
    res.on('end', onEnd);
    res.on('error', onError);
    res.on('aborted', onAborted);
  });
}

function decode(data: Buffer, encoding: string): Buffer {
  switch (encoding.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(data);
    case 'deflate':
      return inflateSync(data);
    case 'br':
      return brotliDecompressSync(data);
    default:
      return data;
  }
}
