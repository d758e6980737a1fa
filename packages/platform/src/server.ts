import rateLimit from '@fastify/rate-limit';
import { InProcessBus } from '@mooring/bus';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { registerAddonRoutes } from './addons/routes.ts';
import { AddonsService } from './addons/service.ts';
import { ValuesEncryption } from './addons/valuesEncryption.ts';
import type { AgentBus } from './agentbus/types.ts';
import { registerArgocdRoutes } from './argocd/routes.ts';
import { ArgocdService } from './argocd/service.ts';
import { type RegisteredRoute, registerGuard } from './auth/guard.ts';
import { registerAuthRoutes } from './auth/routes.ts';
import { agentTokenHash } from './auth/secrets.ts';
import { AuthService } from './auth/service.ts';
import { UsersService } from './auth/users.ts';
import { buildCatalogue, type Catalogue } from './catalogue/build.ts';
import { registerCatalogueRoutes } from './catalogue/routes.ts';
import { type Clock, systemClock } from './clock.ts';
import { type ClusterHooks, composeClusterHooks } from './clusters/hooks.ts';
import { registerClusterRoutes } from './clusters/routes.ts';
import { ClustersService } from './clusters/service.ts';
import type { PlatformConfig } from './config.ts';
import type { PoolMonitor } from './db/poolMonitor.ts';
import type { Database } from './db/types.ts';
import { registerDraftRoutes } from './drafts/routes.ts';
import { DraftsService } from './drafts/service.ts';
import { withEnginePolicy } from './engines/policy.ts';
import { registerEngineRoutes } from './engines/routes.ts';
import { EnginesService } from './engines/service.ts';
import { buildGitops, type GitopsParts } from './gitops/build.ts';
import type { CredentialsService } from './gitops/credentials.ts';
import { OperationsApplyDispatcher } from './gitops/operationsDispatcher.ts';
import { registerGitopsRoutes } from './gitops/routes.ts';
import type { GitopsService } from './gitops/service.ts';
import { registerHeartbeatRoutes } from './heartbeats/routes.ts';
import { HelmService, registerHelmRoutes } from './helm/index.ts';
import { registerDocs, registerOpenApi } from './http/docs.ts';
import { registerErrorHandling } from './http/errorHandler.ts';
import { registerHealthRoutes } from './http/healthRoutes.ts';
import { registerServerTiming } from './http/serverTiming.ts';
import { registerWebUi } from './http/web.ts';
import { PodLogsForwarder, registerLogRoutes } from './logs/routes.ts';
import { PlatformMetrics, registerMetrics } from './metrics.ts';
import { registerOperationRoutes } from './operations/routes.ts';
import { OperationsService } from './operations/service.ts';
import { KubeForwarder } from './proxy/forward.ts';
import { GrantsService } from './proxy/grantsService.ts';
import { registerProxyRoutes } from './proxy/routes.ts';
import { registerServiceForwardRoutes } from './proxy/serviceForward.ts';
import { KubeTunneler } from './proxy/tunnel.ts';
import { registerResourceRoutes } from './resources/routes.ts';

export const API_VERSION = '0.1.0';

export interface ServerParts {
  config: PlatformConfig;
  db: Database;
  logger: Logger;
  clock?: Clock;
  clusterHooks?: ClusterHooks;
  /** GitOps: the secret key, the apply dispatcher, the git cache. */
  gitops?: GitopsParts;
  /** The agents' bus; without one, nothing that talks to agents is served. */
  agentBus?: AgentBus;
  /** The metrics registry (default: a new one). */
  metrics?: PlatformMetrics;
  /** The database connection pool, for its gauges in `/metrics` (PostgreSQL). */
  pool?: PoolMonitor;
  /** The built web UI served at `/` (default: packages/web/dist); false: none. */
  webDir?: string | false;
}

export interface Server {
  app: FastifyInstance;
  /** Every route under /api/v1 with its declared access. */
  routes(): RegisteredRoute[];
  metrics: PlatformMetrics;
  services: {
    auth: AuthService;
    users: UsersService;
    clusters: ClustersService;
    operations: OperationsService;
    addons: AddonsService;
    gitops: GitopsService;
    credentials: CredentialsService;
    grants: GrantsService;
    catalogue: Catalogue;
    engines: EnginesService;
  };
}

/** Builds the HTTP API from its parts (no logic of its own). Call `app.ready()` or `app.listen()` next. */
export async function buildServer(parts: ServerParts): Promise<Server> {
  const { config, db, logger } = parts;
  const clock = parts.clock ?? systemClock;
  const app: FastifyInstance = Fastify({ loggerInstance: logger as FastifyBaseLogger, trustProxy: false });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  await registerOpenApi(app, API_VERSION);
  await app.register(rateLimit, { global: false });
  const metrics = parts.metrics ?? new PlatformMetrics({ db, clock, pool: parts.pool });
  if (!parts.metrics) app.addHook('onClose', async () => metrics.close());
  registerMetrics(app, { metrics, token: config.metricsToken });
  if (config.serverTiming) registerServerTiming(app);
  // without the agents' bus, commands wait in an in-process queue no agent reads
  const commandBus = parts.agentBus?.bus ?? new InProcessBus();
  if (!parts.agentBus) app.addHook('onClose', () => commandBus.close());

  // syncs apply through the operations service (built below; called only once a sync runs)
  const viaOperations = new OperationsApplyDispatcher({
    operations: { start: (input) => services.operations.start(input) },
    db,
  });
  const gitops = buildGitops(
    { config, db, logger, clock, dispatcher: viaOperations, bus: commandBus },
    parts.gitops,
  );
  const auth = new AuthService({
    db,
    clock,
    sessionTtlSeconds: config.sessionTtlSeconds,
    cacheSeconds: config.authCacheSeconds,
  });
  const services = {
    gitops: gitops.service,
    credentials: gitops.credentials,
    auth,
    users: new UsersService({ db, clock, changed: () => auth.forget() }),
    operations: new OperationsService({
      db,
      clock,
      bus: commandBus,
      logger,
      observer: { finished: (o) => metrics.operationFinished(o.type, o.state) },
      // applies and engine moves carry the cluster's engine choices (default engine, migrated add-ons)
      payloadFor: withEnginePolicy(db),
    }),
    clusters: new ClustersService({
      db,
      clock,
      agentChart: config.agentChart,
      publicUrl: config.publicUrl,
      // an agent that restarted gets its cluster's Argo CD connection back at check-in
      hooks: composeClusterHooks(parts.clusterHooks, gitops.service.hooks, {
        argocdConnection: (c) => argocd.handoff(c.id),
      }),
    }),
  };
  const addons = new AddonsService({ db, clock, bus: commandBus, operations: services.operations });
  const routes = registerGuard(app, {
    user: (secret) => services.auth.authenticate(secret),
    agent: async (secret) => {
      const tokenHash = agentTokenHash(secret);
      return tokenHash ? { kind: 'agent', tokenHash } : undefined;
    },
  });

  registerHealthRoutes(app, { db });
  registerAuthRoutes(app, {
    auth: services.auth,
    users: services.users,
    loginRateLimit: { max: config.loginRateLimitMax, windowSeconds: config.loginRateLimitWindowSeconds },
  });
  registerClusterRoutes(app, { clusters: services.clusters, operations: services.operations });
  registerOperationRoutes(app, { operations: services.operations });
  registerHeartbeatRoutes(app, { db, clock });
  const argocd = new ArgocdService({ db, box: gitops.box, clock, bus: commandBus });
  registerArgocdRoutes(app, { argocd });
  const engines = new EnginesService({ db, clock, bus: commandBus, argocd });
  registerEngineRoutes(app, { engines });
  registerGitopsRoutes(app, { gitops: gitops.service, credentials: gitops.credentials });
  const drafts = new DraftsService({
    db,
    clock,
    logger,
    box: gitops.box,
    cache: gitops.cache,
    credentials: gitops.credentials,
    gitops: gitops.service,
    bus: commandBus,
    providers: {
      ...(config.bitbucketCloudApiUrl ? { bitbucketCloudApiUrl: config.bitbucketCloudApiUrl } : {}),
      ...(config.bitbucketCloudTokenUrl ? { bitbucketCloudTokenUrl: config.bitbucketCloudTokenUrl } : {}),
    },
    ...(config.bitbucketCloudGitUrl ? { bitbucketCloudGitUrl: config.bitbucketCloudGitUrl } : {}),
  });
  registerDraftRoutes(app, { drafts });
  registerAddonRoutes(app, {
    addons,
    valuesEncryption: new ValuesEncryption({
      db,
      connection: (p, clusterId) => drafts.connectionOf(p, clusterId),
      fetcher: gitops.service.definitions,
    }),
  });
  const grants = new GrantsService({ db, clock, clusters: services.clusters, users: services.users });
  await registerProxyRoutes(app, {
    clusters: services.clusters,
    grants,
    auth: services.auth,
    forwarder: new KubeForwarder({ bus: commandBus, logger }),
    tunneler: new KubeTunneler({ bus: commandBus, logger }),
    clock,
    logger,
  });
  registerServiceForwardRoutes(app, { clusters: services.clusters, bus: commandBus });
  registerHelmRoutes(app, {
    helm: new HelmService({ db, bus: commandBus, operations: services.operations }),
  });
  await registerResourceRoutes(app, { clusters: services.clusters, bus: commandBus, clock, logger });
  registerLogRoutes(app, {
    clusters: services.clusters,
    forwarder: new PodLogsForwarder({ bus: commandBus, logger }),
  });
  app.addHook('onClose', () => gitops.service.close());
  const catalogue = buildCatalogue({ config, db, logger, clock, credentials: gitops.credentials });
  registerCatalogueRoutes(app, { registries: catalogue.registries, charts: catalogue.charts });
  app.addHook('onClose', () => catalogue.close());
  await registerDocs(app);
  if (parts.webDir !== false) await registerWebUi(app, parts.webDir);
  return { app, routes, services: { ...services, addons, grants, catalogue, engines }, metrics };
}
