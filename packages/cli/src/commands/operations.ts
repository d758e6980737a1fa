/** `mooring operations list|get|watch|retry|cancel`: the platform's stored step machines. */
import type { ApiClient } from '../api/client.ts';
import { connect, group, parsePlatformArgs, positionals } from '../api/command.ts';
import { ago, cell, fields, type OutputFormat, serialise, table } from '../api/output.ts';
import { EXIT } from '../exits.ts';
import type { Io } from '../io.ts';
import { findCluster } from './clusters.ts';
import { parseInterval } from './watch.ts';

export interface StepView {
  name: string;
  state?: string;
  status?: string;
  attempts?: number;
  started_at?: string | null;
  finished_at?: string | null;
  error?: string | null;
  message?: string | null;
}

export interface OperationView {
  id: string;
  kind?: string;
  type?: string;
  state?: string;
  status?: string;
  cluster_id?: string | null;
  cluster_name?: string | null;
  created_at?: string;
  started_at?: string | null;
  finished_at?: string | null;
  error?: string | null;
  message?: string | null;
  steps?: StepView[];
}

/** States an operation does not leave, and whether each is a success. */
const ENDED: Readonly<Record<string, boolean>> = {
  succeeded: true,
  success: true,
  completed: true,
  done: true,
  failed: false,
  error: false,
  cancelled: false,
  canceled: false,
  timed_out: false,
};

export const stateOf = (o: { state?: string; status?: string }): string => o.state ?? o.status ?? 'unknown';
const kindOf = (o: OperationView): string => o.kind ?? o.type ?? '-';

/** `undefined` while the operation runs; else whether it succeeded (pure). */
export function outcome(o: { state?: string; status?: string }): boolean | undefined {
  const s = stateOf(o).toLowerCase();
  return Object.hasOwn(ENDED, s) ? ENDED[s] : undefined;
}

/** The exit code of an ended operation: 0 when it succeeded, 1 otherwise (pure). */
export function exitCodeOfOperation(o: OperationView): number {
  return outcome(o) === true ? EXIT.ok : EXIT.failed;
}

export function renderOperations(items: readonly OperationView[], now: Date): string {
  if (items.length === 0) return 'no operations\n';
  return table(
    ['ID', 'KIND', 'STATE', 'CLUSTER', 'STEPS', 'CREATED', 'FINISHED'],
    items.map((o) => [
      o.id,
      kindOf(o),
      stateOf(o),
      o.cluster_name ?? o.cluster_id,
      o.steps ? `${o.steps.filter((s) => outcome(s) === true).length}/${o.steps.length}` : null,
      ago(o.created_at, now),
      ago(o.finished_at, now),
    ]),
  );
}

export function renderOperation(o: OperationView): string {
  const head = fields([
    ['id', o.id],
    ['kind', kindOf(o)],
    ['state', stateOf(o)],
    ['cluster', o.cluster_name ?? o.cluster_id],
    ['created', o.created_at],
    ['started', o.started_at],
    ['finished', o.finished_at],
    ...(o.error || o.message ? [['error', o.error ?? o.message] as const] : []),
  ]);
  if (!o.steps?.length) return head;
  return `${head}\n${table(
    ['STEP', 'STATE', 'ATTEMPTS', 'STARTED', 'FINISHED', 'MESSAGE'],
    o.steps.map((s) => [s.name, stateOf(s), s.attempts, s.started_at, s.finished_at, s.error ?? s.message]),
  )}`;
}

/** Lines for what changed between two looks at an operation: its state and each step's (pure). */
export function progressLines(before: OperationView | undefined, now: OperationView): string[] {
  const lines: string[] = [];
  const was = new Map((before?.steps ?? []).map((s) => [s.name, stateOf(s)]));
  for (const s of now.steps ?? []) {
    if (was.get(s.name) === stateOf(s)) continue;
    const why = s.error ?? s.message;
    lines.push(`  step ${s.name}: ${stateOf(s)}${why ? ` (${why})` : ''}`);
  }
  if (!before || stateOf(before) !== stateOf(now)) lines.push(`operation ${now.id}: ${stateOf(now)}`);
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
 * Polls an operation until it ends (or `signal` aborts), printing each state
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
    const op = await client.get<OperationView>(`/operations/${encodeURIComponent(id)}`);
    if (o.format === 'text') for (const line of progressLines(last, op)) io.stdout(`${line}\n`);
    last = op;
    if (outcome(op) !== undefined || io.signal?.aborted) break;
    await sleep(o.intervalMs, io.signal);
  }
  if (o.format !== 'text') io.stdout(serialise(o.format, last));
  else if (outcome(last) === undefined) io.stderr(`stopped watching; operation ${id} is ${stateOf(last)}\n`);
  else if (outcome(last) === false && (last.error || last.message))
    io.stderr(`operation ${id} ${stateOf(last)}: ${cell(last.error ?? last.message)}\n`);
  return outcome(last) === undefined ? EXIT.failed : exitCodeOfOperation(last);
}

const WATCH_OPTIONS = { interval: { type: 'string' } } as const;

function act(verb: 'retry' | 'cancel', summary: string) {
  return {
    synopsis: `${verb} ID${verb === 'retry' ? ' [--watch]' : ''}`,
    summary,
    async run(argv: string[], io: Io) {
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
      const interval = parseInterval(values.interval ?? '2s');
      const client = connect(flags, io);
      const op = await client.post<OperationView>(`/operations/${encodeURIComponent(id!)}/${verb}`);
      if (values.watch) return watchOperation(client, op?.id ?? id!, io, { format, intervalMs: interval });
      io.stdout(
        format === 'text' ? `operation ${op?.id ?? id}: ${stateOf(op ?? {})}\n` : serialise(format, op),
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
      synopsis: 'list [--cluster NAME|ID] [--state STATE]',
      summary: 'operations, newest first',
      async run(argv, io) {
        const {
          values,
          positionals: p,
          format,
          flags,
        } = parsePlatformArgs(argv, {
          cluster: { type: 'string' },
          state: { type: 'string' },
        });
        positionals(p, []);
        const client = connect(flags, io);
        const cluster = values.cluster ? await findCluster(client, values.cluster) : undefined;
        const items = (
          await client.all<OperationView>('/operations', { cluster_id: cluster?.id, state: values.state })
        ).filter(
          (o) => (!cluster || o.cluster_id === cluster.id) && (!values.state || stateOf(o) === values.state),
        );
        io.stdout(format === 'text' ? renderOperations(items, new Date()) : serialise(format, items));
        return EXIT.ok;
      },
    },
    get: {
      synopsis: 'get ID',
      summary: 'one operation and its steps',
      async run(argv, io) {
        const { positionals: p, format, flags } = parsePlatformArgs(argv, {});
        const [id] = positionals(p, ['ID']);
        const op = await connect(flags, io).get<OperationView>(`/operations/${encodeURIComponent(id!)}`);
        io.stdout(format === 'text' ? renderOperation(op) : serialise(format, op));
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
    retry: act('retry', 'run a failed operation again from its failed step (--watch follows it)'),
    cancel: act('cancel', 'cancel a running operation'),
  },
  `      --interval DUR      how often watch asks (default 2s)`,
);
