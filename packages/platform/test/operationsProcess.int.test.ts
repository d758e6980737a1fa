import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandEnvelope } from '@mooring/bus';
import { type NatsOperatorServer, startNatsOperator } from '@mooring/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { validDefinition } from './support/fixtures.ts';
import { startMinimalAgent } from './support/minimalAgent.ts';
import {
  apiClient,
  firstPassword,
  type PlatformProcess,
  startPlatformProcess,
} from './support/platformProcess.ts';

// Platforms as real child processes (`node packages/platform/src/main.ts`) on the kit's
// PostgreSQL and a nats-server in operator mode; an agent with the real dispatcher.

const kit = inject('kit');
let workDir: string;
let nats: NatsOperatorServer;
let dbName: string;
let db: pg.Client;
let env: Record<string, string>;
const processes: PlatformProcess[] = [];
const agents: { stop(): Promise<void> }[] = [];

async function platform(extra: Record<string, string> = {}): Promise<PlatformProcess> {
  const p = await startPlatformProcess({ ...env, ...extra });
  processes.push(p);
  return p;
}

async function importCluster(p: PlatformProcess, name: string) {
  const api = apiClient(p.url);
  await api.login('admin', firstPassword(env.MOORING_DATA_DIR!));
  const r = await api.call<{ cluster: { id: string }; agent_token: string }>(
    'POST',
    '/clusters',
    validDefinition(name),
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { id: r.body.cluster.id, token: r.body.agent_token, api };
}

async function row<T>(query: string, params: unknown[]): Promise<T | undefined> {
  return (await db.query(query, params)).rows[0] as T | undefined;
}

async function waitFor<T>(what: string, f: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  const url = kit.postgresUrl;
  if (!url) throw new Error('the kit did not start PostgreSQL');
  workDir = mkdtempSync(join(tmpdir(), 'mooring-operations-'));
  nats = await startNatsOperator(workDir);
  dbName = `ops_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${dbName}`;
  env = {
    MOORING_DATABASE_URL: dbUrl.toString(),
    MOORING_DATA_DIR: join(workDir, 'platform'),
    MOORING_NATS_URL: nats.url,
    MOORING_NATS_ACCOUNT: nats.account.publicKey,
    MOORING_NATS_ACCOUNT_SIGNING_KEY_SEED: nats.account.signingKeySeed,
    MOORING_SWEEP_INTERVAL_SECONDS: '2',
  };
  db = new pg.Client({ connectionString: dbUrl.toString() });
  await db.connect();
}, 120_000);

afterAll(async () => {
  for (const a of agents) await a.stop().catch(() => undefined);
  for (const p of processes) await p.kill('SIGKILL').catch(() => undefined);
  await db?.end().catch(() => undefined);
  await nats?.stop();
  if (kit.postgresUrl && dbName) {
    const c = new pg.Client({ connectionString: kit.postgresUrl });
    await c.connect();
    await c.query(`drop database if exists ${dbName} with (force)`);
    await c.end();
  }
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('operations across platform processes', () => {
  it('a platform killed with SIGKILL mid-step resumes after restart: the step runs once, the operation ends in success', async () => {
    const p1 = await platform();
    const cluster = await importCluster(p1, `resume-${Date.now().toString(36)}`);

    // the first sweep holds until the platform is dead
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let first: CommandEnvelope | undefined;
    const agent = await startMinimalAgent({
      platformUrl: p1.url,
      agentToken: cluster.token,
      clusterId: cluster.id,
      gate: async (command) => {
        if (first && first.idempotency_key !== command.idempotency_key) return;
        first = command;
        await held;
      },
    });
    agents.push(agent);

    const key = await waitFor('the first sweep to reach the agent', async () => first?.idempotency_key);
    const operationId = key.split(':')[0]!;
    const before = await row<{ state: string; sends: number }>(
      'select state, sends from operation_steps where idempotency_key = $1',
      [key],
    );
    expect(before).toEqual({ state: 'running', sends: 1 });

    await p1.kill('SIGKILL');
    expect(p1.child.signalCode).toBe('SIGKILL');
    release();
    // the agent answers while no platform listens: that result is lost
    await waitFor('the agent’s first result', async () =>
      agent.published.some((r) => r.idempotency_key === key),
    );
    expect(await row<{ state: string }>('select state from operations where id = $1', [operationId])).toEqual(
      { state: 'running' },
    );

    const p2 = await platform();
    const done = await waitFor('the resumed operation to end', async () => {
      const r = await row<{ state: string }>('select state from operations where id = $1', [operationId]);
      return r && r.state !== 'running' && r.state !== 'pending' ? r : undefined;
    });
    expect(done.state).toBe('success');
    const step = await row<{ state: string; sends: number; result: string }>(
      'select state, sends, result from operation_steps where idempotency_key = $1',
      [key],
    );
    expect(step?.state).toBe('success');
    expect(step?.sends).toBe(2); // sent again by the restarted platform, same key
    expect(agent.runs.get(key)).toBe(1); // ...and answered from the agent's record
    expect(agent.published.filter((r) => r.idempotency_key === key)).toHaveLength(2);
    expect(JSON.parse(step!.result)).toMatchObject({
      idempotency_key: key,
      ok: true,
      message: `swept (${key})`,
    });

    // the API of the new process shows it (the session lives in the database, not in the process)
    const shown = await apiClient(p2.url, cluster.api.token()).call<{
      state: string;
      steps: { sends: number; state: string }[];
    }>('GET', `/operations/${operationId}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ state: 'success', steps: [{ state: 'success', sends: 2 }] });

    // the scheduler of the new process goes on: the next sweep round-trips and ends in success once
    const next = await waitFor('the next sweep to succeed', async () =>
      row<{ id: string }>(
        "select id from operations where cluster_id = $1 and type = 'sweep' and state = 'success' and id <> $2",
        [cluster.id, operationId],
      ),
    );
    const nextKey = (await row<{ idempotency_key: string }>(
      'select idempotency_key from operation_steps where operation_id = $1',
      [next.id],
    ))!.idempotency_key;
    expect(agent.runs.get(nextKey)).toBe(1);
    // a heartbeat is stored and becomes the reconcile lag
    await agent.heartbeat(new Date(Date.now() - 3000));
    const hb = await waitFor('the heartbeat to be stored', async () =>
      row<{ addons_inspected: number }>(
        'select addons_inspected from cluster_heartbeats where cluster_id = $1',
        [cluster.id],
      ),
    );
    expect(hb.addons_inspected).toBe(7);
    const metrics = await (await fetch(`${p2.url}/metrics`)).text();
    const lag = new RegExp(
      `mooring_native_engine_reconcile_loop_lag_seconds\\{cluster_id="${cluster.id}"\\} ([0-9.]+)`,
    ).exec(metrics);
    expect(Number(lag?.[1])).toBeGreaterThanOrEqual(3);
    expect(Number(lag?.[1])).toBeLessThan(60);
    expect(metrics).toMatch(/mooring_operations_total\{type="sweep",result="success"\} [1-9]/);
    expect(metrics).toContain(`mooring_cluster_online{cluster_id="${cluster.id}"} 1`);
    await agent.stop();
    await p2.kill('SIGTERM');
    expect(p2.child.exitCode).toBe(0);
  }, 240_000);

  it('two replicas on one PostgreSQL: one schedules the sweeps; when it is killed the other takes over within seconds', async () => {
    const fast = { MOORING_SWEEP_INTERVAL_SECONDS: '1' };
    const [a, b] = [await platform(fast), await platform(fast)];
    const cluster = await importCluster(a, `replicas-${Date.now().toString(36)}`);
    const agent = await startMinimalAgent({
      platformUrl: [a.url, b.url],
      agentToken: cluster.token,
      clusterId: cluster.id,
    });
    agents.push(agent);
    const sweeps = async (since = new Date(0)) =>
      (
        await db.query<{ created_by: string; state: string }>(
          "select created_by, state from operations where cluster_id = $1 and type = 'sweep' and created_at > $2 order by created_at",
          [cluster.id, since],
        )
      ).rows;
    await waitFor(
      'three sweeps',
      async () => (await sweeps()).filter((s) => s.state === 'success').length >= 3,
    );
    const schedulers = new Set((await sweeps()).map((s) => s.created_by));
    expect(schedulers.size).toBe(1);
    const leaderName = [...schedulers][0]!;
    const [leader, follower] = leaderName.endsWith(`-${a.pid}`) ? [a, b] : [b, a];
    expect(leaderName).toMatch(new RegExp(`^scheduler@.+-${leader.pid}$`));
    const leading = async (p: PlatformProcess) =>
      /^mooring_scheduler_leader (\d)/m.exec(await (await fetch(`${p.url}/metrics`)).text())?.[1];
    expect(await leading(leader)).toBe('1');
    expect(await leading(follower)).toBe('0');

    await leader.kill('SIGKILL');
    const killedAt = new Date();
    const takeover = await waitFor(
      'the other replica to schedule',
      async () => (await sweeps(killedAt)).find((s) => s.created_by.endsWith(`-${follower.pid}`)),
      30_000,
    );
    const seconds = (Date.now() - killedAt.getTime()) / 1000;
    expect(takeover.created_by).toMatch(new RegExp(`^scheduler@.+-${follower.pid}$`));
    console.log(
      `[scheduler] the other replica scheduled ${seconds.toFixed(1)} s after the leader was killed`,
    );
    expect(seconds).toBeLessThan(15);
    expect(await leading(follower)).toBe('1');
    await waitFor(
      'two sweeps by the new leader',
      async () => (await sweeps(killedAt)).filter((s) => s.state === 'success').length >= 2,
    );
    expect(new Set((await sweeps(killedAt)).map((s) => s.created_by))).toEqual(
      new Set([takeover.created_by]),
    );
  }, 240_000);
});
