import type { Agent as HttpAgentType, IncomingMessage } from 'node:http';
import { type ClientHttp2Session, connect as http2Connect } from 'node:http2';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import { type Credentials, credentialsOf, forgetExecCredential } from './credentials.ts';
import { KubeApiError, statusBody } from './errors.ts';
import type { KubeConfig } from './kubeConfig.ts';

// `node:http` through process.getBuiltinModule, not an import: Node makes an ES module of `node:http` by
// reading all its exports, and its WebSocket, CloseEvent and MessageEvent getters load undici (≈ 4 MiB
// of resident memory the agent does not use).
const { Agent: HttpAgent, request: httpRequest } = process.getBuiltinModule('node:http');

export type Query = Record<string, string | number | boolean | undefined>;

export interface KubeRequest {
  method?: string;
  /** Path below the server (`/api/v1/namespaces`), without the query. */
  path: string;
  query?: Query;
  /** Sent as JSON (or as is when a string or Buffer). */
  body?: unknown;
  /** Default `application/json` when there is a body. */
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** `path?k=v&...` with the defined values, in the given order (pure). */
export function withQuery(path: string, query?: Query): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

interface Pool {
  creds: Credentials;
  agent: HttpsAgent | HttpAgentType;
  /**
   * The TLS context (CA, client certificate and key) every connection of the pool shares. Without it
   * each new TLS connection builds its own (≈ 35 KiB of OpenSSL memory each, held while it is open:
   * every watch keeps one).
   */
  tls?: SecureContext;
  /** The HTTP/2 connection, when the kubeconfig asks for HTTP/2 (opened on first use). */
  h2?: ClientHttp2Session;
}

const pools = new WeakMap<KubeConfig, Map<string, Pool>>();

const sameBuf = (a?: Buffer, b?: Buffer) => (a && b ? a.equals(b) : a === b);

/** One keep-alive connection pool per kubeconfig and TLS identity. */
function poolFor(kc: KubeConfig, creds: Credentials): Pool {
  let byContext = pools.get(kc);
  if (!byContext) {
    byContext = new Map();
    pools.set(kc, byContext);
  }
  const key = `${kc.getCurrentContext()}|${creds.server}`;
  const p = byContext.get(key);
  if (
    p &&
    sameBuf(p.creds.ca, creds.ca) &&
    sameBuf(p.creds.cert, creds.cert) &&
    sameBuf(p.creds.key, creds.key) &&
    p.creds.rejectUnauthorized === creds.rejectUnauthorized &&
    p.creds.servername === creds.servername
  ) {
    p.creds = creds;
    return p;
  }
  p?.agent.destroy();
  p?.h2?.close();
  const secure = creds.server.startsWith('https:');
  const tls = secure ? secureContextOf(creds) : undefined;
  const agent = secure
    ? new HttpsAgent({
        keepAlive: true,
        ...(creds.ca ? { ca: creds.ca } : {}),
        ...(creds.cert ? { cert: creds.cert } : {}),
        ...(creds.key ? { key: creds.key } : {}),
        ...(tls ? { secureContext: tls } : {}),
        ...(creds.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
        ...(creds.servername ? { servername: creds.servername } : {}),
      })
    : new HttpAgent({ keepAlive: true });
  const fresh: Pool = { creds, agent, ...(tls ? { tls } : {}) };
  byContext.set(key, fresh);
  return fresh;
}

/** One TLS context for the credentials' CA and client certificate (undefined when they have none). */
function secureContextOf(creds: Credentials): SecureContext | undefined {
  if (!creds.ca && !creds.cert && !creds.key) return undefined;
  return createSecureContext({
    ...(creds.ca ? { ca: creds.ca } : {}),
    ...(creds.cert ? { cert: creds.cert } : {}),
    ...(creds.key ? { key: creds.key } : {}),
  });
}

/**
 * Fills Node request options for the current cluster, as `@kubernetes/client-node`'s
 * `applyToHTTPSOptions` does: TLS material, the Authorization header and the kubeconfig's
 * keep-alive connection pool (`agent`).
 */
export async function applyToHTTPSOptions(kc: KubeConfig, opts: RequestOptions): Promise<void> {
  const creds = await credentialsOf(kc);
  const pool = poolFor(kc, creds);
  if (creds.ca) opts.ca = creds.ca;
  if (creds.cert) opts.cert = creds.cert;
  if (creds.key) opts.key = creds.key;
  if (creds.rejectUnauthorized === false) opts.rejectUnauthorized = false;
  if (creds.servername) opts.servername = creds.servername;
  // connections made outside the pool (upgrades) share its TLS context too
  if (pool.tls) (opts as RequestOptions & { secureContext?: SecureContext }).secureContext = pool.tls;
  opts.headers = {
    ...(opts.headers ?? {}),
    ...(creds.authorization ? { authorization: creds.authorization } : {}),
  };
  opts.agent = pool.agent as HttpsAgent;
}

async function send(kc: KubeConfig, r: KubeRequest): Promise<IncomingMessage> {
  const creds = await credentialsOf(kc);
  const pool = poolFor(kc, creds);
  const url = new URL(creds.server + withQuery(r.path, r.query));
  const headers: Record<string, string | number> = { accept: 'application/json', ...(r.headers ?? {}) };
  if (creds.authorization) headers.authorization = creds.authorization;
  let payload: Buffer | undefined;
  if (r.body !== undefined) {
    payload = Buffer.isBuffer(r.body)
      ? r.body
      : Buffer.from(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
    headers['content-type'] = r.contentType ?? 'application/json';
    headers['content-length'] = payload.length;
  }
  const secure = url.protocol === 'https:';
  if (kc.http2 && secure) return sendH2(pool, url, r.method ?? 'GET', headers, payload, r.signal);
  const fn = secure ? httpsRequest : httpRequest;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = fn(url, {
      method: r.method ?? 'GET',
      headers,
      agent: pool.agent,
      ...(r.signal ? { signal: r.signal } : {}),
    });
    req.on('response', resolve);
    req.on('error', reject);
    req.end(payload);
  });
}

/** The pool's HTTP/2 session, opened again when it was closed or failed. */
function sessionOf(pool: Pool, origin: string): ClientHttp2Session {
  if (pool.h2 && !pool.h2.closed && !pool.h2.destroyed) return pool.h2;
  const c = pool.creds;
  const session = http2Connect(origin, {
    ...(pool.tls ? { secureContext: pool.tls } : {}),
    ...(c.ca ? { ca: c.ca } : {}),
    ...(c.cert ? { cert: c.cert } : {}),
    ...(c.key ? { key: c.key } : {}),
    ...(c.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
    ...(c.servername ? { servername: c.servername } : {}),
  });
  // an idle session does not keep the process alive; a failed one is replaced at the next request
  session.unref();
  session.on('error', () => undefined);
  session.on('close', () => {
    if (pool.h2 === session) pool.h2 = undefined;
  });
  pool.h2 = session;
  return session;
}

/**
 * One request as an HTTP/2 stream. The stream is answered in place of an IncomingMessage:
 * `statusCode`, `headers` and `httpVersion` ('2.0') are set on it, its body is read the same way.
 */
function sendH2(
  pool: Pool,
  url: URL,
  method: string,
  headers: Record<string, string | number>,
  payload: Buffer | undefined,
  signal: AbortSignal | undefined,
): Promise<IncomingMessage> {
  return new Promise<IncomingMessage>((resolve, reject) => {
    let session: ClientHttp2Session;
    try {
      session = sessionOf(pool, url.origin);
    } catch (e) {
      reject(e);
      return;
    }
    const req = session.request(
      { ':method': method, ':path': url.pathname + url.search, ...headers },
      signal ? { signal } : {},
    );
    req.on('response', (h) => {
      Object.assign(req, { statusCode: Number(h[':status']), headers: h, httpVersion: '2.0' });
      resolve(req as unknown as IncomingMessage);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const ignore = () => undefined;

/**
 * The answer's body as text. Its listeners are removed once it is read: the first request made
 * on a keep-alive TLS socket stays reachable from that socket for as long as it is open (the
 * https agent's `session` listener closes over it), and with it its answer; a listener left on
 * that answer would keep this promise and so the whole text (a list of release Secrets, 4.5 MiB
 * at 200 releases) alive with the socket.
 */
export function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    const done = () => {
      res.off('data', onData);
      res.off('end', onEnd);
      res.off('error', onError);
      res.off('aborted', onAborted);
      // a late error must not be an unhandled 'error' event
      res.on('error', ignore);
    };
    const onData = (c: Buffer) => chunks.push(c);
    const onEnd = () => {
      done();
      const text = Buffer.concat(chunks).toString('utf8');
      chunks = [];
      resolve(text);
    };
    const onError = (err: Error) => {
      done();
      chunks = [];
      reject(err);
    };
    const onAborted = () => onError(new Error('the answer was cut off'));
    res.on('data', onData);
    res.on('end', onEnd);
    res.on('error', onError);
    res.on('aborted', onAborted);
  });
}

/**
 * Sends a request and resolves with the answer, whatever its status (the caller reads it); a 401
 * with an exec credential runs the plugin again and retries once.
 */
export async function kubeSend(kc: KubeConfig, r: KubeRequest): Promise<IncomingMessage> {
  const res = await send(kc, r);
  if (res.statusCode !== 401 || !kc.getCurrentUser()?.exec) return res;
  res.resume();
  forgetExecCredential(kc);
  return send(kc, r);
}

/**
 * Sends a request and resolves with the answer once its status is a success; its body is read
 * by the caller (logs, watches). An error status rejects with `KubeApiError`. A 401 with an exec
 * credential runs the plugin again and retries once.
 */
export async function kubeStream(kc: KubeConfig, r: KubeRequest): Promise<IncomingMessage> {
  const res = await kubeSend(kc, r);
  const code = res.statusCode ?? 0;
  if (code >= 400) {
    const text = await readBody(res).catch(() => '');
    throw new KubeApiError(r.method ?? 'GET', r.path, code, statusBody(text));
  }
  return res;
}

/** Sends a request and parses its JSON answer; an error status rejects with `KubeApiError`. */
export async function kubeRequest<T = unknown>(kc: KubeConfig, r: KubeRequest): Promise<T> {
  const res = await kubeStream(kc, r);
  const text = await readBody(res);
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    return text as T;
  }
}
