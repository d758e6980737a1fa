import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';

export interface GitServer {
  /** Base URL; a repository NAME is at `${url}/NAME.git`. */
  url: string;
  root: string;
  /** When set, every request must carry HTTP basic auth with this password (any user name). */
  token?: string;
  /** Creates an empty bare repository that accepts pushes. */
  createRepo(name: string): string;
  stop(): Promise<void>;
}

/** Serves bare repositories over HTTP through the real `git http-backend` (smart HTTP, clone and push). */
export async function startGitServer(workDir: string, opts: { token?: string } = {}): Promise<GitServer> {
  const root = join(workDir, 'git');
  mkdirSync(root, { recursive: true });
  const server: Server = createServer((req, res) => handle(req, res, root, opts.token));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    root,
    token: opts.token,
    createRepo(name: string) {
      const path = join(root, `${name}.git`);
      execFileSync('git', ['init', '--bare', '--initial-branch=main', '-q', path]);
      execFileSync('git', ['-C', path, 'config', 'http.receivepack', 'true']);
      return `http://127.0.0.1:${port}/${name}.git`;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const h = req.headers.authorization ?? '';
  if (!h.startsWith('Basic ')) return false;
  const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1) === token;
}

function handle(req: IncomingMessage, res: ServerResponse, root: string, token: string | undefined): void {
  if (!authorized(req, token)) {
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
    return;
  }
  const url = new URL(req.url ?? '/', 'http://x');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    REMOTE_USER: 'mooring',
    GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
    HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
  };
  if (req.headers['content-length']) env.CONTENT_LENGTH = String(req.headers['content-length']);
  const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    let sep = head.indexOf('\r\n\r\n');
    let sepLen = 4;
    if (sep < 0) {
      sep = head.indexOf('\n\n');
      sepLen = 2;
    }
    if (sep < 0) return;
    headersDone = true;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, sep).toString('latin1').split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const k = line.slice(0, i).trim();
      const v = line.slice(i + 1).trim();
      if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10);
      else headers[k] = v;
    }
    res.writeHead(status, headers);
    res.write(head.subarray(sep + sepLen));
  });
  cgi.on('close', () => {
    if (!headersDone) res.writeHead(502);
    res.end();
  });
  cgi.on('error', () => {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
}
