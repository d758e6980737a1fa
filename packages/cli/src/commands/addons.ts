/** `mooring addons list|get|rollback --cluster NAME|ID`: a cluster's add-ons on the platform. */
import { connect, group, parsePlatformArgs, positionals } from '../api/command.ts';
import { ago, fields, serialise, table } from '../api/output.ts';
import { EXIT } from '../exits.ts';
import { UsageError } from '../io.ts';
import { findCluster } from './clusters.ts';
import { type OperationView, watchOperation } from './operations.ts';
import { parseInterval } from './watch.ts';

export interface AddonView {
  name: string;
  kind?: string;
  stack?: string;
  chart?: string | null;
  version?: string | null;
  namespace?: string | null;
  /** Pending, Deploying, Synced, Degraded, OutOfSync, Unknown. */
  state?: string;
  /** Healthy, Progressing, Degraded, Suspended, Missing, Unknown. */
  health?: string;
  engine?: string;
  /** The Helm release revision last deployed. */
  revision?: number | null;
  message?: string;
  last_updated?: string | null;
  last_inspected?: string | null;
  in_definition?: boolean;
}

export interface HistoryEntry {
  revision: number;
  status: string;
  chart: string;
  chart_version: string;
  app_version?: string;
  updated?: string;
  description?: string;
}

/** One add-on with what the agent told about it (`null` when it did not answer). */
export interface AddonDetail extends AddonView {
  registry?: string | null;
  history?: HistoryEntry[] | null;
  events?:
    | { type: string; reason: string; message: string; object: string; count: number; last_seen: string }[]
    | null;
  live_errors?: string[];
}

export function renderAddons(items: readonly AddonView[], now: Date): string {
  if (items.length === 0) return 'no add-ons\n';
  return table(
    ['NAME', 'STACK', 'CHART', 'VERSION', 'NAMESPACE', 'STATE', 'HEALTH', 'REVISION', 'UPDATED'],
    items.map((a) => [
      a.name,
      a.stack,
      a.chart,
      a.version,
      a.namespace,
      a.state,
      a.health,
      a.revision,
      ago(a.last_updated, now),
    ]),
  );
}

export function renderAddon(a: AddonDetail): string {
  let out = fields([
    ['name', a.name],
    ['stack', a.stack],
    ['chart', a.chart],
    ['version', a.version],
    ['registry', a.registry],
    ['namespace', a.namespace],
    ['state', a.state],
    ['health', a.health],
    ['engine', a.engine],
    ['revision', a.revision],
    ['message', a.message],
    ['updated', a.last_updated],
    ['inspected', a.last_inspected],
    ...(a.in_definition === false ? [['in definition', 'no (reported by the agent)'] as const] : []),
  ]);
  if (a.history?.length)
    out += `\nHelm history:\n${table(
      ['REVISION', 'STATUS', 'CHART', 'VERSION', 'UPDATED', 'DESCRIPTION'],
      a.history.map((h) => [h.revision, h.status, h.chart, h.chart_version, h.updated, h.description]),
    )}`;
  if (a.events?.length)
    out += `\nEvents:\n${table(
      ['TYPE', 'REASON', 'OBJECT', 'COUNT', 'LAST SEEN', 'MESSAGE'],
      a.events.map((e) => [e.type, e.reason, e.object, e.count, e.last_seen, e.message]),
    )}`;
  for (const e of a.live_errors ?? []) out += `\nnot shown: ${e}`;
  return a.live_errors?.length ? `${out}\n` : out;
}

/** The revision a rollback without --revision returns to: the one before the current (pure). */
export function previousRevision(a: AddonDetail): number | undefined {
  const current = a.revision ?? a.history?.[0]?.revision;
  const earlier = (a.history ?? [])
    .map((h) => h.revision)
    .filter((r) => current === undefined || r < current);
  if (earlier.length > 0) return Math.max(...earlier);
  return current !== undefined && current > 1 ? current - 1 : undefined;
}

const CLUSTER = { cluster: { type: 'string', short: 'c' } } as const;

function clusterRef(v: string | undefined): string {
  if (!v) throw new UsageError('--cluster NAME|ID is required');
  return v;
}

const path = (clusterId: string, name?: string) =>
  `/clusters/${encodeURIComponent(clusterId)}/addons${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;

export const addonsCommand = group(
  'addons',
  'a cluster’s add-ons on the platform: list, show, roll back',
  {
    list: {
      synopsis: 'list --cluster NAME|ID',
      summary: 'every add-on of the cluster: chart, version, state, health',
      async run(argv, io) {
        const { values, positionals: p, format, flags } = parsePlatformArgs(argv, CLUSTER);
        positionals(p, []);
        const client = connect(flags, io);
        const cluster = await findCluster(client, clusterRef(values.cluster));
        const items = await client.all<AddonView>(path(cluster.id));
        io.stdout(format === 'text' ? renderAddons(items, new Date()) : serialise(format, items));
        return EXIT.ok;
      },
    },
    get: {
      synopsis: 'get NAME --cluster NAME|ID',
      summary: 'one add-on',
      async run(argv, io) {
        const { values, positionals: p, format, flags } = parsePlatformArgs(argv, CLUSTER);
        const [name] = positionals(p, ['NAME']);
        const client = connect(flags, io);
        const cluster = await findCluster(client, clusterRef(values.cluster));
        const a = await client.get<AddonDetail>(path(cluster.id, name));
        io.stdout(format === 'text' ? renderAddon(a) : serialise(format, a));
        return EXIT.ok;
      },
    },
    rollback: {
      synopsis: 'rollback NAME --cluster NAME|ID [--revision N] [--watch]',
      summary: 'roll an add-on back to its previous (or the given) Helm revision',
      async run(argv, io) {
        const {
          values,
          positionals: p,
          format,
          flags,
        } = parsePlatformArgs(argv, {
          ...CLUSTER,
          revision: { type: 'string' },
          watch: { type: 'boolean' },
          interval: { type: 'string' },
        });
        const [name] = positionals(p, ['NAME']);
        const revision = values.revision === undefined ? undefined : Number(values.revision);
        if (revision !== undefined && !(Number.isInteger(revision) && revision > 0))
          throw new UsageError(
            `--revision must be a revision number, got ${JSON.stringify(values.revision)}`,
          );
        const intervalMs = parseInterval(values.interval ?? '2s');
        const client = connect(flags, io);
        const cluster = await findCluster(client, clusterRef(values.cluster));
        let to = revision;
        if (to === undefined) {
          to = previousRevision(await client.get<AddonDetail>(path(cluster.id, name)));
          if (to === undefined)
            throw new UsageError(
              `${name} has no earlier revision to return to that is known: give --revision N`,
            );
        }
        const op = await client.post<OperationView>(`${path(cluster.id, name)}/rollback`, { revision: to });
        if (values.watch) return watchOperation(client, op.id, io, { format, intervalMs });
        io.stdout(
          format !== 'text'
            ? serialise(format, op)
            : `rolling ${name} on ${cluster.name} back to revision ${to}: operation ${op.id} (${op.state}); follow it with: mooring operations watch ${op.id}\n`,
        );
        return EXIT.ok;
      },
    },
  },
  `  -c, --cluster NAME|ID   the cluster (required)
      --revision N        rollback: the Helm revision to return to (default: the one before the
                          current, from the release's history)
      --watch             rollback: follow the operation until it ends; the exit code is its result
      --interval DUR      how often --watch asks (default 2s)`,
);
