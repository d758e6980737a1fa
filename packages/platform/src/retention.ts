import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { Database } from './db/types.ts';
import { pruneHeartbeatHistory } from './heartbeats/queries.ts';

/** How long history is kept (hours). */
export interface RetentionSettings {
  heartbeatHours: number;
  sweepHours: number;
}

/** Rows deleted per statement, so a large backlog never holds long locks. */
const CHUNK = 5000;

/** Deletes finished sweep operations (and their steps) that finished before `before`; answers how many. */
export async function pruneSweepOperations(db: Database, before: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await db
      .deleteFrom('operations')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('operations')
          .select('id')
          .where('type', '=', 'sweep')
          .where('finished_at', '<', before)
          .where('state', 'in', ['success', 'failed', 'cancelled', 'timeout'])
          .limit(CHUNK),
      )
      .executeTakeFirst();
    const n = Number(r.numDeletedRows);
    total += n;
    if (n < CHUNK) return total;
  }
}

/** One pass: heartbeat history and finished sweeps older than their retention (pure of timers). */
export async function pruneHistory(
  db: Database,
  settings: RetentionSettings,
  now: Date,
): Promise<{ heartbeats: number; sweeps: number }> {
  const hours = (h: number) => new Date(now.getTime() - h * 3_600_000);
  const heartbeats = await pruneHeartbeatHistory(db, hours(settings.heartbeatHours));
  const sweeps = await pruneSweepOperations(db, hours(settings.sweepHours));
  return { heartbeats, sweeps };
}

/**
 * Prunes every `everyMs` while `leading()` (one replica prunes: the scheduler's leader).
 * Returns a stop function.
 */
export function startPruning(o: {
  db: Database;
  clock: Clock;
  logger: Logger;
  settings: RetentionSettings;
  leading: () => boolean;
  everyMs?: number;
}): () => Promise<void> {
  const logger = o.logger.child({ component: 'retention' });
  let running: Promise<void> | undefined;
  const pass = () => {
    if (running || !o.leading()) return;
    running = pruneHistory(o.db, o.settings, o.clock())
      .then((n) => {
        if (n.heartbeats + n.sweeps > 0) logger.info(n, 'old heartbeats and sweep operations pruned');
      })
      .catch((err: unknown) => logger.warn({ err }, 'pruning old history failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(pass, o.everyMs ?? 10 * 60_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
