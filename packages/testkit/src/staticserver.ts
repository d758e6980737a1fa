import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';

export interface StaticServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Serves the files of one directory over HTTP (the chart repository: index.yaml and .tgz files),
 * with `ETag` and `Last-Modified`, answering `If-None-Match` / `If-Modified-Since` with 304.
 */
export async function serveDirectory(
  dir: string,
  opts: { basicAuth?: { username: string; password: string }; bearerToken?: string } = {},
): Promise<StaticServer> {
  const want = opts.basicAuth
    ? `Basic ${Buffer.from(`${opts.basicAuth.username}:${opts.basicAuth.password}`).toString('base64')}`
    : opts.bearerToken
      ? `Bearer ${opts.bearerToken}`
      : undefined;
  const server = createServer((req, res) => {
    if (want && req.headers.authorization !== want) {
      res
        .writeHead(401, {
          'WWW-Authenticate': opts.basicAuth ? 'Basic realm="charts"' : 'Bearer realm="charts"',
        })
        .end();
      return;
    }
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    const file = join(dir, path);
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
      const type = file.endsWith('.yaml')
        ? 'application/x-yaml'
        : file.endsWith('.tgz')
          ? 'application/gzip'
          : 'application/octet-stream';
      // validators as common static servers send them: a weak ETag of size and mtime, Last-Modified
      const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
      const lastModified = new Date(Math.floor(st.mtimeMs / 1000) * 1000).toUTCString();
      const inm = req.headers['if-none-match'];
      const ims = req.headers['if-modified-since'];
      const notModified =
        inm !== undefined
          ? inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')
          : ims !== undefined && Date.parse(ims) >= Date.parse(lastModified);
      if (notModified) {
        res.writeHead(304, { ETag: etag, 'Last-Modified': lastModified }).end();
        return;
      }
      res.writeHead(200, {
        'Content-Type': type,
        'Content-Length': st.size,
        ETag: etag,
        'Last-Modified': lastModified,
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise<void>((r) => server.close(() => r())) };
}
