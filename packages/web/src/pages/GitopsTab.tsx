import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import { keys, useGitopsStatus, useMe, useSyncs } from '../api/queries.ts';
import type { GitopsStatus, SyncError, SyncRun } from '../api/types.ts';
import { Empty, ErrorState, Loading } from '../components/States.tsx';
import { phaseSteps, STATUS_LABELS } from '../gitops/phases.ts';
import { navigate, useLocation } from '../router/navigation.tsx';
import { withQuery } from '../router/routes.ts';
import { ago, formatTime } from './format.ts';

const STATUS_CLASS: Record<GitopsStatus['status'], string> = {
  Synced: 'good',
  Syncing: 'warn',
  Error: 'bad',
  NotConfigured: 'neutral',
};
const RUN_CLASS: Record<SyncRun['status'], string> = { success: 'good', failed: 'bad', running: 'warn' };

function SyncErrors({ errors }: { errors: SyncError[] }) {
  if (errors.length === 0) return null;
  return (
    <ul className="diagnostics">
      {errors.map((e, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: errors have no identity of their own
        <li key={i} className={e.severity}>
          <strong>{e.severity}</strong>{' '}
          {e.file ? <code>{`${e.file}:${e.line ?? 0}:${e.column ?? 0}`}</code> : null}{' '}
          {e.path ? <code>{e.path}</code> : null} {e.message}
          {e.hint ? <span className="hint"> ({e.hint})</span> : null}
        </li>
      ))}
    </ul>
  );
}

const COLUMNS: { key: string; label: string; cell: (r: SyncRun) => ReactNode }[] = [
  {
    key: 'status',
    label: 'Status',
    cell: (r) => <span className={`badge ${RUN_CLASS[r.status]}`}>{r.status}</span>,
  },
  { key: 'source', label: 'Source', cell: (r) => r.source },
  {
    key: 'commit_sha',
    label: 'Commit',
    cell: (r) =>
      r.commit_sha ? (
        r.commit_url ? (
          <a href={r.commit_url} target="_blank" rel="noreferrer">
            <code>{r.commit_sha.slice(0, 10)}</code>
          </a>
        ) : (
          <code>{r.commit_sha.slice(0, 10)}</code>
        )
      ) : (
        '—'
      ),
  },
  {
    key: 'started_at',
    label: 'Started',
    cell: (r) => <time dateTime={r.started_at}>{formatTime(r.started_at)}</time>,
  },
  { key: 'finished_at', label: 'Finished', cell: (r) => formatTime(r.finished_at) },
  { key: 'triggered_by', label: 'Triggered by', cell: (r) => `${r.triggered_by} (${r.triggered_by_kind})` },
  { key: 'retry_count', label: 'Retries', cell: (r) => r.retry_count },
  {
    key: 'error_count',
    label: 'Errors',
    cell: (r) =>
      r.errors.length > 0 ? (
        <details>
          <summary>{r.error_count}</summary>
          <SyncErrors errors={r.errors} />
        </details>
      ) : (
        r.error_count
      ),
  },
];

function History({ clusterId }: { clusterId: string }) {
  const { pathname, search } = useLocation();
  const q = new URLSearchParams(search);
  const page = Math.max(1, Number(q.get('page')) || 1);
  const sort = q.get('sort') || '-started_at';
  const syncs = useSyncs(clusterId, page, sort);
  const go = (changes: Record<string, string | null>) =>
    navigate(`${pathname}${withQuery(search, changes)}`, { replace: true });
  const sortBy = (key: string) => go({ sort: sort === key ? `-${key}` : key, page: null });

  if (syncs.isPending) return <Loading what="the sync history" />;
  if (syncs.isError) return <ErrorState error={syncs.error} onRetry={() => syncs.refetch()} />;
  const { items, total } = syncs.data;
  if (total === 0)
    return (
      <Empty title="No syncs yet">
        <p>A sync runs on a push to the branch (webhook), on each poll, or with Sync Now.</p>
      </Empty>
    );
  const pages = Math.max(1, Math.ceil(total / 10));
  return (
    <>
      <table className="simple">
        <caption className="visually-hidden">Sync history</caption>
        <thead>
          <tr>
            {COLUMNS.map((c) => {
              const dir = sort === c.key ? 'ascending' : sort === `-${c.key}` ? 'descending' : undefined;
              return (
                <th key={c.key} scope="col" aria-sort={dir}>
                  <button type="button" className="sort" onClick={() => sortBy(c.key)}>
                    {c.label}
                    <span aria-hidden="true">
                      {dir === 'ascending' ? ' ▲' : dir === 'descending' ? ' ▼' : ''}
                    </span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {items.map((r) => (
            <tr key={r.id}>
              {COLUMNS.map((c) => (
                <td key={c.key}>{c.cell(r)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <nav aria-label="Sync history pages" className="pager">
        <button
          type="button"
          disabled={page <= 1}
          onClick={() => go({ page: page > 2 ? String(page - 1) : null })}
        >
          Previous
        </button>
        <span>
          Page {page} of {pages} ({total} syncs)
        </span>
        <button type="button" disabled={page >= pages} onClick={() => go({ page: String(page + 1) })}>
          Next
        </button>
      </nav>
    </>
  );
}

export function GitopsTab({ clusterId }: { clusterId: string }) {
  const status = useGitopsStatus(clusterId);
  const me = useMe();
  const client = useQueryClient();
  const mayOperate = me.data ? me.data.role !== 'viewer' : false;
  const syncNow = useMutation({
    mutationFn: () =>
      api<GitopsStatus>(`/clusters/${encodeURIComponent(clusterId)}/sync`, { method: 'POST' }),
    onSuccess: (s) => {
      client.setQueryData(keys.gitops(clusterId), s);
      void client.invalidateQueries({ queryKey: ['clusters', clusterId, 'syncs'] });
    },
  });
  if (status.isPending) return <Loading what="the GitOps status" />;
  if (status.isError) return <ErrorState error={status.error} onRetry={() => status.refetch()} />;
  const s = status.data;
  return (
    <>
      <section className={`banner ${STATUS_CLASS[s.status]}`} aria-labelledby="gitops-status">
        <h2 id="gitops-status">
          <span className={`badge ${STATUS_CLASS[s.status]}`}>{STATUS_LABELS[s.status]}</span>
          {s.message ? <span className="banner-message"> {s.message}</span> : null}
        </h2>
        {s.status === 'NotConfigured' ? (
          <p>
            This cluster has no Git repository. Set <code>spec.git_repository</code> in its{' '}
            <code>ImportCluster</code> file (provider, repository, branch, path) and import it again; pushes
            then sync it.
          </p>
        ) : (
          <>
            <ol className="phases" aria-label="Sync phases">
              {phaseSteps(s.status, s.phase).map((p) => (
                <li
                  key={p.phase}
                  className={`phase ${p.state}`}
                  aria-current={p.state === 'current' ? 'step' : undefined}
                >
                  {p.phase}
                  <span className="visually-hidden"> ({p.state})</span>
                </li>
              ))}
            </ol>
            {s.repository ? (
              <dl className="facts">
                <dt>Repository</dt>
                <dd>
                  {s.repository.full_name || s.repository.url} <small>({s.repository.provider})</small>
                </dd>
                <dt>Branch and path</dt>
                <dd>
                  <code>{s.repository.branch}</code> <code>{s.repository.path}</code>
                </dd>
                <dt>Synced commit</dt>
                <dd>{s.commits.synced ? <code>{s.commits.synced.slice(0, 10)}</code> : '—'}</dd>
                <dt>Branch head</dt>
                <dd>
                  {s.repository.head_commit ? <code>{s.repository.head_commit.slice(0, 10)}</code> : '—'}{' '}
                  (polled {ago(s.repository.polled_at)})
                </dd>
                {s.retry_count > 0 ? (
                  <>
                    <dt>Retries</dt>
                    <dd>{s.retry_count}</dd>
                  </>
                ) : null}
              </dl>
            ) : null}
            {s.warnings.length > 0 ? (
              <ul className="diagnostics">
                {s.warnings.map((w) => (
                  <li key={w} className="warning">
                    {w}
                  </li>
                ))}
              </ul>
            ) : null}
          </>
        )}
        {mayOperate && s.status !== 'NotConfigured' ? (
          <button
            type="button"
            className="primary"
            disabled={syncNow.isPending}
            onClick={() => syncNow.mutate()}
          >
            {syncNow.isPending ? 'Starting…' : 'Sync Now'}
          </button>
        ) : null}
        {syncNow.isError ? (
          <p className="form-error" role="alert">
            {describeError(syncNow.error).detail}
          </p>
        ) : null}
      </section>
      <h2>Sync history</h2>
      <History clusterId={clusterId} />
    </>
  );
}
