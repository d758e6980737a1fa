/**
 * The agent of the embedded mode: the real agent in the platform's process,
 * on the platform's in-process bus with its cluster's permissions (the same
 * rule NATS credentials carry), checking in over HTTP with its token like any
 * agent, so the cluster is online, its facts are reported, and a replaced
 * token stops it.
 */
import { type CheckInSession, loadConfig as loadAgentConfig, startCheckInSession } from '@mooring/agent';
import type { Bus } from '@mooring/bus';
import type { RunningPlatform } from '@mooring/platform';
import type { Logger } from 'pino';

interface EmbeddedHub {
  connectAgent(clusterId: string): Bus;
}

function embeddedHub(platform: RunningPlatform): EmbeddedHub {
  const ab = platform.agentBus as unknown as Partial<EmbeddedHub> & { kind: string };
  if (ab.kind !== 'in-process' || typeof ab.connectAgent !== 'function')
    throw new Error('an embedded agent needs the in-process bus: start without MOORING_NATS_URL');
  return ab as EmbeddedHub;
}

export interface EmbeddedAgentOptions {
  platform: RunningPlatform;
  platformUrl: string;
  clusterId: string;
  token: string;
  kubeconfig: string;
  helm: string;
  chartCache: string;
  mirrors: { from: string; to: string }[];
  reconcileIntervalSeconds: number;
  logger: Logger;
}

export async function startEmbeddedAgent(o: EmbeddedAgentOptions): Promise<CheckInSession> {
  const hub = embeddedHub(o.platform);
  const config = loadAgentConfig({
    MOORING_CLUSTER_ID: o.clusterId,
    MOORING_PLATFORM_URL: o.platformUrl,
    MOORING_TOKEN: o.token,
    MOORING_KUBECONFIG: o.kubeconfig,
    MOORING_HELM: o.helm,
    MOORING_CHART_CACHE: o.chartCache,
    MOORING_CHART_MIRRORS: o.mirrors.map((m) => `${m.from}=${m.to}`).join(','),
    MOORING_RECONCILE_INTERVAL_SECONDS: String(o.reconcileIntervalSeconds),
  });
  return startCheckInSession({
    config,
    logger: o.logger.child({ component: 'agent' }) as never,
    bus: hub.connectAgent(o.clusterId),
    firstCheckInRetryMs: 1000,
  });
}
