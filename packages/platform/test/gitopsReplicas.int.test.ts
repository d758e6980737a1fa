import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GitServer, startGitServer } from '@mooring/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WorkClone } from '../../gitops/test/gitFixtures.ts';
import {
  apiClient,
  firstPassword,
  type PlatformProcess,
  startPlatformProcess,
} from './support/platformProcess.ts';

// Two platforms as real child processes (`node packages/platform/src/main.ts`) on the kit's
// PostgreSQL, one cluster fed by a repository on a real Git server. No agent: an apply waits for
// its operation, so the sync that holds the cluster's lease stays in Applying.

const kit = inject('kit');
const LEASE_SECONDS = 3;
let workDir: string;
let git: GitServer;
let repoUrl: string;
let dbName: string;
let db: pg.Client;
let env: Record<string, string>;
const processes: PlatformProcess[] = [];

const NS = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n';
const clusterFile = (name: string, url: string) => `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
spec:
  git_repository:
    provider: git
    repository: ${url}
    branch: main
  stacks:
    - name: base
      manifests:
        - name: ns
          from_file: manifests/ns.yaml
`;

async function platform(name: string): Promise<PlatformProcess> {
  const p = await startPlatformProcess({ ...env, MOORING_DATA_DIR: join(workDir, name) });
  processes.push(p);
  return p;
}

async function waitFor<T>(what: string, f: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  const url = kit.postgresUrl;
  if (!url) throw new Error('the kit did not start PostgreSQL');
  workDir = mkdtempSync(join(tmpdir(), 'mooring-gitops-replicas-'));
  git = await startGitServer(join(workDir, 'git'));
  repoUrl = git.createRepo('acme/replicas');
  dbName = `sync_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${dbName}`;
  env = {
    MOORING_DATABASE_URL: dbUrl.toString(),
    MOORING_SECRET_KEY: randomBytes(32).toString('base64'),
    // polling is left to Sync Now in this test
    MOORING_GIT_POLL_SECONDS: '86400',
    MOORING_SYNC_LEASE_SECONDS: String(LEASE_SECONDS),
  };
  db = new pg.Client({ connectionString: dbUrl.toString() });
  await db.connect();
}, 120_000);

afterAll(async () => {
  for (const p of processes) await p.kill('SIGKILL').catch(() => undefined);
  await db?.end().catch(() => undefined);
  await git?.stop();
  if (kit.postgresUrl && dbName) {
    const c = new pg.Client({ connectionString: kit.postgresUrl });
    await c.connect();
    await c.query(`drop database if exists ${dbName} with (force)`);
    await c.end();
  }
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('GitOps with several platform replicas on one PostgreSQL', () => {
  it('two replicas never run one cluster’s sync at once; when the holder dies, the other runs it after the lease expires', async () => {
    const a = await platform('a');
    const name = `replicas-${Date.now().toString(36)}`;
    const clone = new WorkClone(repoUrl);
    const text = clusterFile(name, repoUrl);
    clone.commit(
      { [`clusters/${name}/cluster.yaml`]: text, [`clusters/${name}/manifests/ns.yaml`]: NS },
      'add',
    );
    await clone.push();
    const apiA = apiClient(a.url);
    await apiA.login('admin', firstPassword(join(workDir, 'a')));
    const imported = await apiA.call<{ cluster: { id: string } }>('POST', '/clusters', {
      definition: text,
      path: `clusters/${name}/cluster.yaml`,
      files: { [`clusters/${name}/manifests/ns.yaml`]: NS },
    });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const id = imported.body.cluster.id;
    const b = await platform('b');
    const apiB = apiClient(b.url, apiA.token());

    const runs = async () =>
      (
        await db.query<{ id: string; status: string; started_at: Date; operation_id: string | null }>(
          'select id, status, started_at, operation_id, message, errors from sync_runs where cluster_id = $1 order by started_at',
          [id],
        )
      ).rows;
    const holder = async () =>
      (await db.query<{ holder: string }>('select holder from sync_leases where cluster_id = $1', [id]))
        .rows[0]?.holder;
    // Sync Now through both replicas at the same moment. Replica b's first poll at start may have
    // begun a sync of the new commit already: then both requests wait behind it, and that sync is
    // the one that runs (every run of this cluster counts, not only those after the requests).
    const [sa, sb] = await Promise.all([
      apiA.call('POST', `/clusters/${id}/sync`),
      apiB.call('POST', `/clusters/${id}/sync`),
    ]);
    expect([sa.status, sb.status]).toEqual([202, 202]);
    const first = await waitFor('a sync to start', async () =>
      (await runs()).find((r) => r.status === 'running'),
    );
    const owner = await waitFor('the lease', holder);
    const [holding, waiting] = owner.includes(`-${a.pid}-`) ? [a, b] : [b, a];
    expect(owner).toMatch(new RegExp(`-${holding.pid}-[0-9a-f]{8}$`));
    // the holder's sync waits in Applying for an agent that never answers; for 3 lease periods
    // the other replica runs nothing (its lease is renewed meanwhile)
    await waitFor('the apply operation', async () =>
      (await runs()).find((r) => r.id === first.id && r.status === 'running'),
    );
    for (const end = Date.now() + 3 * LEASE_SECONDS * 1000; Date.now() < end; ) {
      const now = await runs();
      expect(
        now.filter((r) => r.status === 'running'),
        JSON.stringify(now),
      ).toHaveLength(1);
      expect(await holder(), JSON.stringify(await runs())).toBe(owner);
      await new Promise((r) => setTimeout(r, 200));
    }
    const waitingStatus = (
      await apiClient(waiting.url, apiA.token()).call<{ status: string }>('GET', `/clusters/${id}/gitops`)
    ).body;
    expect(waitingStatus.status).toBe('Syncing');

    // the holder dies: its lease expires and the waiting replica runs the sync
    const known = new Set((await runs()).map((r) => r.id));
    await holding.kill('SIGKILL');
    const killedAt = Date.now();
    const second = await waitFor(
      'the other replica’s sync',
      async () => (await runs()).find((r) => !known.has(r.id)),
      30_000,
    );
    const seconds = (Date.now() - killedAt) / 1000;
    console.log(
      `[gitops] the other replica started the sync ${seconds.toFixed(1)} s after the holder was killed (lease ${LEASE_SECONDS} s)`,
    );
    expect(second.started_at.getTime()).toBeGreaterThanOrEqual(killedAt - 1000);
    expect(seconds).toBeLessThan(LEASE_SECONDS + 10);
    expect(await holder()).toMatch(new RegExp(`-${waiting.pid}-[0-9a-f]{8}$`));
  }, 240_000);
});
