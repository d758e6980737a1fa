export { type ClientConnection, connectionOfEvent, connectionsOf, connectionsToKick } from './connz.ts';
export { NatsDisconnector } from './disconnector.ts';
export { EmbeddedAgentBus } from './embeddedAgentBus.ts';
export { NatsAgentBus } from './natsAgentBus.ts';
export { startAgentBus } from './start.ts';
export type { AgentBus, CheckInBus } from './types.ts';
