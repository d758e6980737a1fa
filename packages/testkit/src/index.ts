export { type AgentProcess, startAgentProcess } from './agentProcess.ts';
export { type ArgoCd, type ArgoCdOptions, startArgoCd } from './argocd.ts';
export { KIT_CHARTS, type PackagedChart, publishCharts } from './charts.ts';
export { type ControlPlane, startControlPlane } from './controlplane.ts';
export { type FaultProxy, startFaultProxy } from './faultProxy.ts';
export { type GitServer, startGitServer } from './gitserver.ts';
export { ALL_SERVICES, type Kit, type KitInfo, type KitService, startKit } from './kit.ts';
export { clientNodeConfig, createNamespace, eventually, kitClients } from './kube.ts';
export { appendLogLines, criLogLine, serveAttach, servePodLogs } from './kwokLogs.ts';
export { testNamespace } from './namespace.ts';
export {
  baseNatsConfig,
  type NatsCluster,
  type NatsServer,
  runNatsServer,
  startNats,
  startNatsCluster,
} from './nats.ts';
export { type NatsAccountKeys, type NatsOperatorServer, startNatsOperator } from './natsOperator.ts';
export { argocdCrdsDir, binaryPath, binCache, missingBinaries, REPO_ROOT, SHARED_CHARTS } from './paths.ts';
export { freePort } from './ports.ts';
export { type PostgresServer, startPostgres } from './postgres.ts';
export { installExitHooks, ManagedProcess, StartupError, waitUntil } from './process.ts';
export { type OciRegistry, startRegistry } from './registry.ts';
export { type StaticServer, serveDirectory } from './staticserver.ts';
export { VERSIONS } from './versions.ts';
