import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/types.ts';
import type { CredentialsService } from '../gitops/credentials.ts';
import {
  jobState,
  type ListedVersion,
  latestVersion,
  nextIndexAt,
  planVersions,
  retryDue,
  STALE_JOB_MS,
  type StoredVersion,
  type VersionPlan,
  type VersionState,
  versionRetryDelayMs,
} from './decide.ts';
import {
  chartCredentials,
  fetchVersion,
  type Listing,
  listRegistry,
  mapLimit,
  type RegistrySource,
} from './sources.ts';
import { type CatalogueDatabase, catalogueDb, type JobRow, type RegistryRow } from './tables.ts';
import { type JobView, jobView } from './views.ts';

export type JobTrigger = 'schedule' | 'manual' | 'created';

/** One version's outcome in a job's history. */
export interface JobVersionResult {
  chart: string;
  version: string;
  result: 'indexed' | 'failed';
  error?: string;
}

/** Most versions downloaded at once by one job. */
const DOWNLOADS_AT_ONCE = 4;
/** Jobs kept per registry. */
const JOBS_KEPT = 100;
/** Per-version results kept in a job's history. */
const JOB_VERSIONS_KEPT = 1000;

/**
 * Runs index jobs: claims a registry (one job per registry across replicas), lists
 * what it holds with conditional requests, plans (pure, `decide.ts`), downloads what is
 * new or due again, and records the job with a result per version. A version that fails
 * waits with backoff and never stops the others.
 */
export class CatalogueIndexer {
  readonly #db: CatalogueDatabase;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #credentials: CredentialsService;
  readonly #running = new Set<Promise<unknown>>();
  #stopping = false;

  constructor(o: { db: Database; clock: Clock; logger: Logger; credentials: CredentialsService }) {
    this.#db = catalogueDb(o.db);
    this.#clock = o.clock;
    this.#logger = o.logger.child({ component: 'catalogue' });
    this.#credentials = o.credentials;
  }

  /** Runs one job now and waits for it; undefined when the registry already has one running. */
  async run(registryId: string, trigger: JobTrigger): Promise<JobView | undefined> {
    const started = await this.begin(registryId, trigger);
    if (!started) return undefined;
    await started.done;
    return jobView(
      await this.#db
        .selectFrom('catalogue_jobs')
        .selectAll()
        .where('id', '=', started.job.id)
        .executeTakeFirstOrThrow(),
    );
  }

  /**
   * Claims the registry and starts a job in the background; answers the running job
   * (and a promise of its end), or undefined when one already runs.
   */
  async begin(
    registryId: string,
    trigger: JobTrigger,
  ): Promise<{ job: JobRow; done: Promise<void> } | undefined> {
    if (this.#stopping) return undefined;
    const now = this.#clock();
    const row = await this.#db
      .updateTable('chart_registries')
      .set({ indexing_since: now, index_requested: false })
      .where('id', '=', registryId)
      .where((eb) =>
        eb.or([
          eb('indexing_since', 'is', null),
          eb('indexing_since', '<', new Date(now.getTime() - STALE_JOB_MS)),
        ]),
      )
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    const job = await this.#db
      .insertInto('catalogue_jobs')
      .values({ id: randomUUID(), registry_id: row.id, trigger, state: 'running', started_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    const done = this.#execute(row, job.id)
      .catch((err: unknown) => this.#logger.error({ err, registry: row.name }, 'index job broke'))
      .finally(() => this.#running.delete(done));
    this.#running.add(done);
    return { job, done };
  }

  /**
   * Stops: running jobs download nothing more and end (what they did not fetch is
   * fetched by the next job); no job starts. Waits for them.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.idle();
  }

  /** Waits for the jobs this process runs. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  async #execute(reg: RegistryRow, jobId: string): Promise<void> {
    const log = this.#logger.child({ registry: reg.name, job: jobId });
    const results: JobVersionResult[] = [];
    const counts = { fetched: 0, failed: 0, removed: 0, unchanged: 0, downloads: 0, charts: 0 };
    let listing: Listing | undefined;
    let error: string | undefined;
    try {
      const src = await this.#source(reg);
      const stored = await this.#stored(reg.id);
      listing = await listRegistry(src, { etag: reg.etag, lastModified: reg.last_modified });
      const now = this.#clock();
      let plan: VersionPlan;
      if (listing.status === 'unchanged') {
        // nothing new upstream: only versions whose retry is due
        const due = stored.rows.filter((s) => retryDue(s, now));
        plan = { fetch: due.map((s) => stored.listed.get(key(s))!), unchanged: [], waiting: [], remove: [] };
        counts.unchanged = stored.rows.length - due.length;
      } else {
        if (listing.versions.length === 0 && listing.unlisted.length > 0) {
          const [u] = listing.unlisted;
          throw new Error(`no chart could be listed (${listing.unlisted.length}); ${u!.chart}: ${u!.error}`);
        }
        const unlisted = new Set(listing.unlisted.map((u) => u.chart));
        for (const u of listing.unlisted)
          results.push({ chart: u.chart, version: '*', result: 'failed', error: u.error });
        const kept = stored.rows.filter((s) => !unlisted.has(s.chart));
        plan = planVersions(kept, listing.versions, now, src.excluded);
        counts.unchanged = plan.unchanged.length + plan.waiting.length;
        await this.#refreshMetadata(reg.id, plan.unchanged, stored.listed);
        await this.#remove(reg.id, plan.remove);
        counts.removed = plan.remove.length;
        for (const w of plan.waiting) await this.#upsertListed(reg.id, w);
      }
      let skipped = 0;
      await mapLimit(plan.fetch, DOWNLOADS_AT_ONCE, async (v) => {
        if (this.#stopping) {
          skipped++;
          return;
        }
        const attempts = (stored.byKey.get(key(v))?.attempts ?? 0) + 1;
        try {
          const got = await fetchVersion(src, v);
          counts.downloads++;
          await this.#storeIndexed(reg.id, v, got);
          counts.fetched++;
          results.push({ chart: v.chart, version: v.version, result: 'indexed' });
        } catch (e) {
          const message = (e as Error).message;
          counts.failed++;
          await this.#storeFailed(reg.id, v, attempts, message);
          results.push({ chart: v.chart, version: v.version, result: 'failed', error: message });
        }
      });
      if (listing.status === 'listed' && listing.unlisted.length > 0)
        counts.failed += listing.unlisted.length;
      if (skipped > 0) error = `stopped before fetching ${skipped} versions: the platform shut down`;
      counts.charts = await this.#summarise(
        reg.id,
        plan.fetch.length + plan.remove.length > 0 || listing.status === 'listed',
      );
    } catch (e) {
      error = (e as Error).message;
    }
    const finished = this.#clock();
    const state = jobState({
      error,
      fetched: counts.fetched,
      failed: counts.failed,
      removed: counts.removed,
    });
    const failures = error ? reg.failures + 1 : 0;
    await this.#db
      .updateTable('catalogue_jobs')
      .set({
        state,
        finished_at: finished,
        error: error ?? null,
        charts: counts.charts,
        versions_indexed: counts.fetched,
        versions_failed: counts.failed,
        versions_removed: counts.removed,
        versions_unchanged: counts.unchanged,
        downloads: counts.downloads,
        versions: JSON.stringify(results.slice(0, JOB_VERSIONS_KEPT)),
      })
      .where('id', '=', jobId)
      .execute();
    const current = await this.#db
      .selectFrom('chart_registries')
      .select(['interval_seconds'])
      .where('id', '=', reg.id)
      .executeTakeFirst();
    await this.#db
      .updateTable('chart_registries')
      .set({
        indexing_since: null,
        last_indexed_at: finished,
        last_error: error ?? null,
        failures,
        next_index_at: nextIndexAt(finished, current?.interval_seconds ?? reg.interval_seconds, failures),
        ...(error ? {} : { last_success_at: finished }),
        // validators only after a complete listing: else the next 304 would hide what was not stored
        ...(listing?.status === 'listed' && !error
          ? { etag: listing.etag ?? null, last_modified: listing.lastModified ?? null }
          : {}),
      })
      .where('id', '=', reg.id)
      .execute();
    await this.#prune(reg.id);
    // a default registry without Internet access fails every time: keep it out of the log's way
    const level = error && !reg.is_default ? 'warn' : 'debug';
    log[level](
      {
        state,
        error,
        indexed: counts.fetched,
        failed: counts.failed,
        removed: counts.removed,
        downloads: counts.downloads,
      },
      'index job finished',
    );
  }

  async #source(reg: RegistryRow): Promise<RegistrySource> {
    const credentials = reg.credential_name
      ? chartCredentials(
          reg.credential_name,
          await this.#credentials.resolve(reg.organization_id, reg.credential_name),
        )
      : undefined;
    return {
      kind: reg.kind as RegistrySource['kind'],
      url: reg.url,
      ...(credentials ? { credentials } : {}),
      charts: JSON.parse(reg.charts) as string[],
      excluded: JSON.parse(reg.excluded_charts) as string[],
    };
  }

  async #stored(registryId: string) {
    const rows = await this.#db
      .selectFrom('catalogue_versions')
      .select([
        'chart',
        'version',
        'source_digest',
        'state',
        'attempts',
        'next_attempt_at',
        'app_version',
        'description',
        'deprecated',
        'created',
        'urls',
      ])
      .where('registry_id', '=', registryId)
      .execute();
    const stored: StoredVersion[] = rows.map((r) => ({
      chart: r.chart,
      version: r.version,
      sourceDigest: r.source_digest,
      state: r.state as VersionState,
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
    }));
    const listed = new Map<string, ListedVersion>(
      rows.map((r) => [
        key(r),
        {
          chart: r.chart,
          version: r.version,
          ...(r.source_digest ? { sourceDigest: r.source_digest } : {}),
          ...(r.app_version ? { appVersion: r.app_version } : {}),
          ...(r.description ? { description: r.description } : {}),
          deprecated: r.deprecated,
          ...(r.created ? { created: r.created } : {}),
          urls: JSON.parse(r.urls) as string[],
        },
      ]),
    );
    return { rows: stored, listed, byKey: new Map(stored.map((s) => [key(s), s])) };
  }

  /** Listed metadata (app version, deprecation, description) that changed without a new archive. */
  async #refreshMetadata(registryId: string, unchanged: ListedVersion[], held: Map<string, ListedVersion>) {
    for (const v of unchanged) {
      const h = held.get(key(v));
      if (!h || v.appVersion === undefined) continue;
      if (
        h.appVersion === v.appVersion &&
        h.deprecated === (v.deprecated ?? false) &&
        h.description === v.description
      )
        continue;
      await this.#db
        .updateTable('catalogue_versions')
        .set({
          app_version: v.appVersion ?? null,
          description: v.description ?? null,
          deprecated: v.deprecated ?? false,
        })
        .where('registry_id', '=', registryId)
        .where('chart', '=', v.chart)
        .where('version', '=', v.version)
        .execute();
    }
  }

  async #remove(registryId: string, gone: { chart: string; version: string }[]) {
    for (const g of gone)
      await this.#db
        .deleteFrom('catalogue_versions')
        .where('registry_id', '=', registryId)
        .where('chart', '=', g.chart)
        .where('version', '=', g.version)
        .execute();
  }

  #listedColumns(v: ListedVersion) {
    return {
      app_version: v.appVersion ?? null,
      description: v.description ?? null,
      deprecated: v.deprecated ?? false,
      source_digest: v.sourceDigest ?? null,
      created: v.created ?? null,
      urls: JSON.stringify(v.urls ?? []),
    };
  }

  async #upsertListed(registryId: string, v: ListedVersion) {
    await this.#db
      .insertInto('catalogue_versions')
      .values({
        registry_id: registryId,
        chart: v.chart,
        version: v.version,
        state: 'pending',
        ...this.#listedColumns(v),
      })
      .onConflict((oc) => oc.columns(['registry_id', 'chart', 'version']).doUpdateSet(this.#listedColumns(v)))
      .execute();
  }

  async #storeIndexed(
    registryId: string,
    v: ListedVersion,
    got: Awaited<ReturnType<typeof fetchVersion>>,
  ): Promise<void> {
    const c = got.files.chart;
    const cols = {
      ...this.#listedColumns(v),
      // the archive's Chart.yaml is what the version really says (OCI registries list nothing else)
      app_version: c.appVersion ?? v.appVersion ?? null,
      description: c.description ?? v.description ?? null,
      deprecated: c.deprecated === true || v.deprecated === true,
      digest: got.digest,
      state: 'indexed',
      attempts: 0,
      next_attempt_at: null,
      error: null,
      values_yaml: got.files.values,
      values_schema: got.files.schema,
      readme: got.files.readme,
      indexed_at: this.#clock(),
    };
    await this.#db
      .insertInto('catalogue_versions')
      .values({ registry_id: registryId, chart: v.chart, version: v.version, ...cols })
      .onConflict((oc) => oc.columns(['registry_id', 'chart', 'version']).doUpdateSet(cols))
      .execute();
    if (c.icon || c.home)
      await this.#db
        .insertInto('catalogue_charts')
        .values({
          registry_id: registryId,
          name: v.chart,
          icon: c.icon ?? null,
          home: c.home ?? null,
          description: null,
          latest_version: null,
          app_version: null,
        })
        .onConflict((oc) =>
          oc.columns(['registry_id', 'name']).doUpdateSet({ icon: c.icon ?? null, home: c.home ?? null }),
        )
        .execute();
  }

  async #storeFailed(registryId: string, v: ListedVersion, attempts: number, error: string): Promise<void> {
    const cols = {
      ...this.#listedColumns(v),
      state: 'failed',
      attempts,
      next_attempt_at: new Date(this.#clock().getTime() + versionRetryDelayMs(attempts)),
      error: error.slice(0, 2000),
    };
    await this.#db
      .insertInto('catalogue_versions')
      .values({ registry_id: registryId, chart: v.chart, version: v.version, ...cols })
      .onConflict((oc) => oc.columns(['registry_id', 'chart', 'version']).doUpdateSet(cols))
      .execute();
  }

  /** Recomputes each chart's row (latest version, its app version, description, deprecation); answers the chart count. */
  async #summarise(registryId: string, changed: boolean): Promise<number> {
    if (!changed) {
      const n = await this.#db
        .selectFrom('catalogue_charts')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('registry_id', '=', registryId)
        .executeTakeFirstOrThrow();
      return Number(n.n);
    }
    const rows = await this.#db
      .selectFrom('catalogue_versions')
      .select(['chart', 'version', 'app_version', 'description', 'deprecated'])
      .where('registry_id', '=', registryId)
      .execute();
    const byChart = new Map<string, typeof rows>();
    for (const r of rows) byChart.set(r.chart, [...(byChart.get(r.chart) ?? []), r]);
    const now = this.#clock();
    await this.#db.transaction().execute(async (tx) => {
      await tx
        .deleteFrom('catalogue_charts')
        .where('registry_id', '=', registryId)
        .where('name', 'not in', byChart.size > 0 ? [...byChart.keys()] : [''])
        .execute();
      for (const [chart, versions] of byChart) {
        const latest = latestVersion(versions.map((v) => v.version));
        const top = versions.find((v) => v.version === latest) ?? versions[0]!;
        const cols = {
          latest_version: latest ?? null,
          app_version: top.app_version,
          description: top.description ?? versions.find((v) => v.description)?.description ?? null,
          deprecated: top.deprecated,
          version_count: versions.length,
          updated_at: now,
        };
        await tx
          .insertInto('catalogue_charts')
          .values({ registry_id: registryId, name: chart, icon: null, home: null, ...cols })
          .onConflict((oc) => oc.columns(['registry_id', 'name']).doUpdateSet(cols))
          .execute();
      }
    });
    return byChart.size;
  }

  async #prune(registryId: string): Promise<void> {
    const old = await this.#db
      .selectFrom('catalogue_jobs')
      .select('id')
      .where('registry_id', '=', registryId)
      .orderBy('started_at', 'desc')
      .offset(JOBS_KEPT)
      .limit(1000)
      .execute();
    if (old.length > 0)
      await this.#db
        .deleteFrom('catalogue_jobs')
        .where(
          'id',
          'in',
          old.map((o) => o.id),
        )
        .execute();
  }
}

const key = (v: { chart: string; version: string }) => `${v.chart}\u0000${v.version}`;
