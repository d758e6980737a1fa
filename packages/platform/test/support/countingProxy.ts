import { createServer, request } from 'node:http';

export interface CountedRequest {
  method: string;
  path: string;
  status: number;
  /** The conditional headers the client sent. */
  ifNoneMatch?: string;
  ifModifiedSince?: string;
}

export interface CountingProxy {
  /** `127.0.0.1:port` */
  host: string;
  url: string;
  requests: CountedRequest[];
  reset(): void;
  stop(): Promise<void>;
}

/**
 * An HTTP proxy in front of a real server that records every request and its status.
 * Bodies pass untouched, except that the target's own address in a YAML body (a Helm
 * repository's index.yaml names its archives by absolute URL) is rewritten to the
 * proxy's, so downloads pass through it too.
 */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const t = new URL(target);
  const requests: CountedRequest[] = [];
  let self = '';
  const server = createServer((req, res) => {
    const headers = { ...req.headers, host: t.host };
    const up = request(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers },
      (upRes) => {
        requests.push({
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          status: upRes.statusCode ?? 0,
          ...(req.headers['if-none-match'] ? { ifNoneMatch: String(req.headers['if-none-match']) } : {}),
          ...(req.headers['if-modified-since']
            ? { ifModifiedSince: String(req.headers['if-modified-since']) }
            : {}),
        });
        const yaml = /yaml/.test(String(upRes.headers['content-type'] ?? '')) && upRes.statusCode === 200;
        if (!yaml) {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => {
          const body = Buffer.from(Buffer.concat(chunks).toString('utf8').replaceAll(t.origin, self));
          res.writeHead(upRes.statusCode ?? 200, { ...upRes.headers, 'content-length': String(body.length) });
          res.end(body);
        });
      },
    );
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  self = `http://127.0.0.1:${port}`;
  return {
    host: `127.0.0.1:${port}`,
    url: self,
    requests,
    reset: () => {
      requests.length = 0;
    },
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
