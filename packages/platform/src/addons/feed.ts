import {
  type Bus,
  clusterIdOfSubject,
  HEARTBEAT_SUBJECTS,
  heartbeatSchema,
  memberStatesSchema,
  RESULT_SUBJECTS,
  STATE_SUBJECTS,
  type Unsubscribe,
} from '@mooring/bus';
import type { Logger } from 'pino';
import { z } from 'zod';
import { inIngestLane } from '../db/lanes.ts';
import type { Database } from '../db/types.ts';
import { WriteBatcher } from '../db/writeBatcher.ts';
import {
  findObservations,
  type Inspection,
  markInspected,
  markInspectedAll,
  observationOf,
  removeObservation,
  saveObservations,
} from './queries.ts';
import {
  applyObservation,
  changesFromHeartbeat,
  changesFromResult,
  changesFromStates,
  type MemberObservation,
  type ReadModelChange,
  type ResultForReadModel,
} from './readModel.ts';

/** Queue group of the platform replicas: each message feeds the read model once. */
export const ADDONS_QUEUE = 'mooring-platform-addons';

const memberKind = z.enum(['addon', 'manifest']);
/** The parts of a result the read model reads; the rest passes. */
const resultSchema = z.looseObject({
  cluster_id: z.string(),
  kind: z.string(),
  finished_at: z.string(),
  apply: z
    .looseObject({
      members: z.array(
        z.looseObject({
          kind: memberKind,
          name: z.string(),
          stack: z.string(),
          phase: z.string(),
          state: z.string(),
          message: z.string(),
          revision: z.number().int().optional(),
        }),
      ),
      removed: z.array(z.looseObject({ kind: memberKind, name: z.string(), error: z.string().optional() })),
    })
    .optional(),
  sweep: z
    .looseObject({
      heartbeat: z.looseObject({ last_sweep_at: z.string() }),
      members: z.array(
        z.looseObject({
          kind: memberKind,
          name: z.string(),
          namespace: z.string().optional(),
          stack: z.string(),
          state: z.string(),
          drifted_objects: z.number(),
          drift: z
            .array(
              z.object({
                ref: z.string(),
                missing: z.boolean(),
                fields: z.array(z.string()),
                text: z.string().optional(),
              }),
            )
            .optional(),
          behind_git: z.boolean().optional(),
          message: z.string(),
        }),
      ),
    })
    .optional(),
});

/**
 * Stores one message's changes for a cluster: its members' observations read in one query and
 * written in one (a sweep's result is two round trips, whatever the number of members), then
 * removals and the inspection time.
 */
export async function applyChanges(
  db: Database,
  clusterId: string,
  changes: ReadModelChange[],
): Promise<void> {
  const upserts = changes.flatMap((c) => (c.op === 'upsert' ? [c.member] : []));
  if (upserts.length > 0) {
    const key = (m: { kind: string; name: string }) => `${m.kind}/${m.name}`;
    const stored = new Map<string, MemberObservation>(
      (await findObservations(db, clusterId, upserts)).map((r) => [key(r), observationOf(r)]),
    );
    // a member named twice in one message: the second change applies to the first's outcome
    for (const m of upserts) stored.set(key(m), applyObservation(stored.get(key(m)), m));
    await saveObservations(db, clusterId, [...stored.values()]);
  }
  for (const c of changes) {
    if (c.op === 'remove') await removeObservation(db, clusterId, c.kind, c.name);
    else if (c.op === 'inspected') await markInspected(db, clusterId, c.at);
  }
}

/** Feeds agents' results, heartbeats and member states into the add-ons read model. Returns a stop function. */
export async function startAddonsFeed(o: {
  bus: Bus;
  db: Database;
  logger: Logger;
  /** How long heartbeats' inspection times gather before they are written (default 250 ms). */
  inspectionFlushMs?: number;
}): Promise<() => Promise<void>> {
  const logger = o.logger.child({ component: 'addons' });
  const onError = (err: unknown, subject: string) => logger.warn({ err, subject }, 'message not recorded');
  // every agent's heartbeat says its members were just inspected: one statement per 250 ms of them
  const inspections = new WriteBatcher<Inspection>({
    flushMs: o.inspectionFlushMs ?? 250,
    write: (batch) => inIngestLane(() => markInspectedAll(o.db, batch)),
    onError: (err, batch) => logger.warn({ err, heartbeats: batch.length }, 'inspection times not recorded'),
  });
  const subs: Unsubscribe[] = [
    await o.bus.subscribe(
      RESULT_SUBJECTS,
      async (m) => {
        const clusterId = clusterIdOfSubject(m.subject);
        if (clusterId !== m.data.cluster_id) return;
        await applyChanges(o.db, clusterId, changesFromResult(m.data as ResultForReadModel));
      },
      { schema: resultSchema, queue: ADDONS_QUEUE, onError },
    ),
    await o.bus.subscribe(
      HEARTBEAT_SUBJECTS,
      async (m) => {
        const clusterId = clusterIdOfSubject(m.subject);
        if (clusterId !== m.data.cluster_id) return;
        for (const c of changesFromHeartbeat(m.data)) {
          if (c.op === 'inspected') inspections.push({ clusterId, at: c.at });
        }
      },
      { schema: heartbeatSchema, queue: ADDONS_QUEUE, onError },
    ),
    await o.bus.subscribe(
      STATE_SUBJECTS,
      async (m) => {
        const clusterId = clusterIdOfSubject(m.subject);
        if (clusterId !== m.data.cluster_id) return;
        await applyChanges(o.db, clusterId, changesFromStates(m.data));
      },
      { schema: memberStatesSchema, queue: ADDONS_QUEUE, onError },
    ),
  ];
  return async () => {
    for (const u of subs) await u().catch(() => undefined);
    await inspections.flush();
  };
}
