import { join } from 'node:path';
import {
  ChartCache,
  ChartSourceError,
  type Credentials,
  Helm,
  HelmError,
  HelmRunner,
  RegistryAuthError,
  sortVersionsDesc,
} from '@mooring/helm';
import { sql } from 'kysely';
import { parse } from 'yaml';
import type { UserPrincipal } from '../auth/principal.ts';
import { pageWithTotal } from '../db/pageQuery.ts';
import type { Database } from '../db/types.ts';
import { NotFoundError, UpstreamError, ValidationError } from '../errors.ts';
import type { CredentialsService } from '../gitops/credentials.ts';
import { type Page, type PageRequest, pageOffset, sortModifier, toPage } from '../http/pagination.ts';
import { chartCredentials } from './sources.ts';
import { type CatalogueDatabase, catalogueDb, type RegistryRow } from './tables.ts';
import {
  type ChartView,
  chartView,
  type TemplateView,
  type VersionDetailView,
  type VersionView,
  versionDetailView,
  versionView,
} from './views.ts';

export const CHART_SORT_FIELDS = ['name', 'registry', 'latest_version'] as const;
export type ChartSortField = (typeof CHART_SORT_FIELDS)[number];

export interface TemplateInput {
  /** YAML text, or an object. */
  values?: string | Record<string, unknown>;
  release_name?: string;
  namespace?: string;
  include_crds?: boolean;
}

/** Most `helm template` processes at once. */
const RENDERS_AT_ONCE = 2;

/** The catalogue as people read it: search, versions, a version's files, rendering. */
export class ChartsService {
  readonly #db: CatalogueDatabase;
  readonly #credentials: CredentialsService;
  readonly #cache: ChartCache;
  readonly #helm: Helm;
  #renders = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(o: { db: Database; credentials: CredentialsService; cacheDir: string; helm: string }) {
    this.#db = catalogueDb(o.db);
    this.#credentials = o.credentials;
    this.#cache = new ChartCache({ dir: join(o.cacheDir) });
    this.#helm = new Helm(new HelmRunner({ binary: o.helm }));
  }

  /** Charts of every registry of the organisation whose name or description holds `q`. */
  async search(
    p: UserPrincipal,
    q: { q?: string; registry?: string; deprecated?: boolean },
    page: PageRequest<ChartSortField>,
  ): Promise<Page<ChartView>> {
    let base = this.#db
      .selectFrom('catalogue_charts as c')
      .innerJoin('chart_registries as r', 'r.id', 'c.registry_id')
      .where('r.organization_id', '=', p.organizationId);
    if (q.q) {
      const like = `%${q.q.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      base = base.where((eb) =>
        eb.or([
          eb(sql`lower(c.name)`, 'like', like),
          eb(sql`lower(coalesce(c.description, ''))`, 'like', like),
        ]),
      );
    }
    if (q.registry) base = base.where('r.name', '=', q.registry);
    if (q.deprecated !== undefined) base = base.where('c.deprecated', '=', q.deprecated);
    const order = { name: 'c.name', registry: 'r.name', latest_version: 'c.latest_version' } as const;
    const { rows, total } = await pageWithTotal(
      base
        .selectAll('c')
        .select('r.name as registry')
        .orderBy(order[page.sort.field], sortModifier(page.sort.direction))
        .orderBy('r.name')
        .orderBy('c.name')
        .limit(page.pageSize)
        .offset(pageOffset(page)),
      base.select(sql<string>`count(*)`.as('total')),
    );
    return toPage(rows.map(chartView), total, page);
  }

  /** Every version of a chart, newest first. */
  async versions(
    p: UserPrincipal,
    registry: string,
    chart: string,
    page: { page: number; pageSize: number },
  ): Promise<Page<VersionView> & { chart: ChartView }> {
    const reg = await this.#registry(p, registry);
    const c = await this.#db
      .selectFrom('catalogue_charts')
      .selectAll()
      .where('registry_id', '=', reg.id)
      .where('name', '=', chart)
      .executeTakeFirst();
    if (!c) throw new NotFoundError('chart', `${registry}/${chart}`);
    const rows = await this.#db
      .selectFrom('catalogue_versions')
      .selectAll()
      .where('registry_id', '=', reg.id)
      .where('chart', '=', chart)
      .execute();
    const order = sortVersionsDesc(rows.map((r) => r.version));
    const byVersion = new Map(rows.map((r) => [r.version, r]));
    const items = order
      .slice(pageOffset(page), pageOffset(page) + page.pageSize)
      .map((v) => versionView(reg.name, byVersion.get(v)!));
    return {
      ...toPage(items, rows.length, page),
      chart: chartView({ ...c, registry: reg.name }),
    };
  }

  /** One version with its values.yaml, values.schema.json and README. */
  async version(
    p: UserPrincipal,
    registry: string,
    chart: string,
    version: string,
  ): Promise<VersionDetailView> {
    const reg = await this.#registry(p, registry);
    const row = await this.#db
      .selectFrom('catalogue_versions')
      .selectAll()
      .where('registry_id', '=', reg.id)
      .where('chart', '=', chart)
      .where('version', '=', version)
      .executeTakeFirst();
    if (!row) throw new NotFoundError('chart version', `${registry}/${chart}@${version}`);
    return versionDetailView(reg.name, row);
  }

  /** Renders the version with `helm template` and the given values; nothing touches a cluster. */
  async template(
    p: UserPrincipal,
    registry: string,
    chart: string,
    version: string,
    input: TemplateInput,
  ): Promise<TemplateView> {
    const detail = await this.version(p, registry, chart, version);
    const reg = await this.#registry(p, registry);
    const values = valuesText(input.values);
    let credentials: Credentials | undefined;
    if (reg.credential_name)
      credentials = chartCredentials(
        reg.credential_name,
        await this.#credentials.resolve(reg.organization_id, reg.credential_name),
      );
    let path: string;
    try {
      const resolved = await this.#cache.resolve({
        chart,
        version: detail.version,
        repoUrl: reg.url,
        ...(credentials ? { credentials } : {}),
      });
      path = resolved.path;
    } catch (e) {
      if (e instanceof ChartSourceError || e instanceof RegistryAuthError)
        throw new UpstreamError(`the chart cannot be fetched from ${reg.name}: ${e.message}`, { cause: e });
      throw e;
    }
    const release = input.release_name ?? chart;
    const namespace = input.namespace ?? 'default';
    await this.#slot();
    try {
      const manifest = await this.#helm.template(release, namespace, path, values, {
        includeCrds: input.include_crds === true,
      });
      return {
        registry: reg.name,
        chart,
        version: detail.version,
        release_name: release,
        namespace,
        manifest,
      };
    } catch (e) {
      if (e instanceof HelmError && e.exitCode !== null)
        throw new ValidationError('the chart does not render with these values', [
          { path: 'body.values', message: e.stderr.trim().split('\n').slice(-5).join('\n') || e.message },
        ]);
      throw new UpstreamError(`helm could not run: ${(e as Error).message}`, { cause: e });
    } finally {
      this.#release();
    }
  }

  async #registry(p: UserPrincipal, name: string): Promise<RegistryRow> {
    const reg = await this.#db
      .selectFrom('chart_registries')
      .selectAll()
      .where('organization_id', '=', p.organizationId)
      .where((eb) => eb.or([eb('name', '=', name), eb('id', '=', name)]))
      .executeTakeFirst();
    if (!reg) throw new NotFoundError('registry', name);
    return reg;
  }

  async #slot(): Promise<void> {
    if (this.#renders < RENDERS_AT_ONCE) {
      this.#renders++;
      return;
    }
    await new Promise<void>((r) => this.#waiting.push(r));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#renders--;
  }
}

/** Values for helm as YAML text; bad YAML is a 400 naming `body.values`. */
export function valuesText(values: TemplateInput['values']): string {
  if (values === undefined) return '';
  if (typeof values !== 'string') return JSON.stringify(values);
  try {
    const doc = parse(values) as unknown;
    if (doc !== null && doc !== undefined && (typeof doc !== 'object' || Array.isArray(doc)))
      throw new Error('the values must be a mapping');
  } catch (e) {
    throw new ValidationError('the values are not a YAML mapping', [
      { path: 'body.values', message: (e as Error).message.split('\n')[0] ?? 'invalid YAML' },
    ]);
  }
  return values;
}
