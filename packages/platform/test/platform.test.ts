import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { CREDENTIALS_FILE } from '../src/auth/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { REDACTED_PATHS } from '../src/logger.ts';
import { startPlatform } from '../src/platform.ts';
import { validDefinition } from './support/fixtures.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mooring-platform-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function capture() {
  const lines: string[] = [];
  const logger = pino(
    { level: 'debug', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    new Writable({
      write(c, _e, done) {
        lines.push(String(c));
        done();
      },
    }),
  );
  return { logger, text: () => lines.join('') };
}

describe('the platform on an embedded database in a data directory', () => {
  it('first start: migrates, creates the owner, prints the password once (and a 0600 file); the next start does not', async () => {
    const dataDir = tempDir();
    const config = loadConfig({ MOORING_DATA_DIR: dataDir, MOORING_PORT: '0' });
    const log = capture();
    const printed: string[] = [];
    const first = await startPlatform({
      config,
      logger: log.logger,
      print: (t) => printed.push(t),
      listen: false,
    });
    let clusterId: string;
    try {
      const creds = first.firstCredentials!;
      expect(creds.username).toBe('admin');
      expect(printed.join('\n')).toContain(creds.password);
      const file = join(dataDir, CREDENTIALS_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8')).toContain(`password: ${creds.password}`);
      expect(log.text()).not.toContain(creds.password);
      const login = await first.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: creds.username, password: creds.password },
      });
      expect(login.statusCode).toBe(200);
      const token = login.json().token;
      const imported = await first.app.inject({
        method: 'POST',
        url: '/api/v1/clusters',
        headers: { authorization: `Bearer ${token}` },
        payload: validDefinition('kept'),
      });
      expect(imported.statusCode).toBe(201);
      clusterId = imported.json().cluster.id;
      expect(log.text()).not.toContain(token);
      expect(log.text()).not.toContain(imported.json().agent_token);
    } finally {
      await first.close();
    }
    const printedAgain: string[] = [];
    const second = await startPlatform({
      config,
      logger: log.logger,
      print: (t) => printedAgain.push(t),
      listen: false,
    });
    try {
      expect(second.firstCredentials).toBeUndefined();
      expect(printedAgain).toEqual([]);
      const row = await second.database.db
        .selectFrom('clusters')
        .selectAll()
        .where('id', '=', clusterId)
        .executeTakeFirst();
      expect(row?.name).toBe('kept');
    } finally {
      await second.close();
    }
  }, 120_000);
});

describe('cluster hooks', () => {
  it('issue bus credentials on check-in, returned to the agent only and never logged', async () => {
    const log = capture();
    const calls: string[] = [];
    const platform = await startPlatform({
      config: loadConfig({ MOORING_DATA_DIR: tempDir() }),
      logger: log.logger,
      print: () => {},
      listen: false,
      clusterHooks: {
        imported: async (c) => {
          calls.push(`imported ${c.name}`);
        },
        agentTokenReplaced: async (c) => {
          calls.push(`replaced ${c.name}`);
        },
        deleted: async (c) => {
          calls.push(`deleted ${c.name}`);
        },
        issueBusCredentials: async (c) => ({
          creds: `creds-for-${c.id}-SECRET`,
          inboxPrefix: `_INBOX.${c.id}`,
        }),
      },
    });
    try {
      const creds = platform.firstCredentials!;
      const { token } = (
        await platform.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: creds })
      ).json();
      const auth = { authorization: `Bearer ${token}` };
      const imp = (
        await platform.app.inject({
          method: 'POST',
          url: '/api/v1/clusters',
          headers: auth,
          payload: validDefinition('hooked'),
        })
      ).json();
      const ci = await platform.app.inject({
        method: 'POST',
        url: '/api/v1/agent/check-in',
        headers: { authorization: `Bearer ${imp.agent_token}` },
        payload: { agent_version: '2.0.0', kubernetes_version: 'v1.33.0', node_count: 2 },
      });
      expect(ci.json().bus).toEqual({
        creds: `creds-for-${imp.cluster.id}-SECRET`,
        inboxPrefix: `_INBOX.${imp.cluster.id}`,
      });
      await platform.app.inject({
        method: 'POST',
        url: `/api/v1/clusters/${imp.cluster.id}/agent-token`,
        headers: auth,
      });
      await platform.app.inject({
        method: 'DELETE',
        url: `/api/v1/clusters/${imp.cluster.id}`,
        headers: auth,
      });
      expect(calls).toEqual(['imported hooked', 'replaced hooked', 'deleted hooked']);
      expect(log.text()).not.toContain('SECRET');
    } finally {
      await platform.close();
    }
  }, 120_000);
});

describe('the process', () => {
  it('serves, then exits cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    const child = spawn(process.execPath, [join(import.meta.dirname, '../src/main.ts')], {
      env: { ...process.env, MOORING_DATA_DIR: dataDir, MOORING_PORT: '0', MOORING_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    child.stderr.on('data', (d) => {
      out += String(d);
    });
    try {
      const address = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "listening" line:\n${out}`)), 60_000);
        const check = () => {
          const m = /"address":"(http:\/\/[^"]+)".*"msg":"listening"/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        };
        child.stdout.on('data', check);
        child.once('exit', () => reject(new Error(`exited early:\n${out}`)));
      });
      const health = await fetch(`${address}/api/v1/health`);
      expect(await health.json()).toEqual({ status: 'ok', database: 'up' });
      const creds = readFileSync(join(dataDir, CREDENTIALS_FILE), 'utf8');
      const password = /password: (\S+)/.exec(creds)![1]!;
      // printed once on the terminal, never in a log line
      expect(out.split(password).length - 1).toBe(1);
      expect(out.split('\n').filter((l) => l.startsWith('{') && l.includes(password))).toEqual([]);
    } finally {
      child.kill('SIGTERM');
    }
    const code = child.exitCode ?? (await new Promise<number | null>((r) => child.once('exit', (c) => r(c))));
    expect(code).toBe(0);
    expect(out).toContain('"msg":"stopped"');
  }, 120_000);
});
