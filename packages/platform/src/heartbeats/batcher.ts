import type { HeartbeatMessage } from '@mooring/bus';
import { WriteBatcher, type WriteBatcherOptions } from '../db/writeBatcher.ts';
import type { ReceivedHeartbeat } from './queries.ts';

/** `write` stores one batch and answers the clusters stored (the others were unknown). */
export type HeartbeatBatcherOptions = WriteBatcherOptions<ReceivedHeartbeat, Set<string>>;

/** Heartbeats written in batches (one transaction per batch instead of one per heartbeat). */
export class HeartbeatBatcher extends WriteBatcher<ReceivedHeartbeat, Set<string>> {
  add(heartbeat: HeartbeatMessage, receivedAt: Date): void {
    this.push({ heartbeat, receivedAt });
  }
}
