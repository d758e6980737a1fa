import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import type { KubeConfig } from '@mooring/kube';

// `node:http` through process.getBuiltinModule, not an import: Node makes an ES module of `node:http` by
// reading all its exports, and its WebSocket, CloseEvent and MessageEvent getters load undici (≈ 4 MiB
// of resident memory the agent does not use).
const { request: httpRequest } = process.getBuiltinModule('node:http');

/** The API server did not answer (connection refused, TLS, reset before the headers). */
export class ApiServerRequestError extends Error {
  override readonly name = 'ApiServerRequestError';
}

/** A connection that broke before an answer (reset, closed, a pipe that broke). */
export function connectionTerminated(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  return (
    ['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET'].includes(code) ||
    /socket hang up/.test(cause?.message ?? '')
  );
}

/** How long connection options (client certificate, token, connection pool) are reused. */
const OPTIONS_TTL_MS = 60_000;

/**
 * Sends raw HTTP requests to the cluster's API server with the agent's own credentials
 * (from its kubeconfig or service account). Options are refreshed every minute, so a
 * rotated service-account token is picked up.
 */
export class ApiServerClient {
  readonly #kc: KubeConfig;
  readonly #maxAttempts: number;
  #options: { at: number; value: Promise<RequestOptions> } | undefined;

  /** `maxAttempts` (`KUBERNETES_REQUEST_MAX_ATTEMPTS`): tries of a GET whose connection broke before an answer. */
  constructor(kc: KubeConfig, o: { maxAttempts?: number } = {}) {
    this.#kc = kc;
    this.#maxAttempts = o.maxAttempts ?? 3;
  }

  #connection(): Promise<RequestOptions> {
    const now = Date.now();
    if (!this.#options || now - this.#options.at > OPTIONS_TTL_MS) {
      const opts: RequestOptions = {};
      this.#options = { at: now, value: this.#kc.applyToHTTPSOptions(opts).then(() => opts) };
    }
    return this.#options.value;
  }

  /**
   * An upgrade request (exec, attach, port-forward): resolves with the API server's `101`
   * and the upgraded connection, or with its ordinary answer when it refused (403, 400...).
   */
  async upgrade(r: {
    method: string;
    path: string;
    headers: OutgoingHttpHeaders;
    signal: AbortSignal;
  }): Promise<
    | { upgraded: true; res: IncomingMessage; socket: Duplex; head: Buffer }
    | { upgraded: false; res: IncomingMessage }
  > {
    const server = this.#kc.getCurrentCluster()?.server;
    if (!server) throw new ApiServerRequestError('the kubeconfig names no API server');
    const base = await this.#connection();
    const url = new URL(server.replace(/\/+$/, '') + r.path);
    const headers: OutgoingHttpHeaders = { ...((base.headers ?? {}) as OutgoingHttpHeaders), ...r.headers };
    const secure = url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    // an upgraded connection leaves any pool: it gets a connection of its own
    const { agent: _pool, ...own } = base;
    return new Promise((resolve, reject) => {
      const req = send(url, { ...own, agent: false, method: r.method, headers, signal: r.signal });
      req.on('upgrade', (res, socket, head) => resolve({ upgraded: true, res, socket, head }));
      req.on('response', (res) => resolve({ upgraded: false, res }));
      req.on('error', (err) =>
        reject(new ApiServerRequestError(`API server request failed: ${err.message}`, { cause: err })),
      );
      req.end();
    });
  }

  /**
   * Resolves with the answer once its headers arrive; the body is read from it. A GET (a get,
   * list or watch: nothing changes) whose connection was reset or closed before the headers is
   * sent again, up to `maxAttempts` tries in all.
   */
  async send(r: {
    method: string;
    path: string;
    headers: OutgoingHttpHeaders;
    body?: Buffer;
    signal: AbortSignal;
  }): Promise<IncomingMessage> {
    const attempts = r.method === 'GET' ? this.#maxAttempts : 1;
    for (let i = 1; ; i++) {
      try {
        return await this.#sendOnce(r);
      } catch (err) {
        if (i >= attempts || r.signal.aborted || !connectionTerminated(err)) throw err;
      }
    }
  }

  async #sendOnce(r: {
    method: string;
    path: string;
    headers: OutgoingHttpHeaders;
    body?: Buffer;
    signal: AbortSignal;
  }): Promise<IncomingMessage> {
    const server = this.#kc.getCurrentCluster()?.server;
    if (!server) throw new ApiServerRequestError('the kubeconfig names no API server');
    const base = await this.#connection();
    const url = new URL(server.replace(/\/+$/, '') + r.path);
    const headers: OutgoingHttpHeaders = { ...((base.headers ?? {}) as OutgoingHttpHeaders), ...r.headers };
    if (r.body) headers['content-length'] = r.body.length;
    const secure = url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    // the kubeconfig's connection pool speaks TLS; a plain-HTTP server gets Node's default one
    const { agent: _tls, ...plain } = base;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(
        url,
        { ...(secure ? base : plain), method: r.method, headers, signal: r.signal },
        resolve,
      );
      req.on('error', (err) =>
        reject(new ApiServerRequestError(`API server request failed: ${err.message}`, { cause: err })),
      );
      req.end(r.body);
    });
  }
}
