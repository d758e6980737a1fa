export { bootstrap, CREDENTIALS_FILE, type FirstCredentials } from './auth/bootstrap.ts';
export { API_PREFIX, accessDecision, type RegisteredRoute, UndeclaredAccessError } from './auth/guard.ts';
export type {
  AgentPrincipal,
  Authenticator,
  Principal,
  RouteAccess,
  UserPrincipal,
} from './auth/principal.ts';
export {
  effectiveRole,
  mayAssignRole,
  ROLES,
  type Role,
  roleAtLeast,
  SCOPES,
  type Scope,
} from './auth/roles.ts';
export { AuthService } from './auth/service.ts';
export { UsersService } from './auth/users.ts';
export { type Clock, systemClock } from './clock.ts';
export { validateImport } from './clusters/definition.ts';
export type { CheckInReport, ClusterHooks, ClusterRef } from './clusters/hooks.ts';
export { installCommand } from './clusters/installCommand.ts';
export { importOperation } from './clusters/routes.ts';
export { ClustersService } from './clusters/service.ts';
export { type ClusterState, clusterState, OFFLINE_AFTER_SECONDS } from './clusters/state.ts';
export {
  ConfigError,
  configFromProcess,
  loadConfig,
  type PlatformConfig,
  PROCESS_DEFAULTS,
} from './config.ts';
export { type DatabaseHandle, type DatabaseTarget, openDatabase, pingDatabase } from './db/database.ts';
export { MigrationError, migrateToLatest } from './db/migrate.ts';
export { PGliteDialect } from './db/pgliteDialect.ts';
export type { Database, Tables } from './db/types.ts';
export { isDatabaseUnreachable } from './db/unavailable.ts';
export * from './errors.ts';
export type { GitopsParts } from './gitops/build.ts';
export { CREDENTIAL_KINDS, type CredentialKind, CredentialsService } from './gitops/credentials.ts';
export type { ApplyDispatcher, ApplyOutcome, ApplyRequest } from './gitops/dispatcher.ts';
export { commitUrl, locateRepository, type RepositoryLocation } from './gitops/location.ts';
export {
  reduce as reduceSync,
  SYNC_PHASES,
  SYNC_SOURCES,
  SYNC_STATUSES,
  type SyncEffect,
  type SyncEvent,
  type SyncPhase,
  type SyncSource,
  type SyncState,
  type SyncStatus,
  type Trigger as SyncTrigger,
} from './gitops/machine.ts';
export { OperationsApplyDispatcher } from './gitops/operationsDispatcher.ts';
export { SecretBox, SecretDecryptError, secretKeyFrom } from './gitops/secretBox.ts';
export { loadSecretBox, SECRET_KEY_FILE } from './gitops/secretKeyFile.ts';
export { GitopsService } from './gitops/service.ts';
export { toErrorResponse } from './http/errorMapping.ts';
export { createLogger } from './logger.ts';
export { METRICS_PATH, PlatformMetrics, registerMetrics } from './metrics.ts';
export {
  type Decision,
  decide,
  FINISHED_STATES,
  idempotencyKey,
  isFinished,
  OPERATION_STATES,
  type OperationEvent,
  type OperationSnapshot,
  type OperationState,
  retryable,
  stepDeadline,
} from './operations/machine.ts';
export { OperationsService, type StartInput, type StepInput } from './operations/service.ts';
export type { OperationDetail, OperationView, StepView } from './operations/views.ts';
export { databaseTarget, type RunningPlatform, startPlatform } from './platform.ts';
export { instanceName, type Runtime, startRuntime } from './runtime.ts';
export { sweepDecision, sweepsDue } from './scheduler/decide.ts';
export { type LeaderLock, PgAdvisoryLock, soleLeader } from './scheduler/leader.ts';
export { Scheduler } from './scheduler/scheduler.ts';
export { buildServer, type Server, type ServerParts } from './server.ts';
