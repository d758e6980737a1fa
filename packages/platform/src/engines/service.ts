import { randomUUID } from 'node:crypto';
import type { Bus } from '@mooring/bus';
import { z } from 'zod';
import { askAgent } from '../agentbus/ask.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import { findCluster } from '../clusters/queries.ts';
import type { Database } from '../db/types.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { addonEngines, readPolicy } from './policy.ts';
import { type Engine, type EngineMigrationRow, enginesDb, type MigrationItemRow } from './tables.ts';

const engineSchema = z.enum(['native', 'argocd']);

/** What to clean up by hand after a decommission when Argo CD keeps running. */
export const MANUAL_CLEANUP = [
  'argocd-cm: remove the `accounts.mooring` key (the account Mooring used)',
  'argocd-rbac-cm: remove the `policy.csv` line that starts with `g, mooring,` (or `p, mooring,`)',
  'Argo CD itself stays installed: uninstall it with the tooling that installed it if nothing else uses it',
];

export const enginesViewSchema = z.object({
  cluster_id: z.string(),
  default_engine: engineSchema,
  decommissioned_at: z.string().nullable(),
  argocd_connected: z.boolean(),
  /** Decommissioning is offered when Argo CD is connected and no add-on runs on it. */
  decommission_offered: z.boolean(),
  addons: z.array(
    z.object({
      name: z.string(),
      namespace: z.string(),
      stack: z.string(),
      engine: engineSchema,
      source: z.enum(['file', 'default', 'migration']),
    }),
  ),
});
export type EnginesView = z.infer<typeof enginesViewSchema>;

export const eligibilityViewSchema = z.object({
  cluster_id: z.string(),
  eligible: z.boolean(),
  addons: z.array(
    z.object({
      addon: z.string(),
      namespace: z.string(),
      application: z.string().optional(),
      eligible: z.boolean(),
      blockers: z.array(z.string()),
      warnings: z.array(z.string()),
      kinds: z.array(
        z.object({
          group: z.string(),
          kind: z.string(),
          count: z.number().int(),
          coverage: z.enum(['rule', 'none-needed', 'generic']),
        }),
      ),
      inFlightSync: z.boolean(),
      multiSource: z.boolean(),
      sync: z.string().optional(),
      health: z.string().optional(),
    }),
  ),
});
export type EligibilityView = z.infer<typeof eligibilityViewSchema>;

export const migrationItemSchema = z.object({
  addon: z.string(),
  namespace: z.string(),
  state: z.enum(['pending', 'running', 'succeeded', 'failed']),
  operation_id: z.string().nullable(),
  message: z.string(),
  report: z.record(z.string(), z.unknown()).nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});

export const migrationViewSchema = z.object({
  id: z.string(),
  cluster_id: z.string(),
  direction: engineSchema,
  state: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  concurrency: z.number().int(),
  decommission: z.boolean(),
  message: z.string(),
  created_by: z.string(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
  items: z.array(migrationItemSchema),
});
export type MigrationView = z.infer<typeof migrationViewSchema>;

export const startMigrationSchema = z.strictObject({
  /** The add-ons to move (default: every add-on on Argo CD). */
  addons: z.array(z.string().min(1).max(253)).min(1).max(500).optional(),
  /** How many add-ons move at once (1-5, default 3). */
  concurrency: z.number().int().min(1).max(5).default(3),
});
export type StartMigration = z.infer<typeof startMigrationSchema>;

export const decommissionViewSchema = z.object({
  state: z.enum(['decommissioned', 'migrating']),
  message: z.string(),
  migration: migrationViewSchema.optional(),
  manual_cleanup: z.array(z.string()),
});
export type DecommissionView = z.infer<typeof decommissionViewSchema>;

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

function itemView(i: MigrationItemRow): z.infer<typeof migrationItemSchema> {
  return {
    addon: i.addon,
    namespace: i.namespace,
    state: i.state,
    operation_id: i.operation_id,
    message: i.message,
    report: i.report ? (JSON.parse(i.report) as Record<string, unknown>) : null,
    started_at: iso(i.started_at),
    finished_at: iso(i.finished_at),
  };
}

function migrationView(m: EngineMigrationRow, items: MigrationItemRow[]): MigrationView {
  return {
    id: m.id,
    cluster_id: m.cluster_id,
    direction: m.direction,
    state: m.state,
    concurrency: m.concurrency,
    decommission: m.decommission,
    message: m.message,
    created_by: m.created_by,
    created_at: iso(m.created_at)!,
    finished_at: iso(m.finished_at),
    items: items.map(itemView),
  };
}

/** What a decommission does to the cluster's Argo CD connection (the Argo CD service). */
export interface ArgocdForgetter {
  /** Revokes the token through the agent (best effort) and deletes the stored credentials; answers what it did. */
  forget(clusterId: string): Promise<string>;
  connected(clusterId: string): Promise<boolean>;
}

/**
 * Engines of a cluster: its default engine, each add-on's engine and where it
 * comes from, the migration to native (eligibility report, per-add-on moves in
 * parallel, resumable; per-add-on rollback to Argo CD) and decommissioning Argo CD.
 * The moves themselves are driven by the MigrationCoordinator.
 */
export class EnginesService {
  readonly #o: {
    db: Database;
    clock: Clock;
    bus?: Bus;
    argocd: ArgocdForgetter;
    requestTimeoutMs?: number;
  };

  constructor(o: {
    db: Database;
    clock: Clock;
    bus?: Bus;
    argocd: ArgocdForgetter;
    requestTimeoutMs?: number;
  }) {
    this.#o = o;
  }

  #e() {
    return enginesDb(this.#o.db);
  }

  async #cluster(p: UserPrincipal, id: string) {
    const row = await findCluster(this.#o.db, p.organizationId, id);
    if (!row) throw new NotFoundError('cluster', id);
    return row;
  }

  async #decommissioned(clusterId: string): Promise<Date | null> {
    const row = await this.#e()
      .selectFrom('cluster_engines')
      .select('decommissioned_at')
      .where('cluster_id', '=', clusterId)
      .executeTakeFirst();
    return row?.decommissioned_at ?? null;
  }

  async view(p: UserPrincipal, clusterId: string): Promise<EnginesView> {
    const c = await this.#cluster(p, clusterId);
    const policy = await readPolicy(this.#o.db, clusterId);
    const addons = addonEngines(JSON.parse(c.definition_files), c.definition_path, policy);
    const decommissioned = await this.#decommissioned(clusterId);
    const connected = await this.#o.argocd.connected(clusterId);
    return {
      cluster_id: clusterId,
      default_engine: policy.default,
      decommissioned_at: iso(decommissioned),
      argocd_connected: connected,
      decommission_offered: connected && !decommissioned && addons.every((a) => a.engine === 'native'),
      addons,
    };
  }

  /** Sets the engine of add-ons that do not name one; never back to `argocd` after a decommission. */
  async setDefault(p: UserPrincipal, clusterId: string, engine: Engine): Promise<EnginesView> {
    await this.#cluster(p, clusterId);
    if (engine === 'argocd' && (await this.#decommissioned(clusterId)))
      throw new ConflictError(
        'Argo CD was decommissioned on this cluster: the default engine cannot go back to argocd',
      );
    await this.#e()
      .insertInto('cluster_engines')
      .values({ cluster_id: clusterId, default_engine: engine })
      .onConflict((oc) =>
        oc.column('cluster_id').doUpdateSet({ default_engine: engine, updated_at: this.#o.clock() }),
      )
      .execute();
    return this.view(p, clusterId);
  }

  /** The eligibility report: each add-on on Argo CD, from its Application (asked of the agent). */
  async eligibility(p: UserPrincipal, clusterId: string): Promise<EligibilityView> {
    const c = await this.#cluster(p, clusterId);
    const reply = await askAgent(
      this.#o.bus,
      clusterId,
      'argocd.eligibility',
      {
        files: JSON.parse(c.definition_files),
        path: c.definition_path,
        engines: await readPolicy(this.#o.db, clusterId),
      },
      { timeoutMs: this.#o.requestTimeoutMs, label: 'eligibility' },
    );
    const addons = eligibilityViewSchema.shape.addons.parse((reply as { addons: unknown }).addons);
    return { cluster_id: clusterId, eligible: addons.every((a) => a.eligible), addons };
  }

  async #running(clusterId: string): Promise<EngineMigrationRow | undefined> {
    return this.#e()
      .selectFrom('engine_migrations')
      .selectAll()
      .where('cluster_id', '=', clusterId)
      .where('state', '=', 'running')
      .executeTakeFirst();
  }

  async #create(
    p: UserPrincipal,
    clusterId: string,
    direction: Engine,
    items: { addon: string; namespace: string }[],
    o: { concurrency: number; decommission: boolean },
  ): Promise<MigrationView> {
    const running = await this.#running(clusterId);
    if (running)
      throw new ConflictError(
        `migration ${running.id} is still running on this cluster: wait for it to finish`,
      );
    const id = randomUUID();
    await this.#e()
      .transaction()
      .execute(async (t) => {
        await t
          .insertInto('engine_migrations')
          .values({
            id,
            organization_id: p.organizationId,
            cluster_id: clusterId,
            direction,
            state: 'running',
            concurrency: o.concurrency,
            decommission: o.decommission,
            message: `moving ${items.length} ${items.length === 1 ? 'add-on' : 'add-ons'} to ${direction}`,
            created_by: p.userId,
          })
          .execute();
        if (items.length)
          await t
            .insertInto('engine_migration_items')
            .values(
              items.map((i) => ({
                migration_id: id,
                addon: i.addon,
                namespace: i.namespace,
                state: 'pending' as const,
              })),
            )
            .execute();
      });
    return this.migration(p, clusterId, id);
  }

  /**
   * Starts the migration to native of the add-ons on Argo CD (or those named):
   * refused (409, with each blocker) while an add-on is not eligible: an
   * in-flight sync, a multi-source Application.
   */
  async startMigration(
    p: UserPrincipal,
    clusterId: string,
    body: StartMigration,
    decommission = false,
  ): Promise<MigrationView> {
    const report = await this.eligibility(p, clusterId);
    let chosen = report.addons;
    if (body.addons) {
      const known = new Map(report.addons.map((a) => [a.addon, a]));
      const unknown = body.addons.filter((a) => !known.has(a));
      if (unknown.length)
        throw new ValidationError('some add-ons cannot be migrated', [
          { path: 'addons', message: `not on Argo CD in this cluster's definition: ${unknown.join(', ')}` },
        ]);
      chosen = body.addons.map((a) => known.get(a)!);
    }
    const blocked = chosen.filter((a) => !a.eligible);
    if (blocked.length)
      throw new ConflictError(
        `not eligible now: ${blocked.map((b) => `${b.addon} (${b.blockers.join('; ')})`).join(', ')}`,
      );
    if (!chosen.length && !decommission)
      throw new ConflictError('no add-on runs on Argo CD: nothing to migrate');
    return this.#create(
      p,
      clusterId,
      'native',
      chosen.map((a) => ({ addon: a.addon, namespace: a.namespace })),
      { concurrency: body.concurrency, decommission },
    );
  }

  /** Hands one migrated add-on back to Argo CD (until Argo CD is decommissioned). */
  async rollback(p: UserPrincipal, clusterId: string, addon: string): Promise<MigrationView> {
    const c = await this.#cluster(p, clusterId);
    if (await this.#decommissioned(clusterId))
      throw new ConflictError('Argo CD was decommissioned on this cluster: add-ons cannot go back to it');
    const policy = await readPolicy(this.#o.db, clusterId);
    const a = addonEngines(JSON.parse(c.definition_files), c.definition_path, policy).find(
      (x) => x.name === addon,
    );
    if (!a) throw new NotFoundError('add-on', addon);
    if (policy.overrides[addon] !== 'native')
      throw new ConflictError(`add-on ${addon} was not migrated from Argo CD: nothing to roll back`);
    return this.#create(p, clusterId, 'argocd', [{ addon, namespace: a.namespace }], {
      concurrency: 1,
      decommission: false,
    });
  }

  async migration(p: UserPrincipal, clusterId: string, id: string): Promise<MigrationView> {
    await this.#cluster(p, clusterId);
    const m = await this.#e()
      .selectFrom('engine_migrations')
      .selectAll()
      .where('id', '=', id)
      .where('cluster_id', '=', clusterId)
      .executeTakeFirst();
    if (!m) throw new NotFoundError('migration', id);
    const items = await this.#e()
      .selectFrom('engine_migration_items')
      .selectAll()
      .where('migration_id', '=', id)
      .orderBy('addon')
      .execute();
    return migrationView(m, items);
  }

  async migrations(p: UserPrincipal, clusterId: string): Promise<MigrationView[]> {
    await this.#cluster(p, clusterId);
    const rows = await this.#e()
      .selectFrom('engine_migrations')
      .selectAll()
      .where('cluster_id', '=', clusterId)
      .orderBy('created_at', 'desc')
      .limit(50)
      .execute();
    const out: MigrationView[] = [];
    for (const m of rows) {
      const items = await this.#e()
        .selectFrom('engine_migration_items')
        .selectAll()
        .where('migration_id', '=', m.id)
        .orderBy('addon')
        .execute();
      out.push(migrationView(m, items));
    }
    return out;
  }

  /**
   * Decommissions Argo CD on the cluster: add-ons still on it migrate first
   * (then the decommission finishes when they all moved and are healthy);
   * the stored credentials are cleared and the account forgotten. Argo CD and
   * the Applications Mooring did not write stay.
   */
  async decommission(p: UserPrincipal, clusterId: string): Promise<DecommissionView> {
    const view = await this.view(p, clusterId);
    if (view.decommissioned_at) throw new ConflictError('Argo CD is already decommissioned on this cluster');
    if (!view.argocd_connected)
      throw new ConflictError('Argo CD is not connected on this cluster: nothing to decommission');
    const left = view.addons.filter((a) => a.engine === 'argocd');
    if (left.length) {
      const m = await this.startMigration(p, clusterId, { concurrency: 3 }, true);
      return {
        state: 'migrating',
        message: `${left.length} ${left.length === 1 ? 'add-on is' : 'add-ons are'} still on Argo CD: migrating them first (migration ${m.id}); Argo CD is decommissioned when they all moved`,
        migration: m,
        manual_cleanup: MANUAL_CLEANUP,
      };
    }
    const message = await this.finishDecommission(clusterId, p.userId);
    return { state: 'decommissioned', message, manual_cleanup: MANUAL_CLEANUP };
  }

  /**
   * Verifies the add-ons' health (none Degraded by the latest sweep or apply), then clears the
   * credentials, records the decommission, and sets the default engine to native for good.
   */
  async finishDecommission(clusterId: string, by: string): Promise<string> {
    const degraded = await this.#o.db
      .withTables<{
        addon_states: { cluster_id: string; kind: string; name: string; state: string; message: string };
      }>()
      .selectFrom('addon_states')
      .select(['name', 'message'])
      .where('cluster_id', '=', clusterId)
      .where('kind', '=', 'addon')
      .where('state', '=', 'Degraded')
      .execute();
    if (degraded.length)
      throw new ConflictError(
        `Argo CD not decommissioned: ${degraded.length === 1 ? 'an add-on is' : 'add-ons are'} not healthy: ${degraded.map((d) => `${d.name} (${d.message})`).join('; ')}`,
      );
    const forgot = await this.#o.argocd.forget(clusterId);
    await this.#e()
      .insertInto('cluster_engines')
      .values({
        cluster_id: clusterId,
        default_engine: 'native',
        decommissioned_at: this.#o.clock(),
        decommissioned_by: by,
      })
      .onConflict((oc) =>
        oc.column('cluster_id').doUpdateSet({
          default_engine: 'native',
          decommissioned_at: this.#o.clock(),
          decommissioned_by: by,
          updated_at: this.#o.clock(),
        }),
      )
      .execute();
    return `Argo CD decommissioned: ${forgot}; Argo CD and the Applications Mooring did not write are untouched`;
  }
}
