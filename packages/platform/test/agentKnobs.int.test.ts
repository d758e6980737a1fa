// The agent's knobs seen from the platform, against real programs: the public egress
// IP reported at check-in (public_ip.*) and shown on the cluster, and one HTTP request
// forwarded to an in-cluster Service through the agent, bounded by
// FORWARD_SERVICE_REQUEST_MAX_TIMEOUT_SECONDS. The Service's EndpointSlice points at a
// server on this machine (kwok's pods serve nothing), which the agent reaches as it
// would reach a Pod. The API server refuses loopback addresses (and host names with one
// label) in EndpointSlices, so the server listens on this machine's own interface address
// only: the traffic still never leaves the machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiscoveryV1Api } from '@kubernetes/client-node';
import {
  type CheckInSession,
  loadConfig as loadAgentConfig,
  silentLogger,
  startCheckInSession,
} from '@mooring/agent';
import { kitClients, type NatsOperatorServer, testNamespace } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningPlatform } from '../src/platform.ts';
import { signInAsOwner, startOperatorPlatform } from './support/agentPlatform.ts';

const kit = inject('kit');
const { core, kc } = kitClients(kit);
const ns = testNamespace('agent-knobs');

let workDir: string;
let nats: NatsOperatorServer;
let platform: RunningPlatform;
let baseUrl: string;
let adminToken: string;
let server: Server;
let port: number;
let ipLookups = 0;
/** This machine's first non-loopback IPv4 address. */
const hostAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
const sessions: CheckInSession[] = [];

async function api<T = Record<string, unknown>>(method: string, path: string, body?: unknown) {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${adminToken}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Imports a cluster and connects an agent to it with these extra settings. */
async function connectedCluster(name: string, env: Record<string, string>): Promise<string> {
  const imported = await api<{ cluster: { id: string }; agent_token: string }>('POST', '/clusters', {
    definition: `apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: ${name}\nspec:\n  stacks: []\n`,
  });
  expect(imported.status).toBe(201);
  const id = imported.body.cluster.id;
  sessions.push(
    await startCheckInSession({
      config: loadAgentConfig({
        MOORING_CLUSTER_ID: id,
        MOORING_TOKEN: imported.body.agent_token,
        MOORING_PLATFORM_URL: baseUrl,
        MOORING_KUBECONFIG: kit.kubeconfig,
        MOORING_HELM: kit.helm,
        MOORING_CHART_CACHE: mkdtempSync(join(workDir, 'charts-')),
        MOORING_HTTP_PORT: '0',
        MOORING_RECONCILE_INTERVAL_SECONDS: '300',
        MOORING_SHUTDOWN_TIMEOUT_SECONDS: '10',
        ...env,
      }),
      logger: silentLogger(),
      helmEnv: kit.env,
      commandPollMs: 500,
    }),
  );
  return id;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'mooring-agent-knobs-'));
  server = createServer((req, res) => {
    if (req.url?.startsWith('/ip')) {
      ipLookups++;
      return res.end('{"ip":"203.0.113.7"}');
    }
    if (req.url?.startsWith('/slow')) return setTimeout(() => res.end('late'), 6000);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', method: req.method, url: req.url }));
  });
  if (!hostAddress) throw new Error('this machine has no non-loopback IPv4 address for the Service endpoint');
  await new Promise<void>((r) => server.listen(0, hostAddress, r));
  port = (server.address() as AddressInfo).port;
  await core.createNamespace({ body: { metadata: { name: ns } } });
  await core.createNamespacedService({
    namespace: ns,
    body: {
      metadata: { name: 'prometheus' },
      spec: { ports: [{ name: 'web', port: 9090, targetPort: 'web' as never }] },
    },
  });
  await kc.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
    namespace: ns,
    body: {
      metadata: { name: 'prometheus-local', labels: { 'kubernetes.io/service-name': 'prometheus' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [hostAddress], conditions: { ready: true } }],
      ports: [{ name: 'web', port, protocol: 'TCP' }],
    },
  });
  ({ nats, platform } = await startOperatorPlatform(workDir));
  ({ baseUrl, adminToken } = await signInAsOwner(platform));
}, 180_000);

afterAll(async () => {
  for (const s of sessions) await s.stop().catch(() => undefined);
  await platform?.close();
  await nats?.stop();
  server?.closeAllConnections();
  server?.close();
  await core.deleteNamespace({ name: ns }).catch(() => undefined);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('public IP reporting', () => {
  it('off by default: no lookup, no address on the cluster', async () => {
    const id = await connectedCluster(`quiet-${Date.now().toString(36)}`, {});
    const c = await api<{ state: string; public_ip: string | null }>('GET', `/clusters/${id}`);
    expect(c.body.state).toBe('online');
    expect(c.body.public_ip).toBeNull();
    expect(ipLookups).toBe(0);
  }, 120_000);

  it('on: the address from lookup_url shows on the cluster', async () => {
    const id = await connectedCluster(`mapped-${Date.now().toString(36)}`, {
      MOORING_PUBLIC_IP_REPORTING_ENABLED: 'true',
      MOORING_PUBLIC_IP_LOOKUP_URL: `http://${hostAddress}:${port}/ip?format=json`,
      MOORING_PUBLIC_IP_REFRESH_SECONDS: '3600',
      MOORING_PUBLIC_IP_LOOKUP_TIMEOUT_SECONDS: '2',
      FORWARD_SERVICE_REQUEST_MAX_TIMEOUT_SECONDS: '2',
    });
    const c = await api<{ public_ip: string | null }>('GET', `/clusters/${id}`);
    expect(c.body.public_ip).toBe('203.0.113.7');
    expect(ipLookups).toBe(1);
    const listed = await api<{ items: { id: string; public_ip: string | null }[] }>('GET', '/clusters');
    expect(listed.body.items.find((x) => x.id === id)?.public_ip).toBe('203.0.113.7');
  }, 120_000);
});

describe('a request forwarded to an in-cluster Service', () => {
  const clusterOf = async () =>
    (await api<{ items: { id: string; name: string }[] }>('GET', '/clusters')).body.items.find((c) =>
      c.name.startsWith('mapped-'),
    )!.id;

  it('reaches the Service’s ready endpoint and answers its status and body', async () => {
    const id = await clusterOf();
    const r = await api<{ status: number; headers: Record<string, string>; body: string }>(
      'POST',
      `/clusters/${id}/services/${ns}/prometheus/forward`,
      { port: 'web', path: '/api/v1/query?query=up' },
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.status).toBe(200);
    expect(r.body.headers['content-type']).toBe('application/json');
    expect(JSON.parse(Buffer.from(r.body.body, 'base64').toString())).toEqual({
      status: 'success',
      method: 'GET',
      url: '/api/v1/query?query=up',
    });
    const byNumber = await api<{ status: number }>(
      'POST',
      `/clusters/${id}/services/${ns}/prometheus/forward`,
      {
        port: 9090,
        path: '/',
      },
    );
    expect(byNumber.body.status).toBe(200);
    const noPort = await api<{ status: number; body: string }>(
      'POST',
      `/clusters/${id}/services/${ns}/prometheus/forward`,
      { port: 80, path: '/' },
    );
    expect(noPort.body.status).toBe(503);
    expect(Buffer.from(noPort.body.body, 'base64').toString()).toBe('the Service has no port 80');
  }, 60_000);

  it('is cut at FORWARD_SERVICE_REQUEST_MAX_TIMEOUT_SECONDS even when the caller allows longer', async () => {
    const id = await clusterOf();
    const t0 = Date.now();
    const r = await api<{ status: number; body: string }>(
      'POST',
      `/clusters/${id}/services/${ns}/prometheus/forward`,
      {
        port: 'web',
        path: '/slow',
        timeout_seconds: 30,
      },
    );
    const took = Date.now() - t0;
    expect(r.body.status).toBe(504);
    expect(Buffer.from(r.body.body, 'base64').toString()).toBe('the Service did not answer within 2 s');
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(5500);
  }, 60_000);
});
