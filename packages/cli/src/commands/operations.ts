/** `mooring operations list|get|watch|retry|cancel`: the platform's stored step machines. */
import type { ApiClient } from '../api/client.ts';
import { connect, group, parsePlatformArgs, positionals, type Subcommand } from '../api/command.ts';
import { ago, fields, type OutputFormat, serialise, table } from '../api/output.ts';
import { EXIT } from '../exits.ts';
import type { Io } from '../io.ts';
import { type ClusterView, findCluster } from './clusters.ts';
import { parseInterval } from './watch.ts';

export interface StepView {
  name: string;
  /** The command kind sent to the agent. */
  kind?: string;
  state: string;
  message?: string;
  /** How many times its command was sent. */
  sends?: number;
  started_at?: string | null;
  finished_at?: string | null;
}

/** An operation as `/api/v1/operations` shows it; `steps` only on one operation. */
export interface OperationView {
  id: string;
  cluster_id?: string;
  /** import, apply, sync, rollback, uninstall, sweep. */
  type?: string;
  /** pending, running, success, failed, cancelled, timeout. */
  state: string;
  message?: string;
  retry_of?: string | null;
  created_at?: string;
  started_at?: string | null;
  finished_at?: string | null;
  steps?: StepView[];
}

/** The states an operation never leaves, and whether each is a success. */
const ENDED: Readonly<Record<string, boolean>> = {
  success: true,
  failed: false,
  cancelled: false,
  timeout: false,
};

export const stateOf = (o: { state?: string; status?: string }): string => o.state ?? o.status ?? 'unknown';

/** `undefined` while the operation runs; else whether it succeeded (pure). */
export function outcome(o: { state?: string; status?: string }): boolean | undefined {
  const s = stateOf(o).toLowerCase();
  return Object.hasOwn(ENDED, s) ? ENDED[s] : undefined;
}

/** The exit code of an ended operation: 0 when it succeeded, 1 otherwise (pure). */
export function exitCodeOfOperation(o: OperationView): number {
  return outcome(o) === true ? EXIT.ok : EXIT.failed;
}

export function renderOperations(
  items: readonly OperationView[],
  now: Date,
  clusterNames?: ReadonlyMap<string, string>,
): string {
  if (items.length === 0) return 'no operations\n';
  return table(
    ['ID', 'TYPE', 'STATE', 'CLUSTER', 'STEPS', 'CREATED', 'FINISHED', 'MESSAGE'],
    items.map((o) => [
      o.id,
      o.type,
      o.state,
      clusterNames?.get(o.cluster_id ?? '') ?? o.cluster_id,
      o.steps ? `${o.steps.filter((s) => outcome(s) === true).length}/${o.steps.length}` : null,
      ago(o.created_at, now),
      ago(o.finished_at, now),
      o.message,
    ]),
  );
}

export function renderOperation(o: OperationView, clusterName?: string): string {
  const head = fields([
    ['id', o.id],
    ['type', o.type],
    ['state', o.state],
    ['message', o.message],
    ['cluster', clusterName ? `${clusterName} (${o.cluster_id})` : o.cluster_id],
    ...(o.retry_of ? [['retry of', o.retry_of] as const] : []),
    ['created', o.created_at],
    ['started', o.started_at],
    ['finished', o.finished_at],
  ]);
  if (!o.steps?.length) return head;
  return `${head}\n${table(
    ['STEP', 'KIND', 'STATE', 'SENDS', 'STARTED', 'FINISHED', 'MESSAGE'],
    o.steps.map((s) => [s.name, s.kind, s.state, s.sends, s.started_at, s.finished_at, s.message]),
  )}`;
}

/** Lines for what changed between two looks at an operation: its state and each step's (pure). */
export function progressLines(before: OperationView | undefined, now: OperationView): string[] {
  const op = `operation ${now.id} (${now.type ?? 'operation'}): ${now.state}${now.message ? ` (${now.message})` : ''}`;
  const lines: string[] = before ? [] : [op];
  const was = new Map((before?.steps ?? []).map((s) => [s.name, s.state]));
  for (const s of now.steps ?? []) {
    if (was.get(s.name) === s.state) continue;
    lines.push(`  step ${s.name}: ${s.state}${s.message ? ` (${s.message})` : ''}`);
  }
  if (before && before.state !== now.state) lines.push(op);
  return lines;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Polls an operation until it ends (or `io.signal` aborts), printing each state
 * change (text) and finally the operation (json/yaml); the exit code is its result.
 */
export async function watchOperation(
  client: ApiClient,
  id: string,
  io: Io,
  o: { format: OutputFormat; intervalMs: number },
): Promise<number> {
  let last: OperationView | undefined;
  for (;;) {
    const op: OperationView = await client.get<OperationView>(`/operations/${encodeURIComponent(id)}`);
    if (o.format === 'text') for (const line of progressLines(last, op)) io.stdout(`${line}\n`);
    last = op;
    if (outcome(op) !== undefined || io.signal?.aborted) break;
    await sleep(o.intervalMs, io.signal);
  }
  if (o.format !== 'text') io.stdout(serialise(o.format, last));
  else if (outcome(last) === undefined) io.stderr(`stopped watching; operation ${id} is ${last.state}\n`);
  return exitCodeOfOperation(last);
}

const WATCH_OPTIONS = { interval: { type: 'string' } } as const;

/** `retry` (a new operation, `retry_of` this one) and `cancel`. */
function act(verb: 'retry' | 'cancel', summary: string): Subcommand {
  return {
    synopsis: `${verb} ID [--watch]`,
    summary,
    async run(argv, io) {
      const {
        values,
        positionals: p,
        format,
        flags,
      } = parsePlatformArgs(argv, {
        ...WATCH_OPTIONS,
        watch: { type: 'boolean' },
      });
      const [id] = positionals(p, ['ID']);
      const intervalMs = parseInterval(values.interval ?? '2s');
      const client = connect(flags, io);
      const op = await client.post<OperationView>(`/operations/${encodeURIComponent(id!)}/${verb}`);
      if (values.watch) return watchOperation(client, op.id, io, { format, intervalMs });
      io.stdout(
        format !== 'text'
          ? serialise(format, op)
          : verb === 'retry'
            ? `operation ${op.id} retries ${id}: ${op.state}; follow it with: mooring operations watch ${op.id}\n`
            : `operation ${op.id}: ${op.state}\n`,
      );
      return EXIT.ok;
    },
  };
}

export const operationsCommand = group(
  'operations',
  'the platform’s operations: list, show, follow, retry, cancel',
  {
    list: {
      synopsis: 'list [--cluster NAME|ID] [--state STATE] [--type TYPE]',
      summary: 'operations, newest first (states: pending, running, success, failed, cancelled, timeout)',
      async run(argv, io) {
        const {
          values,
          positionals: p,
          format,
          flags,
        } = parsePlatformArgs(argv, {
          cluster: { type: 'string', short: 'c' },
          state: { type: 'string' },
          type: { type: 'string' },
          sort: { type: 'string' },
        });
        positionals(p, []);
        const client = connect(flags, io);
        const clusters = await client.all<ClusterView>('/clusters');
        const cluster = values.cluster ? await findCluster(client, values.cluster) : undefined;
        const items = await client.all<OperationView>('/operations', {
          cluster_id: cluster?.id,
          state: values.state,
          type: values.type,
          sort: values.sort,
        });
        const names = new Map(clusters.map((c) => [c.id, c.name]));
        io.stdout(format === 'text' ? renderOperations(items, new Date(), names) : serialise(format, items));
        return EXIT.ok;
      },
    },
    get: {
      synopsis: 'get ID',
      summary: 'one operation and its steps',
      async run(argv, io) {
        const { positionals: p, format, flags } = parsePlatformArgs(argv, {});
        const [id] = positionals(p, ['ID']);
        const client = connect(flags, io);
        const op = await client.get<OperationView>(`/operations/${encodeURIComponent(id!)}`);
        if (format !== 'text') io.stdout(serialise(format, op));
        else {
          const clusters = await client.all<ClusterView>('/clusters');
          io.stdout(renderOperation(op, clusters.find((c) => c.id === op.cluster_id)?.name));
        }
        return EXIT.ok;
      },
    },
    watch: {
      synopsis: 'watch ID [--interval 2s]',
      summary: 'follow an operation step by step until it ends; exits 0 when it succeeded, else 1',
      async run(argv, io) {
        const { values, positionals: p, format, flags } = parsePlatformArgs(argv, WATCH_OPTIONS);
        const [id] = positionals(p, ['ID']);
        return watchOperation(connect(flags, io), id!, io, {
          format,
          intervalMs: parseInterval(values.interval ?? '2s'),
        });
      },
    },
    retry: act('retry', 'run a failed, timed-out or cancelled operation again (--watch follows it)'),
    cancel: act('cancel', 'cancel a pending or running operation (--watch waits for it to end)'),
  },
  `  -c, --cluster NAME|ID   list: only this cluster's operations
      --interval DUR      how often watch and --watch ask (default 2s)`,
);
