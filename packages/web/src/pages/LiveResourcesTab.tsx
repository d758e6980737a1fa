import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { Empty, ErrorState, Loading } from '../components/States.tsx';
import { type LiveObject, objectKey, statusOf } from '../resources/liveResources.ts';
import { useLiveResources } from '../resources/useLiveResources.ts';
import { Link, navigate, useLocation } from '../router/navigation.tsx';
import { hrefOf, withQuery } from '../router/routes.ts';
import { ago } from './format.ts';

interface KindsAnswer {
  items: {
    key: string;
    kind: string;
    api_version: string;
    namespaced: boolean;
    count: number;
    error: string | null;
  }[];
  stale: boolean;
  last_heard_at: string | null;
}

function matches(o: LiveObject, words: string[]): boolean {
  const text = `${o.metadata.namespace ?? ''} ${o.metadata.name} ${Object.entries(o.metadata.labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}`.toLowerCase();
  return words.every((w) => text.includes(w));
}

/** The cluster's objects as the agent streams them: by kind and namespace, searchable, updated live. */
export function LiveResourcesTab({ clusterId }: { clusterId: string }) {
  const { pathname, search } = useLocation();
  const q = new URLSearchParams(search);
  const kind = q.get('kind') || 'Pod';
  const namespace = q.get('namespace') ?? '';
  const text = q.get('q') ?? '';
  const [attempt, setAttempt] = useState(0);
  const set = (changes: Record<string, string | null>) =>
    navigate(`${pathname}${withQuery(search, changes)}`, { replace: true });
  const kinds = useQuery({
    queryKey: ['clusters', clusterId, 'resource-kinds'],
    queryFn: ({ signal }) =>
      api<KindsAnswer>(`/clusters/${encodeURIComponent(clusterId)}/resources/kinds`, { signal }),
    refetchInterval: 30_000,
  });
  const list = useLiveResources(clusterId, kind, namespace, attempt);
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = (list.items ?? []).filter((o) => matches(o, words));
  const namespaces = [
    ...new Set((list.items ?? []).map((o) => o.metadata.namespace).filter(Boolean)),
  ].sort() as string[];

  if (kinds.isPending) return <Loading what="the kinds the agent streams" />;
  if (kinds.isError) return <ErrorState error={kinds.error} onRetry={() => kinds.refetch()} />;
  if (kinds.data.items.length === 0)
    return (
      <Empty title="No live resources yet">
        <p>
          The agent streams the cluster&apos;s objects once it is connected. Install it with the command on
          the Overview tab; objects appear here within seconds of its first check-in.
        </p>
      </Empty>
    );
  return (
    <>
      <div className="table-tools resource-tools">
        <label htmlFor="res-kind">Kind</label>
        <select id="res-kind" value={kind} onChange={(e) => set({ kind: e.target.value, namespace: null })}>
          {[...kinds.data.items]
            .sort((a, b) => a.kind.localeCompare(b.kind))
            .map((k) => (
              <option key={k.key} value={k.kind}>
                {k.kind} ({k.count})
              </option>
            ))}
        </select>
        <label htmlFor="res-ns">Namespace</label>
        <select id="res-ns" value={namespace} onChange={(e) => set({ namespace: e.target.value || null })}>
          <option value="">all</option>
          {[...new Set([...namespaces, ...(namespace ? [namespace] : [])])].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        <label htmlFor="res-q">Search</label>
        <input
          id="res-q"
          type="search"
          value={text}
          placeholder="name, namespace or label"
          onChange={(e) => set({ q: e.target.value || null })}
        />
        <span className="count" aria-live="polite">
          {list.items ? `${shown.length} of ${list.items.length}` : ''} {list.live ? '· live' : ''}
        </span>
      </div>
      {list.stale ? (
        <p className="notice" role="status">
          The agent has not reported for a while (last {ago(list.lastHeardAt)}): this list may be out of date.
        </p>
      ) : null}
      {list.error ? (
        <ErrorState error={list.error} onRetry={() => setAttempt((n) => n + 1)} />
      ) : list.items === null ? (
        <Loading what={`${kind} objects`} />
      ) : shown.length === 0 ? (
        <Empty title={list.items.length ? 'Nothing matches' : `No ${kind} objects`}>
          <p>
            {list.items.length ? 'Change the search or the namespace.' : 'Choose another kind or namespace.'}
          </p>
        </Empty>
      ) : (
        <div className="table-scroll virtual">
          <table className="simple">
            <caption className="visually-hidden">
              {kind} objects{namespace ? ` in ${namespace}` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Namespace</th>
                <th scope="col">Status</th>
                <th scope="col">Age</th>
                <th scope="col">Labels</th>
              </tr>
            </thead>
            <tbody>
              {shown.slice(0, 500).map((o) => (
                <tr key={objectKey(o)}>
                  <td>
                    {kind === 'Pod' && o.metadata.namespace ? (
                      <Link
                        href={hrefOf({
                          page: 'pod-logs',
                          id: clusterId,
                          namespace: o.metadata.namespace,
                          name: o.metadata.name,
                        })}
                        aria-label={`Logs of ${o.metadata.name}`}
                      >
                        {o.metadata.name}
                      </Link>
                    ) : (
                      o.metadata.name
                    )}
                  </td>
                  <td>{o.metadata.namespace ?? '—'}</td>
                  <td>{statusOf(o) || '—'}</td>
                  <td>{o.metadata.creationTimestamp ? ago(o.metadata.creationTimestamp) : '—'}</td>
                  <td className="wrap">
                    {Object.entries(o.metadata.labels ?? {})
                      .slice(0, 4)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown.length > 500 ? (
            <p className="hint">The first 500 of {shown.length}: search to narrow.</p>
          ) : null}
        </div>
      )}
    </>
  );
}
