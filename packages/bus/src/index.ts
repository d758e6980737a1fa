export { decode, encode, encodeJson } from './codec.ts';
export {
  BusClosedError,
  BusError,
  type BusIssue,
  BusMessageError,
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
