import type { AddonStateRow, Database } from '../db/types.ts';
import type { DriftView, MemberObservation } from './readModel.ts';

export async function observationsOf(db: Database, clusterId: string): Promise<AddonStateRow[]> {
  return db.selectFrom('addon_states').selectAll().where('cluster_id', '=', clusterId).execute();
}

export async function findObservation(
  db: Database,
  clusterId: string,
  kind: string,
  name: string,
): Promise<AddonStateRow | undefined> {
  return db
    .selectFrom('addon_states')
    .selectAll()
    .where('cluster_id', '=', clusterId)
    .where('kind', '=', kind)
    .where('name', '=', name)
    .executeTakeFirst();
}

export function observationOf(r: AddonStateRow): MemberObservation {
  return {
    kind: r.kind as 'addon' | 'manifest',
    name: r.name,
    stack: r.stack,
    ...(r.namespace !== null ? { namespace: r.namespace } : {}),
    state: r.state,
    ...(r.phase !== null ? { phase: r.phase } : {}),
    message: r.message,
    ...(r.revision !== null ? { revision: r.revision } : {}),
    ...(r.drifted_objects !== null ? { drifted_objects: r.drifted_objects } : {}),
    ...(r.drift !== null ? { drift: JSON.parse(r.drift) as DriftView[] } : {}),
    ...(r.behind_git !== null ? { behind_git: r.behind_git } : {}),
    updated_at: r.updated_at,
    ...(r.inspected_at ? { inspected_at: r.inspected_at } : {}),
  };
}

export async function saveObservation(db: Database, clusterId: string, o: MemberObservation): Promise<void> {
  const values = {
    cluster_id: clusterId,
    kind: o.kind,
    name: o.name,
    stack: o.stack ?? '',
    namespace: o.namespace ?? null,
    state: o.state ?? 'Unknown',
    phase: o.phase ?? null,
    message: o.message ?? '',
    revision: o.revision ?? null,
    drifted_objects: o.drifted_objects ?? null,
    drift: o.drift ? JSON.stringify(o.drift) : null,
    behind_git: o.behind_git ?? null,
    updated_at: o.updated_at ?? new Date(),
    inspected_at: o.inspected_at ?? null,
  };
  const { cluster_id: _c, kind: _k, name: _n, ...rest } = values;
  await db
    .insertInto('addon_states')
    .values(values)
    .onConflict((oc) => oc.columns(['cluster_id', 'kind', 'name']).doUpdateSet(rest))
    .execute();
}

export async function removeObservation(
  db: Database,
  clusterId: string,
  kind: string,
  name: string,
): Promise<void> {
  await db
    .deleteFrom('addon_states')
    .where('cluster_id', '=', clusterId)
    .where('kind', '=', kind)
    .where('name', '=', name)
    .execute();
}

export async function markInspected(db: Database, clusterId: string, at: Date): Promise<void> {
  await db
    .updateTable('addon_states')
    .set({ inspected_at: at })
    .where('cluster_id', '=', clusterId)
    .execute();
}
