import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
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

async function candidates(db: Database): Promise<ScheduleCandidate[]> {
  const rows = await db
    .selectFrom('clusters as c')
    .select([
      'c.id',
      'c.last_check_in',
      sql<Date | null>`(select max(o.created_at) from operations o where o.cluster_id = c.id and o.type = 'sweep')`.as(
        'last_sweep',
      ),
      sql<boolean>`exists (select 1 from operations o where o.cluster_id = c.id and o.type = 'sweep' and o.state in ('pending', 'running'))`.as(
        'active',
      ),
    ])
    .where('c.deleted_at', 'is', null)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    lastCheckIn: r.last_check_in,
    lastSweepCreatedAt: r.last_sweep ? new Date(r.last_sweep) : null,
    sweepActive: r.active === true,
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
    const due = sweepsDue(await candidates(this.#o.db), this.#o.clock(), this.#o.intervalSeconds);
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
