import type { Database } from '../db/types.ts';
import type { StartInput } from '../operations/service.ts';
import type { ApplyDispatcher, ApplyOutcome, ApplyRequest } from './dispatcher.ts';

const FINISHED = new Set(['success', 'failed', 'cancelled', 'timeout']);

/** What this dispatcher needs of the operations service. */
export interface OperationStarter {
  start(input: StartInput): Promise<{ id: string }>;
}

/**
 * Applies through the operations service: one `sync` operation per attempt whose `apply`
 * step sends the agent the commit's files (the agent's `apply` payload: `files`, `path`);
 * the commit, the changed and removed members ride on the operation's payload. Waits for
 * the operation to finish (its state is read from the database, so any replica's consumer
 * of agent results may finish it).
 */
export class OperationsApplyDispatcher implements ApplyDispatcher {
  readonly #ops: OperationStarter;
  readonly #db: Database;
  readonly #pollMs: number;
  #stopped = false;
  readonly #wakers = new Set<() => void>();

  constructor(o: { operations: OperationStarter; db: Database; pollMs?: number }) {
    this.#ops = o.operations;
    this.#db = o.db;
    this.#pollMs = o.pollMs ?? 250;
  }

  async apply(req: ApplyRequest): Promise<ApplyOutcome> {
    const op = await this.#ops.start({
      clusterId: req.clusterId,
      type: 'sync',
      steps: [{ name: 'apply', kind: 'apply', payload: { files: req.files, path: req.path } }],
      payload: {
        sync_id: req.syncId,
        attempt: req.attempt,
        commit: req.commit,
        changed: req.changed,
        removed: req.removed,
      },
      createdBy: 'gitops',
    });
    const db = this.#db.withTables<{ operations: { id: string; state: string; message: string } }>();
    for (;;) {
      const row = await db
        .selectFrom('operations')
        .select(['state', 'message'])
        .where('id', '=', op.id)
        .executeTakeFirst();
      if (!row) return { ok: false, operationId: op.id, message: 'the operation disappeared' };
      if (FINISHED.has(row.state))
        return {
          ok: row.state === 'success',
          operationId: op.id,
          message: row.message || `operation ${row.state}`,
        };
      if (this.#stopped)
        return { ok: false, operationId: op.id, message: 'the platform is stopping (the operation goes on)' };
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#wakers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, this.#pollMs);
        timer.unref();
        this.#wakers.add(wake);
      });
    }
  }

  /** Ends every wait at once (each answers "stopping"); the operations themselves go on. */
  close(): void {
    this.#stopped = true;
    for (const wake of [...this.#wakers]) wake();
  }
}
