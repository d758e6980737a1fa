import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { UserPrincipal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import { pageWithTotal } from '../db/pageQuery.ts';
import type { Database } from '../db/types.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { gitopsDb } from '../gitops/tables.ts';
import { type Page, type PageRequest, pageOffset, sortModifier, toPage } from '../http/pagination.ts';
import { normaliseRegistryUrl, registryKind } from './decide.ts';
import { DEFAULT_REGISTRIES, type DefaultRegistry } from './defaults.ts';
import type { CatalogueIndexer } from './indexer.ts';
import { type CatalogueDatabase, catalogueDb, type RegistryRow } from './tables.ts';
import { type JobView, jobView, type RegistryView, registryView } from './views.ts';

export const REGISTRY_SORT_FIELDS = ['name', 'url', 'kind', 'last_indexed_at', 'created_at'] as const;
export type RegistrySortField = (typeof REGISTRY_SORT_FIELDS)[number];
export const JOB_SORT_FIELDS = ['started_at', 'finished_at', 'state'] as const;
export type JobSortField = (typeof JOB_SORT_FIELDS)[number];

/** Default interval for a registry added without one: hourly. */
export const DEFAULT_INTERVAL_SECONDS = 3600;

export interface NewRegistry {
  name: string;
  url: string;
  credential_name?: string | null;
  excluded_charts?: string[];
  charts?: string[];
  interval_seconds?: number | null;
}
export type RegistryPatch = Partial<NewRegistry>;

/** Chart registries of an organisation: added, changed, removed, indexed on request, their job history. */
export class RegistriesService {
  readonly #db: CatalogueDatabase;
  readonly #raw: Database;
  readonly #clock: Clock;
  readonly #indexer: CatalogueIndexer;
  readonly #logger: Logger;

  constructor(o: { db: Database; clock: Clock; indexer: CatalogueIndexer; logger: Logger }) {
    this.#raw = o.db;
    this.#db = catalogueDb(o.db);
    this.#clock = o.clock;
    this.#indexer = o.indexer;
    this.#logger = o.logger;
  }

  async list(p: UserPrincipal, page: PageRequest<RegistrySortField>): Promise<Page<RegistryView>> {
    const base = this.#db.selectFrom('chart_registries').where('organization_id', '=', p.organizationId);
    const { rows, total } = await pageWithTotal(
      base
        .selectAll()
        .orderBy(page.sort.field, sortModifier(page.sort.direction))
        .orderBy('id')
        .limit(page.pageSize)
        .offset(pageOffset(page)),
      base.select(sql<string>`count(*)`.as('total')),
    );
    return toPage(await this.#views(rows), total, page);
  }

  async get(p: UserPrincipal, id: string): Promise<RegistryView> {
    return (await this.#views([await this.#row(p, id)]))[0]!;
  }

  /** The registry by id or by name. */
  async #row(p: UserPrincipal, idOrName: string): Promise<RegistryRow> {
    const row = await this.#db
      .selectFrom('chart_registries')
      .selectAll()
      .where('organization_id', '=', p.organizationId)
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .executeTakeFirst();
    if (!row) throw new NotFoundError('registry', idOrName);
    return row;
  }

  async create(p: UserPrincipal, input: NewRegistry): Promise<RegistryView> {
    const url = normaliseRegistryUrl(input.url);
    const kind = this.#kind(url);
    this.#checkCharts(kind, input.charts);
    await this.#checkCredential(p.organizationId, input.credential_name);
    await this.#nameFree(p.organizationId, input.name);
    const now = this.#clock();
    const row = await this.#db
      .insertInto('chart_registries')
      .values({
        id: randomUUID(),
        organization_id: p.organizationId,
        name: input.name,
        url,
        kind,
        credential_name: input.credential_name ?? null,
        excluded_charts: JSON.stringify(input.excluded_charts ?? []),
        charts: JSON.stringify(input.charts ?? []),
        interval_seconds:
          input.interval_seconds === undefined ? DEFAULT_INTERVAL_SECONDS : input.interval_seconds,
        // indexed at once by the scheduler, whatever the interval
        index_requested: true,
        etag: null,
        last_modified: null,
        last_error: null,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return (await this.#views([row]))[0]!;
  }

  async update(p: UserPrincipal, id: string, patch: RegistryPatch): Promise<RegistryView> {
    const row = await this.#row(p, id);
    const url = patch.url === undefined ? row.url : normaliseRegistryUrl(patch.url);
    const kind = this.#kind(url);
    this.#checkCharts(kind, patch.charts ?? (JSON.parse(row.charts) as string[]));
    if (patch.credential_name !== undefined)
      await this.#checkCredential(p.organizationId, patch.credential_name);
    if (patch.name !== undefined && patch.name !== row.name)
      await this.#nameFree(p.organizationId, patch.name);
    const sourceChanged =
      url !== row.url ||
      (patch.credential_name !== undefined && patch.credential_name !== row.credential_name) ||
      (patch.charts !== undefined && JSON.stringify(patch.charts) !== row.charts) ||
      (patch.excluded_charts !== undefined && JSON.stringify(patch.excluded_charts) !== row.excluded_charts);
    const updated = await this.#db.transaction().execute(async (tx) => {
      if (url !== row.url) {
        // another source: what the old one held goes
        await tx.deleteFrom('catalogue_versions').where('registry_id', '=', row.id).execute();
        await tx.deleteFrom('catalogue_charts').where('registry_id', '=', row.id).execute();
      }
      return tx
        .updateTable('chart_registries')
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          url,
          kind,
          ...(patch.credential_name !== undefined ? { credential_name: patch.credential_name } : {}),
          ...(patch.excluded_charts !== undefined
            ? { excluded_charts: JSON.stringify(patch.excluded_charts) }
            : {}),
          ...(patch.charts !== undefined ? { charts: JSON.stringify(patch.charts) } : {}),
          ...(patch.interval_seconds !== undefined
            ? { interval_seconds: patch.interval_seconds, next_index_at: null }
            : {}),
          // a changed source is read in full again
          ...(sourceChanged ? { etag: null, last_modified: null, index_requested: true } : {}),
          updated_at: this.#clock(),
        })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return (await this.#views([updated]))[0]!;
  }

  async remove(p: UserPrincipal, id: string): Promise<void> {
    const row = await this.#row(p, id);
    await this.#db.deleteFrom('chart_registries').where('id', '=', row.id).execute();
  }

  /** Index now: a job starts in this replica (or the running one is answered). */
  async indexNow(p: UserPrincipal, id: string): Promise<JobView> {
    const row = await this.#row(p, id);
    const started = await this.#indexer.begin(row.id, 'manual');
    if (started) return jobView(started.job);
    const running = await this.#db
      .selectFrom('catalogue_jobs')
      .selectAll()
      .where('registry_id', '=', row.id)
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!running) throw new ConflictError('an index job of this registry is running');
    return jobView(running);
  }

  async jobs(p: UserPrincipal, id: string, page: PageRequest<JobSortField>): Promise<Page<JobView>> {
    const row = await this.#row(p, id);
    const base = this.#db.selectFrom('catalogue_jobs').where('registry_id', '=', row.id);
    const { rows, total } = await pageWithTotal(
      base
        .selectAll()
        .orderBy(page.sort.field, sortModifier(page.sort.direction))
        .orderBy('id')
        .limit(page.pageSize)
        .offset(pageOffset(page)),
      base.select(sql<string>`count(*)`.as('total')),
    );
    return toPage(rows.map(jobView), total, page);
  }

  /**
   * Lists the curated public registries for every organisation that never had them
   * (once: a registry removed afterwards stays removed). Answers how many were added.
   */
  async seedDefaults(defaults: readonly DefaultRegistry[] = DEFAULT_REGISTRIES): Promise<number> {
    const orgs = await this.#raw
      .selectFrom('organizations')
      .select('id')
      .where('id', 'not in', this.#db.selectFrom('catalogue_seeds').select('organization_id'))
      .execute();
    let added = 0;
    for (const org of orgs) {
      await this.#db.transaction().execute(async (tx) => {
        const now = this.#clock();
        for (const d of defaults) {
          const r = await tx
            .insertInto('chart_registries')
            .values({
              id: randomUUID(),
              organization_id: org.id,
              name: d.name,
              url: d.url,
              kind: registryKind(d.url) ?? 'helm',
              credential_name: null,
              charts: JSON.stringify(d.charts ?? []),
              interval_seconds: d.intervalSeconds,
              is_default: true,
              index_requested: false,
              etag: null,
              last_modified: null,
              last_error: null,
              created_at: now,
              updated_at: now,
            })
            .onConflict((oc) => oc.columns(['organization_id', 'name']).doNothing())
            .executeTakeFirst();
          added += Number(r.numInsertedOrUpdatedRows ?? 0);
        }
        await tx.insertInto('catalogue_seeds').values({ organization_id: org.id }).execute();
      });
    }
    if (added > 0) this.#logger.info({ added }, 'default chart registries listed');
    return added;
  }

  #kind(url: string) {
    const kind = registryKind(url);
    if (!kind)
      throw new ValidationError('the registry URL is not usable', [
        {
          path: 'body.url',
          message:
            'must be an https:// or http:// Helm repository URL (no credentials inside) or oci://host/path',
        },
      ]);
    return kind;
  }

  #checkCharts(kind: string, charts: string[] | undefined) {
    if (kind === 'helm' && charts && charts.length > 0)
      throw new ValidationError('charts is for OCI registries only', [
        {
          path: 'body.charts',
          message: 'a Helm repository lists its charts in index.yaml: leave charts empty',
        },
      ]);
  }

  async #checkCredential(organizationId: string, name: string | null | undefined) {
    if (!name) return;
    const c = await gitopsDb(this.#raw)
      .selectFrom('git_credentials')
      .select('kind')
      .where('organization_id', '=', organizationId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (!c)
      throw new ValidationError('no such credential', [
        {
          path: 'body.credential_name',
          message: `no credential named ${JSON.stringify(name)}: add it with POST /credentials`,
        },
      ]);
    if (c.kind !== 'token' && c.kind !== 'basic')
      throw new ValidationError('the credential cannot authenticate to a registry', [
        {
          path: 'body.credential_name',
          message: `a ${c.kind} credential cannot authenticate to a chart registry: use token or basic`,
        },
      ]);
  }

  async #nameFree(organizationId: string, name: string) {
    const taken = await this.#db
      .selectFrom('chart_registries')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (taken) throw new ConflictError(`a registry named ${JSON.stringify(name)} already exists`);
  }

  async #views(rows: RegistryRow[]): Promise<RegistryView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const counts = (table: 'catalogue_charts' | 'catalogue_versions') =>
      this.#db
        .selectFrom(table)
        .select(['registry_id', sql<string>`count(*)`.as('n')])
        .where('registry_id', 'in', ids)
        .groupBy('registry_id')
        .execute();
    const [charts, versions] = await Promise.all([counts('catalogue_charts'), counts('catalogue_versions')]);
    const c = new Map(charts.map((r) => [r.registry_id, Number(r.n)]));
    const v = new Map(versions.map((r) => [r.registry_id, Number(r.n)]));
    const now = this.#clock();
    return rows.map((r) => registryView(r, { charts: c.get(r.id) ?? 0, versions: v.get(r.id) ?? 0 }, now));
  }
}
