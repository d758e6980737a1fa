/** `mooring charts search|info|values|template`: the chart catalogue of the platform's registries. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ApiClient } from '../api/client.ts';
import { connect, group, parsePlatformArgs, positionals } from '../api/command.ts';
import { ago, fields, serialise, table } from '../api/output.ts';
import { EXIT } from '../exits.ts';
import { UsageError } from '../io.ts';

export interface ChartView {
  registry: string;
  name: string;
  description: string | null;
  latest_version: string | null;
  app_version: string | null;
  deprecated: boolean;
  version_count: number;
  home?: string | null;
}

export interface ChartVersionView {
  version: string;
  app_version: string | null;
  deprecated: boolean;
  digest: string | null;
  created: string | null;
  state: string;
  error: string | null;
  indexed_at: string | null;
  has_values: boolean;
  has_schema: boolean;
  has_readme: boolean;
}

export interface ChartVersionDetail extends ChartVersionView {
  registry: string;
  chart: string;
  description: string | null;
  values: string | null;
  values_schema: unknown;
  readme: string | null;
}

/** `REGISTRY/CHART` → its parts (pure). */
export function chartRef(v: string): { registry: string; chart: string } {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(v);
  if (!m) throw new UsageError(`expected REGISTRY/CHART (e.g. bitnami/redis), got ${JSON.stringify(v)}`);
  return { registry: m[1]!, chart: m[2]! };
}

/** Values files merged in order: maps deeply, anything else replaced (pure, like helm's -f). */
export function mergeValues(docs: readonly unknown[]): Record<string, unknown> {
  const merge = (a: unknown, b: unknown): unknown => {
    if (isMap(a) && isMap(b)) {
      const out: Record<string, unknown> = { ...a };
      for (const [k, v] of Object.entries(b)) out[k] = k in out ? merge(out[k], v) : v;
      return out;
    }
    return b;
  };
  return docs.reduce<Record<string, unknown>>(
    (acc, d) => (d == null ? acc : (merge(acc, d) as Record<string, unknown>)),
    {},
  );
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `--set a.b=c`: a value at a dotted path; numbers and booleans as such (pure). */
export function setValue(target: Record<string, unknown>, assignment: string): Record<string, unknown> {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set wants KEY=VALUE, got ${JSON.stringify(assignment)}`);
  const path = assignment.slice(0, eq).split('.');
  const raw = assignment.slice(eq + 1);
  const value: unknown =
    raw === 'true' ? true : raw === 'false' ? false : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  let at: Record<string, unknown> = target;
  for (const k of path.slice(0, -1)) {
    if (!isMap(at[k])) at[k] = {};
    at = at[k] as Record<string, unknown>;
  }
  at[path[path.length - 1]!] = value;
  return target;
}

export function renderCharts(items: readonly ChartView[]): string {
  if (items.length === 0) return 'no charts\n';
  return table(
    ['CHART', 'VERSION', 'APP VERSION', 'DESCRIPTION'],
    items.map((c) => [
      `${c.registry}/${c.name}`,
      c.latest_version,
      c.app_version,
      `${c.deprecated ? '(deprecated) ' : ''}${(c.description ?? '').slice(0, 70)}`,
    ]),
  );
}

export function renderInfo(chart: ChartView, versions: readonly ChartVersionView[], now: Date): string {
  const head = fields([
    ['chart', `${chart.registry}/${chart.name}`],
    ['description', chart.description],
    ['latest version', chart.latest_version],
    ['app version', chart.app_version],
    ['deprecated', chart.deprecated ? 'yes' : 'no'],
    ['home', chart.home],
    ['versions', chart.version_count],
  ]);
  return `${head}\n${table(
    ['VERSION', 'APP VERSION', 'STATE', 'VALUES', 'SCHEMA', 'README', 'INDEXED', 'ERROR'],
    versions.map((v) => [
      `${v.version}${v.deprecated ? ' (deprecated)' : ''}`,
      v.app_version,
      v.state,
      v.has_values ? 'yes' : 'no',
      v.has_schema ? 'yes' : 'no',
      v.has_readme ? 'yes' : 'no',
      ago(v.indexed_at, now),
      v.error,
    ]),
  )}`;
}

const chartPath = (r: { registry: string; chart: string }) =>
  `/charts/${encodeURIComponent(r.registry)}/${encodeURIComponent(r.chart)}`;

/** The version asked for, or the chart's latest. */
async function versionOf(client: ApiClient, r: { registry: string; chart: string }, wanted?: string) {
  if (wanted) return wanted;
  const page = await client.get<{ chart: ChartView }>(`${chartPath(r)}/versions`, { page_size: 1 });
  if (!page.chart.latest_version) throw new UsageError(`${r.registry}/${r.chart} has no version indexed yet`);
  return page.chart.latest_version;
}

const VERSION = { version: { type: 'string' } } as const;

export const chartsCommand = group(
  'charts',
  'the chart catalogue of the platform’s registries: search, show, default values, render',
  {
    search: {
      synopsis: 'search [WORDS] [--registry NAME] [--deprecated]',
      summary: 'charts whose name or description holds WORDS, across every registry',
      async run(argv, io) {
        const {
          values,
          positionals: p,
          format,
          flags,
        } = parsePlatformArgs(argv, {
          registry: { type: 'string' },
          deprecated: { type: 'boolean' },
        });
        const client = connect(flags, io);
        const items = await client.all<ChartView>('/charts', {
          q: p.join(' ') || undefined,
          registry: values.registry,
          deprecated: values.deprecated ? 'true' : undefined,
        });
        io.stdout(format === 'text' ? renderCharts(items) : serialise(format, items));
        return EXIT.ok;
      },
    },
    info: {
      synopsis: 'info REGISTRY/CHART [--version V]',
      summary: 'a chart and its versions (or one version with --version)',
      async run(argv, io) {
        const { values, positionals: p, format, flags } = parsePlatformArgs(argv, VERSION);
        const [ref] = positionals(p, ['REGISTRY/CHART']);
        const r = chartRef(ref!);
        const client = connect(flags, io);
        if (values.version) {
          const v = await client.get<ChartVersionDetail>(
            `${chartPath(r)}/versions/${encodeURIComponent(values.version)}`,
          );
          const { values: _v, values_schema: _s, readme: _r, ...summary } = v;
          io.stdout(
            format === 'text'
              ? fields(Object.entries(summary).map(([k, x]) => [k.replaceAll('_', ' '), x] as const))
              : serialise(format, v),
          );
          return EXIT.ok;
        }
        const first = await client.get<{ chart: ChartView }>(`${chartPath(r)}/versions`, { page_size: 1 });
        const versions = await client.all<ChartVersionView>(`${chartPath(r)}/versions`);
        io.stdout(
          format === 'text'
            ? renderInfo(first.chart, versions, new Date())
            : serialise(format, { chart: first.chart, versions }),
        );
        return EXIT.ok;
      },
    },
    values: {
      synopsis: 'values REGISTRY/CHART [--version V] [--schema|--readme]',
      summary: 'a version’s default values.yaml (comments kept), values.schema.json or README',
      async run(argv, io) {
        const {
          values,
          positionals: p,
          format,
          flags,
        } = parsePlatformArgs(argv, {
          ...VERSION,
          schema: { type: 'boolean' },
          readme: { type: 'boolean' },
        });
        const [ref] = positionals(p, ['REGISTRY/CHART']);
        if (values.schema && values.readme) throw new UsageError('give --schema or --readme, not both');
        const r = chartRef(ref!);
        const client = connect(flags, io);
        const version = await versionOf(client, r, values.version);
        const v = await client.get<ChartVersionDetail>(
          `${chartPath(r)}/versions/${encodeURIComponent(version)}`,
        );
        const what = values.schema ? 'values.schema.json' : values.readme ? 'README' : 'values.yaml';
        const body = values.schema ? v.values_schema : values.readme ? v.readme : v.values;
        if (format !== 'text') {
          io.stdout(
            serialise(format, {
              registry: r.registry,
              chart: r.chart,
              version,
              ...(values.schema
                ? { values_schema: body }
                : values.readme
                  ? { readme: body }
                  : { values: body }),
            }),
          );
          return EXIT.ok;
        }
        if (body === null || body === undefined) {
          io.stderr(`${r.registry}/${r.chart} ${version} has no ${what}\n`);
          return EXIT.failed;
        }
        const text = typeof body === 'string' ? body : `${JSON.stringify(body, null, 2)}\n`;
        io.stdout(text.endsWith('\n') ? text : `${text}\n`);
        return EXIT.ok;
      },
    },
    template: {
      synopsis: 'template REGISTRY/CHART [--version V] [-f FILE]... [--set K=V]...',
      summary: 'render a version with values (helm template on the platform); nothing touches a cluster',
      async run(argv, io) {
        const {
          values,
          positionals: p,
          format,
          flags,
        } = parsePlatformArgs(argv, {
          ...VERSION,
          values: { type: 'string', short: 'f', multiple: true },
          set: { type: 'string', multiple: true },
          release: { type: 'string' },
          namespace: { type: 'string', short: 'n' },
          'include-crds': { type: 'boolean' },
        });
        const [ref] = positionals(p, ['REGISTRY/CHART']);
        const r = chartRef(ref!);
        const docs = (values.values ?? []).map((f) => {
          let text: string;
          try {
            text = readFileSync(resolve(io.cwd, f), 'utf8');
          } catch (e) {
            throw new UsageError(`-f ${f}: ${(e as Error).message}`);
          }
          try {
            return parse(text) as unknown;
          } catch (e) {
            throw new UsageError(`-f ${f}: not YAML: ${(e as Error).message.split('\n')[0]}`);
          }
        });
        const merged = mergeValues(docs);
        for (const s of values.set ?? []) setValue(merged, s);
        const client = connect(flags, io);
        const version = await versionOf(client, r, values.version);
        const out = await client.post<{ manifest: string }>(
          `${chartPath(r)}/versions/${encodeURIComponent(version)}/template`,
          {
            values: stringify(merged),
            ...(values.release ? { release_name: values.release } : {}),
            ...(values.namespace ? { namespace: values.namespace } : {}),
            ...(values['include-crds'] ? { include_crds: true } : {}),
          },
        );
        io.stdout(format === 'text' ? out.manifest : serialise(format, out));
        return EXIT.ok;
      },
    },
  },
  `      --version V         a chart version (default: the latest indexed)
      --registry NAME     search: one registry only
      --deprecated        search: deprecated charts only
      --schema, --readme  values: print values.schema.json or the README instead
  -f, --values FILE       template: a values file (repeatable; later files win, maps merge)
      --set K=V           template: one value at a dotted path (repeatable; after the files)
      --release NAME      template: the release name (default: the chart's name)
  -n, --namespace NS      template: the namespace (default: default)
      --include-crds      template: also print the chart's CRDs`,
);
