import { sql } from 'kysely';
import { pageWithTotal } from '../db/pageQuery.ts';
import type { Database, OperationRow, OperationStepRow } from '../db/types.ts';
import { COUNT_CAP, type PageRequest, pageOffset, sortModifier } from '../http/pagination.ts';
import type { OperationState } from './machine.ts';

export const OPERATION_SORT_FIELDS = ['created_at', 'updated_at', 'finished_at', 'type', 'state'] as const;
export type OperationSortField = (typeof OPERATION_SORT_FIELDS)[number];
/** The sort fields that may be empty (the others are NOT NULL, so an index serves their order). */
const NULLABLE_SORT_FIELDS: ReadonlySet<OperationSortField> = new Set(['finished_at']);

export interface OperationFilter {
  clusterId?: string;
  type?: string;
  state?: OperationState;
}

export async function findOperation(
  db: Database,
  organizationId: string,
  id: string,
): Promise<OperationRow | undefined> {
  return db
    .selectFrom('operations')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function stepsOf(db: Database, operationId: string): Promise<OperationStepRow[]> {
  return db
    .selectFrom('operation_steps')
    .selectAll()
    .where('operation_id', '=', operationId)
    .orderBy('position')
    .execute();
}

function filtered(db: Database, organizationId: string, filter: OperationFilter) {
  let base = db.selectFrom('operations').where('organization_id', '=', organizationId);
  if (filter.clusterId) base = base.where('cluster_id', '=', filter.clusterId);
  if (filter.type) base = base.where('type', '=', filter.type);
  if (filter.state) base = base.where('state', '=', filter.state);
  return base;
}

/** The query of one page of operations (exported so that its plan can be checked). */
export function operationsPageQuery(
  db: Database,
  organizationId: string,
  filter: OperationFilter,
  p: PageRequest<OperationSortField>,
) {
  return filtered(db, organizationId, filter)
    .selectAll()
    .orderBy(p.sort.field, sortModifier(p.sort.direction, NULLABLE_SORT_FIELDS.has(p.sort.field)))
    .orderBy('id')
    .limit(p.pageSize)
    .offset(pageOffset(p));
}

export async function listOperations(
  db: Database,
  organizationId: string,
  filter: OperationFilter,
  p: PageRequest<OperationSortField>,
): Promise<{ rows: OperationRow[]; total: number; capped: boolean }> {
  // sweeps add an operation per cluster per minute: the count stops at COUNT_CAP
  const { rows, total: n } = await pageWithTotal(
    operationsPageQuery(db, organizationId, filter, p),
    db
      .selectFrom(
        filtered(db, organizationId, filter)
          .select(sql`1`.as('one'))
          .limit(COUNT_CAP + 1)
          .as('counted'),
      )
      .select(sql<string>`count(*)`.as('total')),
  );
  return { rows, total: Math.min(n, COUNT_CAP), capped: n > COUNT_CAP };
}

/** The step a result answers: by its idempotency key, else by the last command id sent. */
export async function findStepForResult(
  db: Database,
  key: string | undefined,
  commandId: string,
): Promise<(OperationStepRow & { cluster_id: string }) | undefined> {
  const find = (column: 'idempotency_key' | 'last_command_id', value: string) =>
    db
      .selectFrom('operation_steps as s')
      .innerJoin('operations as o', 'o.id', 's.operation_id')
      .selectAll('s')
      .select('o.cluster_id')
      .where(`s.${column}`, '=', value)
      .executeTakeFirst();
  if (key) {
    const byKey = await find('idempotency_key', key);
    if (byKey) return byKey;
  }
  return find('last_command_id', commandId);
}

/** Operations not finished (to resume at start). */
export async function activeOperationIds(db: Database): Promise<string[]> {
  const rows = await db
    .selectFrom('operations')
    .select('id')
    .where('state', 'in', ['pending', 'running'])
    .orderBy('created_at')
    .execute();
  return rows.map((r) => r.id);
}

/** Operations with a running step past its timeout at `now`. */
export async function operationsPastTimeout(db: Database, now: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('operation_steps')
    .select('operation_id')
    .distinct()
    .where('state', '=', 'running')
    .where(sql<boolean>`started_at + make_interval(secs => timeout_seconds) <= ${now}`)
    .execute();
  return rows.map((r) => r.operation_id);
}
