/** `mooring addons list|get|rollback --cluster NAME|ID`: a cluster's add-ons on the platform. */
import { connect, group, parsePlatformArgs, positionals } from '../api/command.ts';
import { ago, fields, serialise, table } from '../api/output.ts';
import { EXIT } from '../exits.ts';
import { UsageError } from '../io.ts';
import { findCluster } from './clusters.ts';
import { type OperationView, stateOf, watchOperation } from './operations.ts';
import { parseInterval } from './watch.ts';

export interface AddonView {
  name: string;
  stack?: string | null;
  namespace?: string | null;
  chart?: string | null;
  chart_name?: string | null;
  chart_version?: string | null;
  version?: string | null;
  state?: string;
  status?: string;
  health?: string | null;
  revision?: number | null;
  message?: string | null;
  updated_at?: string | null;
}

const chartOf = (a: AddonView) => a.chart_name ?? a.chart ?? null;
const versionOf = (a: AddonView) => a.chart_version ?? a.version ?? null;

export function renderAddons(items: readonly AddonView[], now: Date): string {
  if (items.length === 0) return 'no add-ons\n';
  return table(
    ['NAME', 'STACK', 'CHART', 'VERSION', 'NAMESPACE', 'STATE', 'HEALTH', 'REVISION', 'UPDATED'],
    items.map((a) => [
      a.name,
      a.stack,
      chartOf(a),
      versionOf(a),
      a.namespace,
      stateOf(a),
      a.health,
      a.revision,
      ago(a.updated_at, now),
    ]),
  );
}

export function renderAddon(a: AddonView): string {
  const known = new Set([
    'name',
    'stack',
    'namespace',
    'chart',
    'chart_name',
    'chart_version',
    'version',
    'state',
    'status',
    'health',
    'revision',
    'message',
    'updated_at',
  ]);
  const rest = Object.entries(a).filter(([k, v]) => !known.has(k) && (v === null || typeof v !== 'object'));
  return fields([
    ['name', a.name],
    ['stack', a.stack],
    ['chart', chartOf(a)],
    ['version', versionOf(a)],
    ['namespace', a.namespace],
    ['state', stateOf(a)],
    ['health', a.health],
    ['revision', a.revision],
    ['message', a.message],
    ['updated', a.updated_at],
    ...rest.map(([k, v]) => [k.replaceAll('_', ' '), v] as const),
  ]);
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
        const a = await client.get<AddonView>(path(cluster.id, name));
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
        const r = await client.post<{ operation?: OperationView } & Partial<OperationView>>(
          `${path(cluster.id, name)}/rollback`,
          revision === undefined ? {} : { revision },
        );
        const op = r?.operation ?? (r?.id ? (r as OperationView) : undefined);
        if (values.watch && op) return watchOperation(client, op.id, io, { format, intervalMs });
        if (format !== 'text') io.stdout(serialise(format, r ?? {}));
        else
          io.stdout(
            op
              ? `rollback of ${name} on ${cluster.name}: operation ${op.id} (${stateOf(op)}); follow it with: mooring operations watch ${op.id}\n`
              : `rollback of ${name} on ${cluster.name} requested\n`,
          );
        return EXIT.ok;
      },
    },
  },
  `  -c, --cluster NAME|ID   the cluster (required)
      --revision N        rollback: the Helm revision to return to (default: the previous one)
      --watch             rollback: follow the operation until it ends; the exit code is its result
      --interval DUR      how often --watch asks (default 2s)`,
);
