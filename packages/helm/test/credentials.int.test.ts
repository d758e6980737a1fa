import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type StaticServer, serveDirectory } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ChartCache, RegistryAuthError } from '../src/index.ts';

const run = promisify(execFile);
const kit = inject('kit');
let dir: string;
const servers: StaticServer[] = [];

beforeAll(async () => {
  // a copy of the kit's repository with relative download URLs, served behind authentication
  dir = mkdtempSync(join(tmpdir(), 'private-charts-'));
  cpSync(join(kit.workDir, 'chart-repo'), dir, { recursive: true });
  await run(kit.helm, ['repo', 'index', dir], { env: { ...process.env, ...kit.env } });
});
afterAll(async () => {
  for (const s of servers) await s.stop();
});

const cacheDir = () => mkdtempSync(join(tmpdir(), 'charts-'));

describe('private chart repositories', () => {
  it('sends basic credentials in a header, never in a URL, and names an auth failure without the password', async () => {
    const srv = await serveDirectory(dir, { basicAuth: { username: 'reader', password: 'pa55-w0rd-xyz' } });
    servers.push(srv);
    const err = await new ChartCache({ dir: cacheDir() })
      .resolve({
        chart: 'podinfo',
        version: '6.14.1',
        repoUrl: srv.url,
        credentials: { kind: 'basic', username: 'reader', password: 'wrong-pass' },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryAuthError);
    expect(String((err as Error).message)).not.toContain('wrong-pass');
    const ok = await new ChartCache({ dir: cacheDir() }).resolve({
      chart: 'podinfo',
      version: '6.14.1',
      repoUrl: srv.url,
      credentials: { kind: 'basic', username: 'reader', password: 'pa55-w0rd-xyz' },
    });
    expect(ok.path).toMatch(/podinfo-6\.14\.1-.*\.tgz$/);
    expect(ok.source).not.toContain('pa55');
  });

  it('sends a bearer token', async () => {
    const srv = await serveDirectory(dir, { bearerToken: 't0ken-abcdef' });
    servers.push(srv);
    await expect(
      new ChartCache({ dir: cacheDir() }).resolve({ chart: 'crd-demo', version: '0.1.0', repoUrl: srv.url }),
    ).rejects.toThrow(RegistryAuthError);
    const ok = await new ChartCache({ dir: cacheDir() }).resolve({
      chart: 'crd-demo',
      version: '0.1.0',
      repoUrl: srv.url,
      credentials: { kind: 'bearer', token: 't0ken-abcdef' },
    });
    expect(ok.version).toBe('0.1.0');
  });
});
