import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { PlatformConfig } from '../config.ts';
import type { Database } from '../db/types.ts';
import { EmbeddedAgentBus } from './embeddedAgentBus.ts';
import { NatsAgentBus } from './natsAgentBus.ts';
import type { AgentBus } from './types.ts';

/** NATS when the settings name a server, else the embedded in-process bus. */
export async function startAgentBus(o: {
  config: PlatformConfig;
  db: Database;
  clock: Clock;
  logger: Logger;
}): Promise<AgentBus> {
  if (!o.config.nats) return new EmbeddedAgentBus();
  return NatsAgentBus.start({ settings: o.config.nats, db: o.db, clock: o.clock, logger: o.logger });
}
