import { readFileSync } from 'node:fs';
import { type Bus, type BusStatus, InProcessBus, NatsBus } from '@mooring/bus';
import type { HttpAnswer, HttpRequestInit } from '@mooring/engine';
import { type ClusterFacts, loadKubeConfig, readClusterFacts } from '@mooring/kube';
import { type Agent, type AgentOptions, startAgent } from './agent.ts';
import {
  type CheckInAnswer,
  type CheckInBus,
  CheckInRejectedError,
  checkIn,
  needsBusCredentials,
} from './checkin.ts';
import type { AgentConfig } from './config.ts';
import type { Logger } from './logger.ts';
import { PublicIpReporter } from './publicIp.ts';

/** The agent's own version (its package's). */
export const AGENT_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Cluster facts are read again at most this often (listing nodes is not free on large clusters). */
const FACTS_MAX_AGE_MS = 60_000;

export interface CheckInSessionOptions extends Omit<AgentOptions, 'bus' | 'config' | 'logger'> {
  /** Needs `token` and `platformUrl`. */
  config: AgentConfig;
  logger: Logger;
  /** How the cluster's facts are read (default: the API server's /version and its nodes). */
  facts?: () => Promise<ClusterFacts>;
  fetch?: (url: string, init: HttpRequestInit) => Promise<HttpAnswer>;
  /** Every status change of the bus connection. */
  onBusStatus?: (status: BusStatus) => void;
  /** Retry delay of the first check-in when the platform cannot be reached (default: the check-in interval). */
  firstCheckInRetryMs?: number;
  /**
   * A bus given by the process (the embedded mode: the platform's in-process hub with
   * this cluster's permissions): used instead of one from the answer; no bus credentials
   * are asked for.
   */
  bus?: Bus;
}

export interface CheckInSession {
  readonly agent: Agent;
  readonly bus: Bus;
  /** The last answer of the platform (its `bus.creds` is secret). */
  lastAnswer(): CheckInAnswer;
  /** Checks in now (one at a time; a call during a check-in waits for it). */
  checkInNow(): Promise<void>;
  /** Resolves with why the session ended: `rejected` (token refused) or `stopped`. */
  readonly ended: Promise<'rejected' | 'stopped'>;
  stop(): Promise<void>;
}

/**
 * The agent connected through the platform: it checks in over HTTP(S) with its token
 * (at start and every `checkInIntervalSeconds`), reporting its version, the Kubernetes
 * version, the node count and the region; it connects to NATS with the credentials of
 * the answer (asked again at every reconnection, renewed from `renew_at` on) and runs the
 * agent on that connection. When the connection drops it checks in at once; a refused
 * token (replaced, or the cluster deleted) stops the agent.
 */
export async function startCheckInSession(o: CheckInSessionOptions): Promise<CheckInSession> {
  const { config } = o;
  const token = config.token;
  if (!token) throw new Error('the agent needs its token (MOORING_TOKEN) to check in');
  const logger = o.logger.child({ cluster_id: config.clusterId });
  const intervalMs = config.checkInIntervalSeconds * 1000;
  const readFacts = o.facts ?? (() => readClusterFacts(loadKubeConfig({ kubeconfig: config.kubeconfig })));

  let facts: { value: ClusterFacts; at: number } | undefined;
  const currentFacts = async (): Promise<ClusterFacts> => {
    if (!facts || Date.now() - facts.at > FACTS_MAX_AGE_MS) {
      try {
        facts = { value: await readFacts(), at: Date.now() };
      } catch (e) {
        // a check-in without fresh facts still keeps the cluster online
        if (!facts) throw e;
        logger.warn({ err: e }, 'cluster facts could not be read; the last ones are reported');
      }
    }
    return facts!.value;
  };

  const publicIp = config.publicIp.enabled
    ? new PublicIpReporter({ ...config.publicIp, logger, fetch: o.fetch })
    : undefined;

  let creds: CheckInBus | undefined;
  let agent: Agent | undefined;
  let answer: CheckInAnswer | undefined;
  const once = async (): Promise<CheckInAnswer> => {
    const f = await currentFacts();
    const ip = await publicIp?.current();
    const a = await checkIn({
      platformUrl: config.platformUrl,
      token,
      fetch: o.fetch,
      report: {
        agent_version: AGENT_VERSION,
        kubernetes_version: f.kubernetesVersion,
        node_count: f.nodeCount,
        region: f.region,
        ...(ip ? { public_ip: ip } : {}),
        bus_credentials: o.bus ? false : needsBusCredentials(creds, new Date()),
        ...(agent ? { argocd_connected: !!agent.engine.argocd } : {}),
      },
    });
    if (a.cluster_id !== config.clusterId) {
      throw new CheckInRejectedError(403);
    }
    if (a.bus) creds = a.bus;
    if (a.argocd && agent && !agent.engine.argocd)
      await agent
        .connectArgocd(a.argocd)
        .catch((e: Error) =>
          logger.warn({ err: e.message, url: a.argocd!.url }, 'the stored Argo CD connection did not work'),
        );
    // the Argo CD token is handed on, never kept with the answer
    const { argocd: _handedOn, ...kept } = a;
    answer = kept;
    return kept;
  };

  // the first check-in: retried until the platform answers; a refused token ends the start
  for (;;) {
    try {
      await once();
      break;
    } catch (e) {
      if (e instanceof CheckInRejectedError) throw e;
      logger.warn({ err: e }, 'check-in failed; retrying');
      await new Promise((r) => setTimeout(r, o.firstCheckInRetryMs ?? intervalMs));
    }
  }
  logger.info(
    { bus: o.bus ? 'given' : creds ? 'nats' : config.natsUrl ? 'nats (no credentials)' : 'in-process' },
    'checked in',
  );

  let running: Promise<void> | undefined;
  let endedWith: ((why: 'rejected' | 'stopped') => void) | undefined;
  const ended = new Promise<'rejected' | 'stopped'>((resolve) => {
    endedWith = resolve;
  });
  let stopping: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const stop = (why: 'rejected' | 'stopped') => {
    stopping ??= (async () => {
      clearInterval(timer);
      await agent?.stop();
      await bus.close().catch(() => undefined);
      endedWith?.(why);
    })();
    return stopping;
  };

  const tick = (): Promise<void> => {
    if (stopping) return Promise.resolve();
    running ??= once()
      .then(
        () => undefined,
        (e: unknown) => {
          if (e instanceof CheckInRejectedError) {
            logger.error({ status: e.status }, e.message);
            void stop('rejected');
          } else logger.warn({ err: e }, 'check-in failed');
        },
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const onStatus = (status: BusStatus) => {
    logger.info({ status }, 'bus status');
    o.onBusStatus?.(status);
    // cut off: ask the platform at once whether the token still holds
    if (status === 'reconnecting') void tick();
  };
  const servers = (config.natsUrl ? config.natsUrl.split(',') : (creds?.servers ?? [])).map((s) => s.trim());
  const bus: Bus = o.bus
    ? o.bus
    : creds
      ? await NatsBus.connect({
          servers,
          name: `mooring-agent/${config.clusterId}`,
          creds: () => creds!.creds,
          inboxPrefix: creds.inbox_prefix,
          waitOnFirstConnect: true,
          onStatus,
          onError: (err, subject) => logger.warn({ err, subject }, 'bus error'),
        })
      : servers.length > 0
        ? await NatsBus.connect({
            servers,
            name: `mooring-agent/${config.clusterId}`,
            waitOnFirstConnect: true,
            onStatus,
            onError: (err, subject) => logger.warn({ err, subject }, 'bus error'),
          })
        : new InProcessBus();

  try {
    const {
      config: _c,
      logger: _l,
      facts: _f,
      fetch: _fe,
      onBusStatus: _s,
      firstCheckInRetryMs: _r,
      bus: _b,
      ...rest
    } = o;
    agent = await startAgent({ ...rest, config, bus, logger: o.logger });
  } catch (e) {
    await bus.close().catch(() => undefined);
    throw e;
  }
  timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  // no Argo CD yet (a restart): ask for the stored connection now rather than at the next check-in
  if (!agent.engine.argocd) void tick();

  return {
    agent,
    bus,
    lastAnswer: () => answer!,
    checkInNow: tick,
    ended,
    stop: () => stop('stopped'),
  };
}
