import type { MemberState } from '@mooring/bus';
import { type Bus, BusHeartbeatPublisher, RESOURCES_RESYNC_REQUEST } from '@mooring/bus';
import { createEngineContext, type EngineContext, objectCache } from '@mooring/engine';
import { acceptDriftHandler, acceptManifestDriftHandler } from './acceptDrift.ts';
import { serveAddonRequests } from './addonRequests.ts';
import { ApiMonitor } from './apiHealth.ts';
import { ARGOCD_CONNECT, argocdFromConfig, argocdHandlers } from './argocd.ts';
import { COMMAND_POOLS } from './commands.ts';
import type { AgentConfig } from './config.ts';
import { CommandDispatcher } from './dispatcher.ts';
import { ELIGIBILITY_REQUEST, eligibilityHandler } from './engineMoves.ts';
import { commandHandlers } from './handlers.ts';
import { type Readiness, readiness } from './health.ts';
import { helmRequestHandlers } from './helmRequests.ts';
import type { Logger } from './logger.ts';
import { servePodLogs } from './logs/podLogs.ts';
import { AgentMetrics } from './metrics.ts';
import { PREVIEW_REQUEST, previewHandler } from './preview.ts';
import { serveKubeProxy } from './proxy/kubeProxy.ts';
import { ReconcileLoop } from './reconcile.ts';
import { startResourceStreamer } from './resources/streamer.ts';
import { checkResult, resultSubject } from './results.ts';
import { SERVICE_FORWARD_REQUEST, serviceForwardHandler } from './serviceForward.ts';
import { addonState, manifestState, stateSubject, statesMessage } from './states.ts';

export interface AgentOptions {
  config: AgentConfig;
  bus: Bus;
  logger: Logger;
  /** Extra environment for helm (HELM_CACHE_HOME, ...), on top of the process's. */
  helmEnv?: Record<string, string>;
  /** Time between probes of the API server (default 5 s). */
  apiProbeMs?: number;
  /** Tuning, mostly for tests: command poll, keep-alive and retry intervals. */
  commandPollMs?: number;
  workingIntervalMs?: number;
  retryDelayMs?: number;
  reconcilerRetryMs?: number;
}

export interface Agent {
  readonly clusterId: string;
  readonly metrics: AgentMetrics;
  readonly engine: EngineContext;
  /** Connects the cluster's Argo CD with a stored token (the platform's answer at check-in after a restart). */
  connectArgocd(c: { url: string; namespace: string; deletion: string; token: string }): Promise<void>;
  /** For `/readyz`. */
  readiness(): Readiness;
  /** Resolves after the reconciler's first sweep. */
  readonly firstSweep: Promise<unknown>;
  /**
   * Graceful stop: stop taking commands, wait for the running ones (up to the
   * configured shutdown timeout), stop the reconciler, close the bus. Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * Starts the agent for one cluster on a connected bus: the reconcile loop (sweeps,
 * heartbeats on `agent.heartbeat.native_reconcile.{cluster_id}`) and the command
 * dispatcher (durable commands from `agent.commands.{cluster_id}`, results on
 * `agent.results.{cluster_id}`).
 */
export async function startAgent(o: AgentOptions): Promise<Agent> {
  const { config, bus } = o;
  const startedAt = new Date();
  const clusterId = config.clusterId;
  const logger = o.logger.child({ cluster_id: clusterId });
  const metrics = new AgentMetrics(clusterId);
  const engine = createEngineContext({
    cluster: clusterId,
    kubeconfig: config.kubeconfig,
    kubernetesHttp2: config.kubernetesHttp2,
    helmBinary: config.helm,
    helmEnv: o.helmEnv,
    chartCacheDir: config.chartCache,
    mirrors: config.chartMirrors,
    // SOPS-encrypted values (encrypted_paths) are decrypted in memory with the cluster's age key
    ...(config.sopsAgeKeyFile ? { sopsAgeKeyFile: config.sopsAgeKeyFile, sopsBinary: config.sops } : {}),
  });
  // add-ons with settings.engine: argocd go through the cluster's Argo CD (configured, or connected later)
  engine.argocd = argocdFromConfig(config);
  // one watch per kind in the process: the reconciler, the applies' health waits and the add-on requests share it
  const objects = objectCache(engine.kc);
  engine.objects = objects;

  let firstSweepDone = false;
  let stopping = false;
  // each member's state and drift after every sweep and re-check: the platform's add-ons view
  const publishStates = (scope: 'sweep' | 'check', members: MemberState[]) => {
    try {
      const subject = stateSubject(clusterId);
      void Promise.resolve(bus.publish(subject, statesMessage(clusterId, scope, members, new Date()))).catch(
        (err: unknown) => logger.warn({ err }, 'publishing member states failed'),
      );
    } catch (err) {
      logger.warn({ err }, 'member states not published');
    }
  };
  const loop = new ReconcileLoop({
    engine,
    intervalMs: config.reconcileIntervalSeconds * 1000,
    autoHeal: config.autoHeal,
    heartbeat: new BusHeartbeatPublisher(bus),
    logger,
    retryMs: o.reconcilerRetryMs,
    onSweep: (r) => {
      const hb = r.heartbeat;
      metrics.sweep({
        durationSeconds: hb.sweep_duration_seconds,
        addonsInspected: hb.addons_inspected,
        helmCalls: r.helmCalls,
        finishedAt: new Date(hb.last_sweep_at),
      });
      if (!firstSweepDone) logger.info({ addons: hb.addons_inspected }, 'first reconcile sweep done');
      firstSweepDone = true;
      logger.debug({ heartbeat: hb, api_requests: r.apiRequests, helm_calls: r.helmCalls }, 'sweep');
      publishStates('sweep', [...r.addons.map(addonState), ...r.manifests.map(manifestState)]);
    },
    onCheck: (a) => publishStates('check', [addonState(a)]),
    onManifestCheck: (m) => publishStates('check', [manifestState(m)]),
  });

  // the API server unreachable: reported (log, /readyz, metric) and the reconciler holds, so
  // nothing is pruned or healed from what a sweep could not read; it resumes when the server answers
  let apiHeld = false;
  const api = new ApiMonitor({
    kc: engine.kc,
    logger,
    intervalMs: o.apiProbeMs,
    onChange: (r) => {
      metrics.kubernetesApi(r.reachable);
      if (!r.reachable && !apiHeld) {
        apiHeld = true;
        void loop.pause();
      } else if (r.reachable && apiHeld) {
        apiHeld = false;
        loop.resume();
      }
    },
  });
  api.start();

  const subject = resultSubject(clusterId);
  const dispatcher = new CommandDispatcher({
    clusterId,
    queue: bus.commands(clusterId),
    handlers: commandHandlers({ engine, reconciler: loop, metrics, startedAt }),
    pools: COMMAND_POOLS,
    maxInFlight: config.natsWorkerMaxWorkers,
    readWorkers: config.readWorkerCount,
    writeWorkers: config.writeWorkerCount,
    publish: (result) => bus.publish(subject, checkResult(subject, result)),
    metrics,
    logger,
    pollMs: o.commandPollMs,
    workingIntervalMs: o.workingIntervalMs,
    retryDelayMs: o.retryDelayMs,
  });
  dispatcher.start();
  // live resources: lists then watches, streamed to the platform
  const resources = await startResourceStreamer({
    bus,
    clusterId,
    kc: engine.kc,
    logger,
    watch: config.k8sWatchEnabled,
    listIntervalMs: config.resourceListIntervalSeconds * 1000,
    dynamicDiscovery: config.dynamicApiDiscovery,
  });
  // Argo CD: connected by the platform's requests, or at check-in with the stored connection after a restart
  const argocd = argocdHandlers(engine, logger);
  // the platform's requests about add-ons (history, events, resource tree)
  const stopRequests = await serveAddonRequests({
    bus,
    clusterId,
    engine,
    logger,
    more: {
      [PREVIEW_REQUEST]: previewHandler(engine),
      ...argocd,
      [ELIGIBILITY_REQUEST]: eligibilityHandler(engine),
      ...helmRequestHandlers(engine),
      [SERVICE_FORWARD_REQUEST]: serviceForwardHandler(engine.kc, config.forwardServiceMaxTimeoutSeconds),
      'addon.accept-drift': acceptDriftHandler(engine, (n, ns) => loop.addonTarget(n, ns)),
      'manifest.accept-drift': acceptManifestDriftHandler(engine, (n) => loop.manifestTarget(n)),
      [RESOURCES_RESYNC_REQUEST]: async () => {
        resources.resync();
        return { ok: true };
      },
    },
  });
  // kubectl through the platform, as the users the platform names
  const kubeProxy = await serveKubeProxy({
    bus,
    clusterId,
    kc: engine.kc,
    logger,
    unaryConcurrency: config.kubeProxyUnaryConcurrency,
    requestMaxAttempts: config.kubernetesRequestMaxAttempts,
    streamConcurrency: config.kubeProxyStreamConcurrency,
  });
  // pod logs for the platform, with credit-based backpressure
  const podLogs = await servePodLogs({
    bus,
    clusterId,
    kc: engine.kc,
    logger,
    concurrency: config.kubeProxyStreamConcurrency,
    http2: config.podLogsHttp2,
  });
  logger.info({ workers: config.natsWorkerMaxWorkers, write: config.writeWorkerCount }, 'agent started');

  let stopped: Promise<void> | undefined;
  const stop = async () => {
    stopping = true;
    const { abandoned } = await dispatcher.stop(config.shutdownTimeoutSeconds * 1000);
    if (abandoned > 0)
      logger.warn(
        { abandoned },
        'commands still running at the shutdown deadline; they will be delivered again',
      );
    api.stop();
    loop.stop();
    await stopRequests();
    objects.stop();
    await kubeProxy.stop();
    await resources.stop();
    await podLogs.stop();
    await bus.close().catch((e: unknown) => logger.warn({ err: e }, 'closing the bus failed'));
    logger.info({}, 'agent stopped');
  };

  return {
    clusterId,
    metrics,
    engine,
    connectArgocd: async (c) => {
      const r = (await argocd[ARGOCD_CONNECT]!(c)) as { error?: string };
      if (r.error) throw new Error(r.error);
    },
    firstSweep: loop.started,
    readiness: () => readiness({ bus: bus.status(), firstSweepDone, stopping, kubernetes: api.state() }),
    stop: () => {
      stopped ??= stop();
      return stopped;
    },
  };
}
