import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/types.ts';
import type { StartInput } from '../operations/service.ts';
import { type EngineMigrationRow, enginesDb, type MigrationItemRow } from './tables.ts';

const FINISHED = new Set(['success', 'failed', 'cancelled', 'timeout']);

/** What the coordinator needs from the operations service. */
export interface MigrationOperations {
  start(input: StartInput): Promise<{ id: string }>;
}

/** What happens once a decommissioning migration has moved every add-on. */
export type DecommissionFinisher = (m: EngineMigrationRow) => Promise<string>;

/**
 * Drives engine migrations from the database: each add-on moves in an
 * operation of one step (`argocd.migrate`, or `argocd.return` for a rollback),
 * up to the migration's concurrency at a time. Everything it knows is stored,
 * so a platform that stops (or is killed) resumes where it was: running items
 * are followed through their operations (which resume by themselves), pending
 * ones start. One replica drives at a time (the scheduler's leader).
 */
export class MigrationCoordinator {
  readonly #o: {
    db: Database;
    clock: Clock;
    logger: Logger;
    operations: MigrationOperations;
    leading: () => boolean;
    finishDecommission: DecommissionFinisher;
    tickMs: number;
  };
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(o: {
    db: Database;
    clock: Clock;
    logger: Logger;
    operations: MigrationOperations;
    leading?: () => boolean;
    finishDecommission: DecommissionFinisher;
    tickMs?: number;
  }) {
    this.#o = { leading: () => true, tickMs: 1000, ...o };
  }

  start(): void {
    const loop = () => {
      if (this.#stopped) return;
      this.#running = this.tick()
        .catch((e) => this.#o.logger.error({ err: e }, 'engine migrations: a tick failed'))
        .finally(() => {
          this.#running = undefined;
          if (!this.#stopped) this.#timer = setTimeout(loop, this.#o.tickMs);
        });
    };
    this.#timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  /** One pass over the running migrations (exported for tests: one call advances everything it can). */
  async tick(): Promise<void> {
    if (!this.#o.leading()) return;
    const e = enginesDb(this.#o.db);
    const running = await e
      .selectFrom('engine_migrations')
      .selectAll()
      .where('state', '=', 'running')
      .execute();
    for (const m of running) await this.#advance(m);
  }

  async #advance(m: EngineMigrationRow): Promise<void> {
    const e = enginesDb(this.#o.db);
    const items = await e
      .selectFrom('engine_migration_items')
      .selectAll()
      .where('migration_id', '=', m.id)
      .orderBy('addon')
      .execute();
    for (const it of items.filter((i) => i.state === 'running')) await this.#follow(m, it);
    const now = await e
      .selectFrom('engine_migration_items')
      .selectAll()
      .where('migration_id', '=', m.id)
      .orderBy('addon')
      .execute();
    const active = now.filter((i) => i.state === 'running').length;
    const pending = now.filter((i) => i.state === 'pending');
    for (const it of pending.slice(0, Math.max(0, m.concurrency - active))) await this.#begin(m, it);
    if (now.some((i) => i.state === 'pending' || i.state === 'running')) return;
    await this.#finish(m, now);
  }

  async #begin(m: EngineMigrationRow, it: MigrationItemRow): Promise<void> {
    const cluster = await this.#o.db
      .selectFrom('clusters')
      .innerJoin('cluster_definitions', 'cluster_definitions.cluster_id', 'clusters.id')
      .select(['cluster_definitions.definition_files', 'clusters.definition_path'])
      .where('clusters.id', '=', m.cluster_id)
      .executeTakeFirst();
    const e = enginesDb(this.#o.db);
    if (!cluster) {
      await e
        .updateTable('engine_migration_items')
        .set({ state: 'failed', message: 'the cluster is gone', finished_at: this.#o.clock() })
        .where('migration_id', '=', m.id)
        .where('addon', '=', it.addon)
        .execute();
      return;
    }
    const kind = m.direction === 'native' ? 'argocd.migrate' : 'argocd.return';
    const op = await this.#o.operations.start({
      clusterId: m.cluster_id,
      type: m.direction === 'native' ? 'migrate' : 'migrate-rollback',
      payload: { migration_id: m.id, addon: it.addon },
      createdBy: m.created_by,
      steps: [
        {
          name: m.direction === 'native' ? `migrate ${it.addon} to native` : `return ${it.addon} to Argo CD`,
          kind,
          payload: {
            files: JSON.parse(cluster.definition_files) as Record<string, string>,
            path: cluster.definition_path,
            addon: it.addon,
          },
        },
      ],
    });
    await e
      .updateTable('engine_migration_items')
      .set({ state: 'running', operation_id: op.id, started_at: this.#o.clock(), message: 'moving' })
      .where('migration_id', '=', m.id)
      .where('addon', '=', it.addon)
      .execute();
    this.#o.logger.info(
      { migration_id: m.id, addon: it.addon, operation_id: op.id },
      'engine migration: add-on started',
    );
  }

  async #follow(m: EngineMigrationRow, it: MigrationItemRow): Promise<void> {
    if (!it.operation_id) return;
    const db = this.#o.db;
    const op = await db
      .selectFrom('operations')
      .select(['state', 'message'])
      .where('id', '=', it.operation_id)
      .executeTakeFirst();
    if (op && !FINISHED.has(op.state)) return;
    const step = await db
      .selectFrom('operation_steps')
      .select(['result', 'message'])
      .where('operation_id', '=', it.operation_id)
      .executeTakeFirst();
    const result = step?.result ? (JSON.parse(step.result) as { migration?: unknown }) : undefined;
    const ok = op?.state === 'success';
    await enginesDb(db)
      .transaction()
      .execute(async (t) => {
        await t
          .updateTable('engine_migration_items')
          .set({
            state: ok ? 'succeeded' : 'failed',
            message: step?.message || op?.message || (op ? `operation ${op.state}` : 'the operation is gone'),
            report: result?.migration ? JSON.stringify(result.migration) : null,
            finished_at: this.#o.clock(),
          })
          .where('migration_id', '=', m.id)
          .where('addon', '=', it.addon)
          .execute();
        if (ok)
          await t
            .insertInto('addon_engines')
            .values({ cluster_id: m.cluster_id, addon: it.addon, engine: m.direction, migration_id: m.id })
            .onConflict((oc) =>
              oc.columns(['cluster_id', 'addon']).doUpdateSet({
                engine: m.direction,
                migration_id: m.id,
                changed_at: this.#o.clock(),
              }),
            )
            .execute();
      });
    this.#o.logger.info(
      { migration_id: m.id, addon: it.addon, state: ok ? 'succeeded' : 'failed' },
      'engine migration: add-on finished',
    );
  }

  async #finish(m: EngineMigrationRow, items: MigrationItemRow[]): Promise<void> {
    const failed = items.filter((i) => i.state === 'failed');
    let message =
      failed.length === 0
        ? `${items.length} ${items.length === 1 ? 'add-on' : 'add-ons'} moved to ${m.direction}`
        : `${items.length - failed.length} of ${items.length} moved to ${m.direction}; failed (still on ${m.direction === 'native' ? 'Argo CD' : 'native'}): ${failed.map((f) => f.addon).join(', ')}`;
    if (m.decommission && failed.length === 0) {
      try {
        message += `; ${await this.#o.finishDecommission(m)}`;
      } catch (err) {
        message += `; decommission not done: ${(err as Error).message}`;
        await this.#end(m, 'failed', message);
        return;
      }
    } else if (m.decommission) message += '; Argo CD not decommissioned';
    await this.#end(m, failed.length === 0 ? 'succeeded' : 'failed', message);
  }

  async #end(m: EngineMigrationRow, state: 'succeeded' | 'failed', message: string): Promise<void> {
    await enginesDb(this.#o.db)
      .updateTable('engine_migrations')
      .set({ state, message, finished_at: this.#o.clock() })
      .where('id', '=', m.id)
      .where('state', '=', 'running')
      .execute();
    this.#o.logger.info(
      { migration_id: m.id, cluster_id: m.cluster_id, state, message },
      'engine migration finished',
    );
  }
}
