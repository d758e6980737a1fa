import { sql } from 'kysely';
import type { AddonStateRow, Database } from '../db/types.ts';
import type { DriftView, MemberObservation } from './readModel.ts';

export async function observationsOf(db: Database, clusterId: string): Promise<AddonStateRow[]> {
  return db.selectFrom('addon_states').selectAll().where('cluster_id', '=', clusterId).execute();
}

/** The stored rows of some of a cluster's members (one query, whatever their number). */
export async function findObservations(
  db: Database,
  clusterId: string,
  members: readonly { kind: string; name: string }[],
): Promise<AddonStateRow[]> {
  if (members.length === 0) return [];
  const wanted = new Set(members.map((m) => `${m.kind}/${m.name}`));
  const rows = await db
    .selectFrom('addon_states')
    .selectAll()
    .where('cluster_id', '=', clusterId)
    .where('name', 'in', [...new Set(members.map((m) => m.name))])
    .execute();
  return rows.filter((r) => wanted.has(`${r.kind}/${r.name}`));
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

/** Stores members' observations, inserted or replaced, in one statement. */
export async function saveObservations(
  db: Database,
  clusterId: string,
  observations: readonly MemberObservation[],
): Promise<void> {
  if (observations.length === 0) return;
  const now = new Date();
  const values = observations.map((o) => ({
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
    updated_at: o.updated_at ?? now,
    inspected_at: o.inspected_at ?? null,
  }));
  await db
    .insertInto('addon_states')
    .values(values)
    .onConflict((oc) =>
      oc.columns(['cluster_id', 'kind', 'name']).doUpdateSet((eb) => ({
        stack: eb.ref('excluded.stack'),
        namespace: eb.ref('excluded.namespace'),
        state: eb.ref('excluded.state'),
        phase: eb.ref('excluded.phase'),
        message: eb.ref('excluded.message'),
        revision: eb.ref('excluded.revision'),
        drifted_objects: eb.ref('excluded.drifted_objects'),
        drift: eb.ref('excluded.drift'),
        behind_git: eb.ref('excluded.behind_git'),
        updated_at: eb.ref('excluded.updated_at'),
        inspected_at: eb.ref('excluded.inspected_at'),
      })),
    )
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

/** A heartbeat's word that a cluster's members were inspected at `at`. */
export interface Inspection {
  clusterId: string;
  at: Date;
}

/** Records many clusters' inspection times in one statement (never moving one back). */
export async function markInspectedAll(db: Database, inspections: readonly Inspection[]): Promise<void> {
  const latest = new Map<string, Date>();
  for (const i of inspections) {
    const seen = latest.get(i.clusterId);
    if (!seen || i.at > seen) latest.set(i.clusterId, i.at);
  }
  if (latest.size === 0) return;
  const values = sql.join([...latest].map(([id, at]) => sql`(${id}, ${at}::timestamptz)`));
  await sql`update addon_states as a set inspected_at = greatest(a.inspected_at, v.at)
    from (values ${values}) as v(cluster_id, at) where a.cluster_id = v.cluster_id`.execute(db);
}
