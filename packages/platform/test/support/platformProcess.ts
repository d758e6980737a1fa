import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { CREDENTIALS_FILE } from '../../src/auth/bootstrap.ts';

const MAIN = resolve(import.meta.dirname, '../../src/main.ts');

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** `node packages/platform/src/main.ts` as a child process on a port of its own. */
export interface PlatformProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr. */
  output(): string;
  /** Stops it by PID with `signal` and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startPlatformProcess(env: Record<string, string>): Promise<PlatformProcess> {
  // a given MOORING_PORT (a restart on the port the agents know), else a free one
  const port = env.MOORING_PORT ? Number(env.MOORING_PORT) : await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      MOORING_LISTEN: '127.0.0.1',
      MOORING_PORT: String(port),
      MOORING_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b) => {
    out += String(b);
  });
  child.stderr?.on('data', (b) => {
    out += String(b);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const p: PlatformProcess = {
    url,
    pid: child.pid ?? -1,
    child,
    output: () => out,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the platform exited (${child.exitCode}):\n${out}`);
    try {
      const res = await fetch(`${url}/api/v1/health`);
      if (res.status === 200) return p;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await p.kill('SIGKILL');
      throw new Error(`the platform did not answer within 90 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The first owner's password from the data directory of the first start. */
export function firstPassword(dataDir: string): string {
  const text = readFileSync(join(dataDir, CREDENTIALS_FILE), 'utf8');
  const m = /^password: (.+)$/m.exec(text);
  if (!m?.[1]) throw new Error('no password in the credentials file');
  return m[1];
}

/** One call of the platform API (as the client's token, or `bearer`): the status, the JSON body, its text. */
export type ApiCall = <T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  bearer?: string,
) => Promise<{ status: number; body: T; text: string }>;

/** A small client of the platform API. */
export function apiClient(url: string, initialToken = '') {
  let token = initialToken;
  const call: ApiCall = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    bearer = token,
  ) => {
    const res = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, text };
  };
  return {
    call,
    token: () => token,
    async login(username: string, password: string) {
      const r = await call<{ token: string }>('POST', '/auth/login', { username, password }, '');
      if (r.status !== 200) throw new Error(`login: ${r.status}`);
      token = r.body.token;
    },
  };
}
