import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { OFFLINE_AFTER_SECONDS } from '../clusters/state.ts';
import type { Database } from '../db/types.ts';
import type { OperationsService } from '../operations/service.ts';
import { type ScheduleCandidate, spreadOffsets, sweepsDue, tickMs } from './decide.ts';
import type { LeaderLock } from './leader.ts';

export interface SchedulerOptions {
  db: Database;
  clock: Clock;
  operations: OperationsService;
  lock: LeaderLock;
  logger: Logger;
  intervalSeconds: number;
  /** Names this replica in `created_by` (`scheduler@<instance>`). */
  instance: string;
  /** Told whenever leadership changes (metrics). */
  onLeadership?(leader: boolean): void;
  /** How often to look (default from the interval: a quarter of it, 0.2 to 5 s). */
  tickMs?: number;
  /**
   * Over how much of each look's period its due sweeps are spread (default 0.8: a look every 5 s
   * starts its sweeps over 4 s; 0 starts them at once).
   */
  spread?: number;
}

/**
 * The clusters that may be due a sweep at `now`: online, none created within the interval
 * (`sweep_schedule`), none under way (the few active operations, read once). The database
 * narrows (of 2,000 online clusters ~150 are due at a look: only those come back), whatever the
 * number of sweeps kept; `sweepsDue` decides on what it answers.
 */
async function candidates(db: Database, now: Date, intervalSeconds: number): Promise<ScheduleCandidate[]> {
  const onlineSince = new Date(now.getTime() - OFFLINE_AFTER_SECONDS * 1000);
  const sweptAfter = new Date(now.getTime() - intervalSeconds * 1000);
  const rows = await db
    .selectFrom('clusters as c')
    .leftJoin('sweep_schedule as s', 's.cluster_id', 'c.id')
    .select(['c.id', 'c.last_check_in', 's.last_created_at'])
    .where('c.deleted_at', 'is', null)
    .where('c.last_check_in', '>=', onlineSince)
    .where((eb) => eb.or([eb('s.last_created_at', 'is', null), eb('s.last_created_at', '<=', sweptAfter)]))
    // the active sweeps' clusters, read once and hashed (not a probe per cluster)
    .where('c.id', 'not in', (eb) =>
      eb
        .selectFrom('operations as o')
        .select('o.cluster_id')
        .where('o.state', 'in', ['pending', 'running'])
        .where('o.type', '=', 'sweep'),
    )
    .execute();
  return rows.map((r) => ({
    id: r.id,
    lastCheckIn: r.last_check_in,
    lastSweepCreatedAt: r.last_created_at,
    sweepActive: false,
  }));
}

/**
 * Sends a reconcile sweep (an operation of type `sweep` with one `sweep` step) to each
 * online cluster every `intervalSeconds`. Only the replica holding the lock schedules;
 * the others keep trying to take it, every tick.
 */
export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #leader = false;
  #stopped = false;
  readonly #stopping = new AbortController();

  constructor(o: SchedulerOptions) {
    this.#o = o;
    this.#logger = o.logger.child({ component: 'scheduler', instance: o.instance });
  }

  get leader(): boolean {
    return this.#leader;
  }

  start(): void {
    if (this.#timer || this.#stopped) return;
    const every = this.#o.tickMs ?? tickMs(this.#o.intervalSeconds);
    const spreadMs = every * Math.min(1, Math.max(0, this.#o.spread ?? 0.8));
    const tick = () => {
      this.#running ??= this.tick({ spreadMs })
        .then(() => undefined)
        .catch((err: unknown) => this.#logger.warn({ err }, 'scheduling failed'))
        .finally(() => {
          this.#running = undefined;
        });
    };
    this.#timer = setInterval(tick, every);
    this.#timer.unref();
    tick();
  }

  /**
   * One look: lead if possible, then start the sweeps that are due, spread evenly over `spreadMs`
   * (default 0: at once). Answers the clusters swept.
   */
  async tick(o: { spreadMs?: number } = {}): Promise<string[]> {
    if (this.#stopped) return [];
    const leader = await this.#o.lock.tryAcquire();
    if (leader !== this.#leader) {
      this.#leader = leader;
      this.#logger.info({}, leader ? 'leading: this replica schedules sweeps' : 'not leading');
      this.#o.onLeadership?.(leader);
    }
    if (!leader || this.#stopped) return [];
    const now = this.#o.clock();
    const due = sweepsDue(
      await candidates(this.#o.db, now, this.#o.intervalSeconds),
      now,
      this.#o.intervalSeconds,
    );
    const started: string[] = [];
    const offsets = spreadOffsets(due.length, o.spreadMs ?? 0);
    const t0 = performance.now();
    for (const [i, clusterId] of due.entries()) {
      const wait = offsets[i]! - (performance.now() - t0);
      if (wait > 1) await sleep(wait, undefined, { signal: this.#stopping.signal }).catch(() => undefined);
      if (this.#stopped) break;
      try {
        await this.#o.operations.begin({
          clusterId,
          type: 'sweep',
          steps: [{ name: 'sweep', kind: 'sweep' }],
          createdBy: `scheduler@${this.#o.instance}`,
        });
        started.push(clusterId);
      } catch (err) {
        this.#logger.warn({ err, cluster_id: clusterId }, 'could not start a sweep');
      }
    }
    return started;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping.abort();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
    await this.#o.lock.release();
    if (this.#leader) this.#o.onLeadership?.(false);
    this.#leader = false;
  }
}
