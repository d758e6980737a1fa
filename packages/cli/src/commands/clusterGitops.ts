/** `mooring cluster sync|history|preview`: a cluster's GitOps through the platform. */
import { connect, parsePlatformArgs, positionals, type Subcommand } from '../api/command.ts';
import { serialise, table } from '../api/output.ts';
import { EXIT } from '../exits.ts';
import { UsageError } from '../io.ts';
import { findCluster } from './clusterRef.ts';

export interface GitopsStatus {
  status: string;
  phase: string | null;
  message: string;
  retry_count: number;
  commits: { syncing: string | null; pending: string | null; synced: string | null };
}

export interface SyncRun {
  status: string;
  source: string;
  phase: string | null;
  message: string;
  commit_sha: string | null;
  commit_url: string | null;
  started_at: string;
  finished_at: string | null;
  triggered_by: string;
  retry_count: number;
  error_count: number;
  errors: {
    severity: string;
    message: string;
    file?: string;
    line?: number;
    column?: number;
    hint?: string;
  }[];
  operation_id: string | null;
}

export interface PreviewAnswer {
  ref: string;
  commit: string;
  path: string;
  valid: boolean;
  errors: SyncRun['errors'];
  members:
    | {
        id: string;
        action: string;
        message: string;
        objects: { ref: string; change: string; text?: string }[];
      }[]
    | null;
  summary: { create: number; update: number; delete: number; unchanged: number };
  agent_error: string | null;
}

const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : '');

/** One status line (pure). */
export function renderStatus(s: GitopsStatus): string {
  const commit = s.commits.syncing ?? s.commits.synced;
  const retry = s.retry_count ? ` (retry ${s.retry_count})` : '';
  const pending = s.commits.pending ? `, ${short(s.commits.pending)} pending` : '';
  return `${s.status}${s.phase ? ` ${s.phase}` : ''}${commit ? ` ${short(commit)}` : ''}${retry}${pending}: ${s.message}\n`;
}

/** The sync history as a table, then each failed sync's errors (pure). */
export function renderHistory(items: readonly SyncRun[]): string {
  if (items.length === 0) return 'no syncs yet\n';
  const rows = table(
    ['STARTED', 'STATUS', 'SOURCE', 'COMMIT', 'BY', 'RETRIES', 'ERRORS', 'FINISHED', 'OPERATION'],
    items.map((r) => [
      r.started_at,
      r.status,
      r.source,
      short(r.commit_sha),
      r.triggered_by,
      r.retry_count,
      r.error_count,
      r.finished_at,
      r.operation_id,
    ]),
  );
  const errors = items
    .filter((r) => r.errors.some((e) => e.severity === 'error'))
    .map(
      (r) =>
        `\n${short(r.commit_sha) || r.started_at}: ${r.message}\n` +
        r.errors
          .map(
            (e) =>
              `  ${e.file ? `${e.file}:${e.line ?? 0}:${e.column ?? 0}: ` : ''}${e.severity}: ${e.message}${e.hint ? `\n    hint: ${e.hint}` : ''}`,
          )
          .join('\n'),
    )
    .join('\n');
  return rows + (errors ? `${errors}\n` : '');
}

const SIGN: Record<string, string> = { create: '+', update: '~', delete: '-', unchanged: '=' };

/** A preview: invalid → its errors; else each member's action and each changed object's diff (pure). */
export function renderPreview(p: PreviewAnswer): string {
  const head = `preview of ${p.ref} (${short(p.commit)}) ${p.path}\n`;
  if (!p.valid)
    return (
      head +
      p.errors
        .map((e) => `  ${e.file}:${e.line ?? 0}:${e.column ?? 0}: ${e.severity}: ${e.message}`)
        .join('\n') +
      '\ninvalid: nothing rendered\n'
    );
  if (!p.members) return `${head}the agent gave no rendering: ${p.agent_error ?? 'unknown reason'}\n`;
  const out = [head];
  for (const m of p.members) {
    out.push(`${m.id}: ${m.action} — ${m.message}\n`);
    for (const o of m.objects) {
      if (o.change === 'unchanged') continue;
      out.push(`  ${SIGN[o.change] ?? '?'} ${o.ref} (${o.change})\n`);
      if (o.text)
        out.push(
          `${o.text
            .split('\n')
            .map((l) => `      ${l}`)
            .join('\n')}\n`,
        );
    }
  }
  const s = p.summary;
  out.push(`${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.unchanged} unchanged\n`);
  return out.join('');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const syncSubcommand: Subcommand = {
  synopsis: 'sync NAME|ID [--watch]',
  summary: 'Sync Now: sync the branch head; --watch follows it to the end (exit 1 when it fails)',
  async run(argv, io) {
    const {
      values,
      positionals: p,
      format,
      flags,
    } = parsePlatformArgs(argv, { watch: { type: 'boolean', short: 'w' } });
    const [ref] = positionals(p, ['NAME|ID']);
    const client = connect(flags, io);
    const c = await findCluster(client, ref!);
    const base = `/clusters/${encodeURIComponent(c.id)}`;
    const startedAt = new Date().toISOString();
    let s = await client.post<GitopsStatus>(`${base}/sync`);
    if (!values.watch) {
      io.stdout(format === 'text' ? `sync of ${c.name} requested: ${renderStatus(s)}` : serialise(format, s));
      return EXIT.ok;
    }
    let last = '';
    for (;;) {
      const line = renderStatus(s);
      if (format === 'text' && line !== last) io.stdout(line);
      last = line;
      // this request's sync is the newest one started after it, once it has finished
      const runs = await client.get<{ items: SyncRun[] }>(`${base}/syncs`, {
        sort: '-started_at',
        page_size: 1,
      });
      const run = runs.items[0];
      if (run && run.started_at >= startedAt && run.status !== 'running' && s.status !== 'Syncing') {
        if (format !== 'text') io.stdout(serialise(format, { status: s, sync: run }));
        else if (run.status !== 'success') io.stdout(renderHistory([run]));
        return run.status === 'success' ? EXIT.ok : EXIT.failed;
      }
      await sleep(500);
      s = await client.get<GitopsStatus>(`${base}/gitops`);
    }
  },
};

export const historySubcommand: Subcommand = {
  synopsis: 'history NAME|ID [--sort FIELD] [--page N] [--page-size N]',
  summary: 'the sync history: status, source, commit, who, retries, errors, operation',
  async run(argv, io) {
    const {
      values,
      positionals: p,
      format,
      flags,
    } = parsePlatformArgs(argv, {
      sort: { type: 'string' },
      page: { type: 'string' },
      'page-size': { type: 'string' },
    });
    const [ref] = positionals(p, ['NAME|ID']);
    const client = connect(flags, io);
    const c = await findCluster(client, ref!);
    const page = await client.get<{ items: SyncRun[]; total: number }>(
      `/clusters/${encodeURIComponent(c.id)}/syncs`,
      { sort: values.sort, page: values.page, page_size: values['page-size'] },
    );
    io.stdout(format === 'text' ? renderHistory(page.items) : serialise(format, page));
    return EXIT.ok;
  },
};

export const previewSubcommand: Subcommand = {
  synopsis: 'preview NAME|ID --ref BRANCH|COMMIT',
  summary: 'what a branch or commit would change on the cluster, rendered by its agent; nothing is applied',
  async run(argv, io) {
    const { values, positionals: p, format, flags } = parsePlatformArgs(argv, { ref: { type: 'string' } });
    const [ref] = positionals(p, ['NAME|ID']);
    if (!values.ref) throw new UsageError('give --ref BRANCH|COMMIT');
    const client = connect(flags, io);
    const c = await findCluster(client, ref!);
    const r = await client.post<PreviewAnswer>(`/clusters/${encodeURIComponent(c.id)}/preview`, {
      ref: values.ref,
    });
    io.stdout(format === 'text' ? renderPreview(r) : serialise(format, r));
    return r.valid && r.members ? EXIT.ok : EXIT.failed;
  },
};
