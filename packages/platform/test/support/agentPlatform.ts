import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CheckInSession,
  loadConfig as loadAgentConfig,
  silentLogger,
  startCheckInSession,
} from '@mooring/agent';
import type { Bus } from '@mooring/bus';
import { type KitInfo, type NatsOperatorServer, startNatsOperator } from '@mooring/testkit';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { type RunningPlatform, startPlatform } from '../../src/platform.ts';
import { type ApiCall, apiClient } from './platformProcess.ts';

/** The real platform on NATS in operator mode, with one imported cluster whose agent runs against the kit cluster. */
export interface AgentPlatform {
  baseUrl: string;
  adminToken: string;
  clusterId: string;
  clusterName: string;
  session: CheckInSession;
  platform: RunningPlatform;
  workDir: string;
  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** A definition with one manifest: the namespace `namespace`. */
function definition(name: string, namespace: string) {
  return {
    definition: `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
spec:
  stacks:
    - name: base
      manifests:
        - name: ns
          from_file: ns.yaml
`,
    files: { 'ns.yaml': `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${namespace}\n` },
  };
}

export async function startAgentPlatform(
  kit: KitInfo,
  o: { namespace: string; agentEnv?: Record<string, string> },
): Promise<AgentPlatform> {
  const workDir = mkdtempSync(join(tmpdir(), 'mooring-agent-platform-'));
  let nats: NatsOperatorServer | undefined;
  let platform: RunningPlatform | undefined;
  let session: CheckInSession | undefined;
  const close = async () => {
    await session?.stop().catch(() => undefined);
    await platform?.close().catch(() => undefined);
    await nats?.stop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    ({ nats, platform } = await startOperatorPlatform(workDir));
    const { baseUrl, adminToken } = await signInAsOwner(platform);
    const api = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => {
      const res = await fetch(`${baseUrl}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${adminToken}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {}
      return { status: res.status, body: parsed as T };
    };
    const clusterName = `agent-${Date.now().toString(36)}`;
    const imported = await api<{ cluster: { id: string }; agent_token: string }>(
      'POST',
      '/clusters',
      definition(clusterName, o.namespace),
    );
    if (imported.status !== 201) throw new Error(`import failed: ${JSON.stringify(imported.body)}`);
    const clusterId = imported.body.cluster.id;
    session = await startKitAgent(kit, {
      baseUrl,
      clusterId,
      token: imported.body.agent_token,
      workDir,
      env: o.agentEnv,
      commandPollMs: 500,
    });
    return {
      baseUrl,
      adminToken,
      clusterId,
      clusterName,
      session,
      platform,
      workDir,
      api,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The real platform (data under `workDir`) on a nats-server in operator mode; the caller stops both. */
export async function startOperatorPlatform(
  workDir: string,
): Promise<{ nats: NatsOperatorServer; platform: RunningPlatform }> {
  const nats = await startNatsOperator(workDir);
  try {
    const platform = await startPlatform({
      config: loadConfig({
        MOORING_DATA_DIR: join(workDir, 'platform'),
        MOORING_PORT: '0',
        MOORING_LOG_LEVEL: 'silent',
        MOORING_NATS_URL: nats.url,
        MOORING_NATS_ACCOUNT: nats.account.publicKey,
        MOORING_NATS_ACCOUNT_SIGNING_KEY_SEED: nats.account.signingKeySeed,
        MOORING_NATS_SYSTEM_CREDS: nats.system.userCreds,
      }),
      logger: createLogger('silent'),
      print: () => {},
    });
    return { nats, platform };
  } catch (e) {
    await nats.stop().catch(() => undefined);
    throw e;
  }
}

/** Signs in with the first-start owner credentials: the platform's URL and a session token. */
export async function signInAsOwner(
  platform: RunningPlatform,
): Promise<{ baseUrl: string; adminToken: string }> {
  const baseUrl = platform.address as string;
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: platform.firstCredentials?.username,
      password: platform.firstCredentials?.password,
    }),
  });
  return { baseUrl, adminToken: ((await login.json()) as { token: string }).token };
}

/**
 * The real agent of an imported cluster, in this process, against the kit's cluster: on `bus` (the
 * platform's in-process bus, see agentBus) or, without one, on NATS with its check-in's credentials.
 * Its chart cache under `workDir`; `env` adds to or overrides its settings (reconcile every 300 s).
 */
export function startKitAgent(
  kit: KitInfo,
  o: {
    baseUrl: string;
    clusterId: string;
    token: string;
    workDir: string;
    env?: Record<string, string> | undefined;
    bus?: Bus;
    commandPollMs?: number;
  },
): Promise<CheckInSession> {
  return startCheckInSession({
    config: loadAgentConfig({
      MOORING_CLUSTER_ID: o.clusterId,
      MOORING_TOKEN: o.token,
      MOORING_PLATFORM_URL: o.baseUrl,
      MOORING_KUBECONFIG: kit.kubeconfig,
      MOORING_HELM: kit.helm,
      MOORING_CHART_CACHE: mkdtempSync(join(o.workDir, 'charts-')),
      MOORING_HTTP_PORT: '0',
      MOORING_RECONCILE_INTERVAL_SECONDS: '300',
      MOORING_SHUTDOWN_TIMEOUT_SECONDS: '10',
      ...o.env,
    }),
    logger: silentLogger(),
    helmEnv: kit.env,
    bus: o.bus,
    commandPollMs: o.commandPollMs,
  });
}

/** The in-process bus of an embedded platform as the agent of `clusterId` has it (its cluster's permissions). */
export function agentBus(platform: RunningPlatform, clusterId: string): Bus {
  return (platform.agentBus as unknown as { connectAgent(id: string): Bus }).connectAgent(clusterId);
}

/**
 * The real platform in this process with its embedded database and in-process bus (data under
 * `<workDir>/platform`, Git polls and sweeps hourly; `env` adds to or overrides that), signed in as
 * the first owner; `api` calls it with the owner's token. Logs with E2E_LOG=debug.
 */
export async function startEmbeddedPlatform(
  workDir: string,
  env: Record<string, string> = {},
): Promise<{ platform: RunningPlatform; baseUrl: string; adminToken: string; api: ApiCall }> {
  const platform = await startPlatform({
    config: loadConfig({
      MOORING_DATA_DIR: join(workDir, 'platform'),
      MOORING_PORT: '0',
      MOORING_LOG_LEVEL: 'silent',
      MOORING_GIT_POLL_SECONDS: '3600',
      MOORING_SWEEP_INTERVAL_SECONDS: '3600',
      ...env,
    }),
    logger: createLogger((process.env.E2E_LOG ?? 'silent') as 'silent'),
    print: () => {},
  });
  try {
    const { baseUrl, adminToken } = await signInAsOwner(platform);
    return { platform, baseUrl, adminToken, api: apiClient(baseUrl, adminToken).call };
  } catch (e) {
    await platform.close().catch(() => undefined);
    throw e;
  }
}
