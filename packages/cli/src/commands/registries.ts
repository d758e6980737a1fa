/** `mooring registries list|add|remove|index|jobs`: the chart registries the platform indexes. */
import { connect, group, parsePlatformArgs, positionals } from '../api/command.ts';
import { ago, serialise, table } from '../api/output.ts';
import { EXIT } from '../exits.ts';
import { UsageError } from '../io.ts';

export interface RegistryView {
  id: string;
  name: string;
  url: string;
  kind: string;
  credential_name: string | null;
  excluded_charts: string[];
  charts: string[];
  interval_seconds: number | null;
  default: boolean;
  indexing: boolean;
  last_indexed_at: string | null;
  last_error: string | null;
  chart_count: number;
  version_count: number;
}

export interface JobView {
  id: string;
  trigger: string;
  state: string;
  started_at: string;
  finished_at: string | null;
  error: string | null;
  versions_indexed: number;
  versions_failed: number;
  versions_removed: number;
  downloads: number;
  versions: { chart: string; version: string; result: string; error?: string }[];
}

/** `30s`, `15m`, `6h`, `1d` or `off` → seconds or null (pure). */
export function parseIndexInterval(v: string): number | null {
  if (v === 'off') return null;
  const m = /^(\d+)(s|m|h|d)$/.exec(v.trim());
  if (!m) throw new UsageError(`--interval must look like 30s, 15m, 6h, 1d or off, got ${JSON.stringify(v)}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/** Seconds as the shortest of `30s`, `15m`, `6h`, `1d`; `off` for none (pure). */
export function intervalText(s: number | null): string {
  if (s === null) return 'off';
  if (s % 86_400 === 0) return `${s / 86_400}d`;
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

export function renderRegistries(items: readonly RegistryView[], now: Date): string {
  if (items.length === 0) return 'no registries\n';
  return table(
    ['NAME', 'KIND', 'URL', 'CHARTS', 'VERSIONS', 'INTERVAL', 'INDEXED', 'ERROR'],
    items.map((r) => [
      `${r.name}${r.default ? ' (default)' : ''}`,
      r.kind,
      r.url,
      r.chart_count,
      r.version_count,
      intervalText(r.interval_seconds),
      r.indexing ? 'indexing' : ago(r.last_indexed_at, now),
      r.last_error?.slice(0, 80),
    ]),
  );
}

export function renderJobs(items: readonly JobView[], now: Date): string {
  if (items.length === 0) return 'no index jobs\n';
  return table(
    ['STARTED', 'TRIGGER', 'STATE', 'INDEXED', 'FAILED', 'REMOVED', 'DOWNLOADS', 'ERROR'],
    items.map((j) => [
      ago(j.started_at, now),
      j.trigger,
      j.state,
      j.versions_indexed,
      j.versions_failed,
      j.versions_removed,
      j.downloads,
      j.error ?? j.versions.find((v) => v.error)?.error?.slice(0, 80),
    ]),
  );
}

const path = (ref: string) => `/registries/${encodeURIComponent(ref)}`;
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      r();
    });
  });

export const registriesCommand = group(
  'registries',
  'the chart registries the platform indexes: list, add, remove, index now, job history',
  {
    list: {
      synopsis: 'list',
      summary: 'every registry: URL, charts and versions found, interval, last index and its error',
      async run(argv, io) {
        const { positionals: p, format, flags } = parsePlatformArgs(argv, {});
        positionals(p, []);
        const items = await connect(flags, io).all<RegistryView>('/registries');
        io.stdout(format === 'text' ? renderRegistries(items, new Date()) : serialise(format, items));
        return EXIT.ok;
      },
    },
    add: {
      synopsis:
        'add NAME URL [--credential NAME] [--exclude CHART]... [--chart CHART]... [--interval DUR|off]',
      summary: 'add a Helm repository (https://…) or an OCI registry (oci://host/path); indexed at once',
      async run(argv, io) {
        const {
          values,
          positionals: p,
          format,
          flags,
        } = parsePlatformArgs(argv, {
          credential: { type: 'string' },
          exclude: { type: 'string', multiple: true },
          chart: { type: 'string', multiple: true },
          interval: { type: 'string' },
        });
        const [name, url] = positionals(p, ['NAME', 'URL']);
        const body = {
          name,
          url,
          ...(values.credential ? { credential_name: values.credential } : {}),
          ...(values.exclude ? { excluded_charts: values.exclude } : {}),
          ...(values.chart ? { charts: values.chart } : {}),
          ...(values.interval !== undefined ? { interval_seconds: parseIndexInterval(values.interval) } : {}),
        };
        const r = await connect(flags, io).post<RegistryView>('/registries', body);
        io.stdout(
          format === 'text'
            ? `added ${r.name} (${r.kind}, ${r.url}), indexed every ${intervalText(r.interval_seconds)}; the first index runs now: mooring registries jobs ${r.name}\n`
            : serialise(format, r),
        );
        return EXIT.ok;
      },
    },
    remove: {
      synopsis: 'remove NAME|ID',
      summary: 'remove a registry and what was indexed from it',
      async run(argv, io) {
        const { positionals: p, format, flags } = parsePlatformArgs(argv, {});
        const [ref] = positionals(p, ['NAME|ID']);
        await connect(flags, io).delete(path(ref!));
        io.stdout(format === 'text' ? `removed ${ref}\n` : serialise(format, { removed: ref }));
        return EXIT.ok;
      },
    },
    index: {
      synopsis: 'index NAME|ID [--watch]',
      summary: 'index now; with --watch wait for the job (exit 1 when it failed)',
      async run(argv, io) {
        const {
          values,
          positionals: p,
          format,
          flags,
        } = parsePlatformArgs(argv, {
          watch: { type: 'boolean' },
        });
        const [ref] = positionals(p, ['NAME|ID']);
        const client = connect(flags, io);
        let job = await client.post<JobView>(`${path(ref!)}/index`);
        while (values.watch && job.state === 'running' && !io.signal?.aborted) {
          await sleep(1000, io.signal);
          const page = await client.get<{ items: JobView[] }>(`${path(ref!)}/jobs`, { page_size: 20 });
          job = page.items.find((j) => j.id === job.id) ?? job;
        }
        if (format !== 'text') io.stdout(serialise(format, job));
        else if (job.state === 'running')
          io.stdout(`indexing ${ref}: job ${job.id}; see it with: mooring registries jobs ${ref}\n`);
        else {
          io.stdout(
            `${ref}: ${job.state}: ${job.versions_indexed} indexed, ${job.versions_failed} failed, ${job.versions_removed} removed, ${job.downloads} downloads${job.error ? `: ${job.error}` : ''}\n`,
          );
          for (const v of job.versions.filter((x) => x.result === 'failed'))
            io.stdout(`  failed ${v.chart} ${v.version}: ${v.error ?? ''}\n`);
        }
        return job.state === 'failed' ? EXIT.failed : EXIT.ok;
      },
    },
    jobs: {
      synopsis: 'jobs NAME|ID',
      summary: 'the registry’s index jobs, newest first',
      async run(argv, io) {
        const { positionals: p, format, flags } = parsePlatformArgs(argv, {});
        const [ref] = positionals(p, ['NAME|ID']);
        const page = await connect(flags, io).get<{ items: JobView[] }>(`${path(ref!)}/jobs`, {
          page_size: 20,
        });
        io.stdout(format === 'text' ? renderJobs(page.items, new Date()) : serialise(format, page.items));
        return EXIT.ok;
      },
    },
  },
  `      --credential NAME   add: a credential of the platform (token or basic; mooring credentials are
                          added with POST /credentials)
      --exclude CHART     add: a chart never indexed (repeatable; * matches any characters)
      --chart CHART       add: for an OCI registry that does not list its repositories, a chart to
                          index (repeatable)
      --interval DUR|off  add: how often to index (10s to 1d, default 1h); off: only on request
      --watch             index: wait for the job to end`,
);
