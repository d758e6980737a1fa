import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CheckInSession,
  loadConfig as loadAgentConfig,
  silentLogger,
  startCheckInSession,
} from '@mooring/agent';
import {
  type BusStatus,
  type HeartbeatMessage,
  heartbeatSubject,
  NatsBus,
  resultSubject,
} from '@mooring/bus';
import { type NatsOperatorServer, startNatsOperator } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { busAccountSigner, issueAgentCredentials } from '../src/busauth/index.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { type RunningPlatform, startPlatform } from '../src/platform.ts';
import { validDefinition } from './support/fixtures.ts';

const kit = inject('kit');

let workDir: string;
let nats: NatsOperatorServer;
let platform: RunningPlatform;
let baseUrl: string;
let adminToken: string;
const sessions: CheckInSession[] = [];

async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  token = adminToken,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function importCluster(name: string): Promise<{ id: string; token: string }> {
  const r = await api<{ cluster: { id: string }; agent_token: string }>(
    'POST',
    '/clusters',
    validDefinition(name),
  );
  expect(r.status).toBe(201);
  return { id: r.body.cluster.id, token: r.body.agent_token };
}

/** The real agent (check-in, NATS with the answer's credentials, engine) against the kit's cluster. */
async function runAgent(clusterId: string, token: string, onBusStatus?: (s: BusStatus) => void) {
  const config = loadAgentConfig({
    MOORING_CLUSTER_ID: clusterId,
    MOORING_TOKEN: token,
    MOORING_PLATFORM_URL: baseUrl,
    MOORING_KUBECONFIG: kit.kubeconfig,
    MOORING_HELM: kit.helm,
    MOORING_CHART_CACHE: mkdtempSync(join(workDir, 'charts-')),
    MOORING_HTTP_PORT: '0',
    MOORING_RECONCILE_INTERVAL_SECONDS: '2',
    MOORING_SHUTDOWN_TIMEOUT_SECONDS: '5',
    MOORING_CHECK_IN_INTERVAL_SECONDS: '15',
  });
  const session = await startCheckInSession({
    config,
    logger: silentLogger(),
    helmEnv: kit.env,
    commandPollMs: 500,
    ...(onBusStatus ? { onBusStatus } : {}),
  });
  sessions.push(session);
  return session;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'mooring-agent-connection-'));
  nats = await startNatsOperator(workDir);
  const config = loadConfig({
    MOORING_DATA_DIR: join(workDir, 'platform'),
    MOORING_PORT: '0',
    MOORING_LOG_LEVEL: 'silent',
    MOORING_NATS_URL: nats.url,
    MOORING_NATS_ACCOUNT: nats.account.publicKey,
    MOORING_NATS_ACCOUNT_SIGNING_KEY_SEED: nats.account.signingKeySeed,
    MOORING_NATS_SYSTEM_CREDS: nats.system.userCreds,
  });
  platform = await startPlatform({ config, logger: createLogger('silent'), print: () => {} });
  baseUrl = platform.address!.replace('[::1]', '127.0.0.1');
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: platform.firstCredentials!.username,
      password: platform.firstCredentials!.password,
    }),
  });
  adminToken = ((await login.json()) as { token: string }).token;
}, 120_000);

afterAll(async () => {
  for (const s of sessions) await s.stop().catch(() => undefined);
  await platform?.close();
  await nats?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('agent connection (real platform, nats-server in operator mode, agent against the kit cluster)', () => {
  it('checks in, gets bus credentials, and its heartbeat reaches the platform; the cluster shows its facts', async () => {
    const { id, token } = await importCluster(`conn-${Date.now().toString(36)}`);
    const heartbeats: HeartbeatMessage[] = [];
    const unsub = await platform.agentBus.bus.subscribe<HeartbeatMessage>(heartbeatSubject(id), (m) => {
      heartbeats.push(m.data);
    });
    const session = await runAgent(id, token);
    expect(session.lastAnswer().bus?.kind).toBe('nats');
    expect(session.bus.status()).toBe('connected');
    await expect.poll(() => heartbeats.length, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(heartbeats[0]?.cluster_id).toBe(id);
    await unsub();

    const c = await api<Record<string, unknown>>('GET', `/clusters/${id}`);
    expect(c.body).toMatchObject({ state: 'online', node_count: expect.any(Number) });
    expect(String(c.body.kubernetes_version)).toMatch(/^v1\./);
    expect(c.body.agent_version).toBe('0.1.0');
    expect(c.body.node_count).toBeGreaterThan(0);

    // a check-in with fresh credentials asks for none
    await session.checkInNow();
    expect(session.lastAnswer().bus).toBeUndefined();

    // cluster A's credentials cannot touch B's subjects
    const other = await importCluster(`other-${Date.now().toString(36)}`);
    const signer = busAccountSigner(nats.account.publicKey, nats.account.signingKeySeed);
    const a = await issueAgentCredentials(signer, id);
    const errors: unknown[] = [];
    const busA = await NatsBus.connect({
      servers: nats.url,
      creds: a.creds,
      inboxPrefix: a.inboxPrefix,
      onError: (e) => errors.push(e),
    });
    await busA.publish(resultSubject(other.id), { cluster_id: other.id });
    await expect.poll(() => errors.length).toBeGreaterThan(0);
    await busA.close();
  }, 90_000);

  it('a replaced token disconnects the agent within 5 s, and its next check-in is refused', async () => {
    const { id, token } = await importCluster(`regen-${Date.now().toString(36)}`);
    let cutAt: number | undefined;
    const session = await runAgent(id, token, (s) => {
      if (s !== 'connected' && cutAt === undefined) cutAt = Date.now();
    });
    expect(session.bus.status()).toBe('connected');
    const oldCreds = session.lastAnswer().bus!;

    const t0 = Date.now();
    const r = await api('POST', `/clusters/${id}/agent-token`, {});
    expect(r.status).toBe(200);
    await expect.poll(() => cutAt, { timeout: 5_000, interval: 20 }).toBeDefined();
    const elapsed = cutAt! - t0;
    console.log(`[agent-connection] disconnected ${elapsed} ms after the token was replaced`);
    expect(elapsed).toBeLessThan(5_000);
    // it asked the platform at once and was refused: the agent stops
    await expect(session.ended).resolves.toBe('rejected');

    // a client that keeps the revoked credentials (they are valid until they expire) holds no
    // connection: once the server has the revocation it refuses them at connect (nats.js dials
    // again until its timeout), before that it is cut again as soon as it connects
    const statuses: BusStatus[] = [];
    const stubborn = await NatsBus.connect({
      servers: nats.url,
      creds: oldCreds.creds,
      inboxPrefix: oldCreds.inbox_prefix,
      onStatus: (s) => statuses.push(s),
    }).catch((e: unknown) => e as Error);
    if (stubborn instanceof Error) {
      console.log(`[agent-connection] the revoked credentials were refused at connect: ${stubborn.message}`);
    } else {
      try {
        await expect.poll(() => statuses, { timeout: 5_000, interval: 20 }).toContain('reconnecting');
      } finally {
        await stubborn.close();
      }
    }
  }, 60_000);

  it('a deleted cluster disconnects its agent too', async () => {
    const { id, token } = await importCluster(`gone-${Date.now().toString(36)}`);
    let cutAt: number | undefined;
    const session = await runAgent(id, token, (s) => {
      if (s !== 'connected' && cutAt === undefined) cutAt = Date.now();
    });
    const t0 = Date.now();
    expect((await api('DELETE', `/clusters/${id}`)).status).toBe(204);
    await expect.poll(() => cutAt, { timeout: 5_000, interval: 20 }).toBeDefined();
    expect(cutAt! - t0).toBeLessThan(5_000);
    await expect(session.ended).resolves.toBe('rejected');
  }, 60_000);
});
