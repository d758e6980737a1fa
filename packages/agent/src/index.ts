export { type Agent, type AgentOptions, startAgent } from './agent.ts';
export {
  type CheckInAnswer,
  type CheckInBus,
  CheckInFailedError,
  CheckInRejectedError,
  type CheckInReport,
  checkIn,
  checkInAnswerSchema,
  checkInUrl,
  needsBusCredentials,
} from './checkin.ts';
export {
  AGENT_VERSION,
  type CheckInSession,
  type CheckInSessionOptions,
  startCheckInSession,
} from './checkinSession.ts';
export {
  type ApplyPayload,
  applyPayloadSchema,
  COMMAND_POOLS,
  type HandlerOutput,
  loadApplyDefinition,
  type Pool,
  sweepPayloadSchema,
} from './commands.ts';
export {
  type AgentConfig,
  ConfigError,
  type ConfigIssue,
  describeConfig,
  envSchema,
  LOG_LEVELS,
  type LogLevel,
  loadConfig,
  SECRET_VARIABLES,
} from './config.ts';
export { CommandDispatcher, type DispatcherOptions } from './dispatcher.ts';
export { type CommandHandler, commandHandlers, type HandlerDeps } from './handlers.ts';
export {
  type HealthServer,
  type HealthServerOptions,
  type Readiness,
  readiness,
  startHealthServer,
} from './health.ts';
export {
  DEFAULT_IDEMPOTENCY_CAPACITY,
  type FinishedWork,
  type IdempotencyDecision,
  IdempotencyRecord,
} from './idempotency.ts';
export { createLogger, type Logger, silentLogger } from './logger.ts';
export { AgentMetrics, type CommandOutcome } from './metrics.ts';
export { ReconcileLoop, type ReconcileLoopOptions, ReconcilerStoppedError } from './reconcile.ts';
export {
  type CommandResult,
  checkResult,
  commandResultSchema,
  RESULT_PREFIX,
  RESULT_SUBJECTS,
  resultSubject,
} from './results.ts';
export { Semaphore } from './semaphore.ts';
