export { decode, encode, encodeJson } from './codec.ts';
export {
  BusClosedError,
  BusError,
  type BusIssue,
  BusMessageError,
  BusPermissionError,
  BusSubjectError,
  BusTimeoutError,
  NoRespondersError,
} from './errors.ts';
export { BusHeartbeatPublisher, reconcileLagSeconds } from './heartbeat.ts';
export {
  InProcessBus,
  type InProcessBusOptions,
  InProcessHub,
  type InProcessHubOptions,
  MemoryQueue,
} from './inprocess.ts';
export { NatsBus, type NatsBusOptions, natsConnectionOptions } from './nats.ts';
export {
  agentInboxPrefix,
  agentPermissions,
  allowed,
  type BusOperation,
  type BusPermissions,
  commandAckSubjects,
  commandConsumerInfoSubject,
  commandNextSubject,
  JS_API_PREFIX,
  PLATFORM_INBOX_PREFIX,
  patternCovers,
  platformPermissions,
} from './permissions.ts';
export {
  type CommandEnvelope,
  commandEnvelopeSchema,
  type HeartbeatMessage,
  heartbeatSchema,
  parseWith,
  schemaForSubject,
  validateMessage,
} from './schemas.ts';
export {
  assertClusterId,
  assertPattern,
  assertSubject,
  CLUSTER_ID_PATTERN,
  COMMAND_PREFIX,
  COMMAND_SUBJECTS,
  COMMANDS_STREAM,
  clusterIdOfSubject,
  commandConsumerName,
  commandSubject,
  HEARTBEAT_PREFIX,
  HEARTBEAT_SUBJECTS,
  heartbeatSubject,
  isClusterId,
  RESULT_PREFIX,
  RESULT_SUBJECTS,
  resultSubject,
  subjectMatches,
} from './subjects.ts';
export type {
  Bus,
  BusMessage,
  BusStatus,
  CommandConsumer,
  CommandQueue,
  ConsumeOptions,
  MessageHandler,
  ReceivedCommand,
  RequestOptions,
  SubscribeOptions,
  Unsubscribe,
} from './types.ts';
