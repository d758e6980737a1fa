import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type KeyboardEvent, useRef, useState } from 'react';
import { api } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import { keys, useCluster, useMe } from '../api/queries.ts';
import type { AgentTokenAnswer, Cluster } from '../api/types.ts';
import { ShownOnce } from '../components/ShownOnce.tsx';
import { ErrorState, Loading } from '../components/States.tsx';
import { Link, navigate } from '../router/navigation.tsx';
import { CLUSTER_TABS, type ClusterTab, hrefOf } from '../router/routes.ts';
import { AddonsTab } from './AddonsTab.tsx';
import { ago, formatTime } from './format.ts';
import { GitopsTab } from './GitopsTab.tsx';
import { OperationsTab } from './OperationsTab.tsx';

const TAB_LABELS: Record<ClusterTab, string> = {
  overview: 'Overview',
  addons: 'Add-ons',
  operations: 'Operations',
  gitops: 'GitOps',
};

function Overview({ cluster, isAdmin }: { cluster: Cluster; isAdmin: boolean }) {
  const client = useQueryClient();
  const regenerate = useMutation({
    mutationFn: () =>
      api<AgentTokenAnswer>(`/clusters/${encodeURIComponent(cluster.id)}/agent-token`, { method: 'POST' }),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.cluster(cluster.id) }),
  });
  const remove = useMutation({
    mutationFn: () => api<void>(`/clusters/${encodeURIComponent(cluster.id)}`, { method: 'DELETE' }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.clusters });
      navigate('/');
    },
  });
  return (
    <>
      <dl className="facts">
        <dt>State</dt>
        <dd>
          <span className={`badge ${cluster.state === 'online' ? 'good' : 'bad'}`}>{cluster.state}</span>{' '}
          (last check-in {ago(cluster.last_check_in)})
        </dd>
        <dt>Description</dt>
        <dd>{cluster.description || '—'}</dd>
        <dt>Agent version</dt>
        <dd>{cluster.agent_version ?? '—'}</dd>
        <dt>Kubernetes version</dt>
        <dd>{cluster.kubernetes_version ?? '—'}</dd>
        <dt>Nodes</dt>
        <dd>{cluster.node_count ?? '—'}</dd>
        <dt>Region</dt>
        <dd>{cluster.region ?? '—'}</dd>
        <dt>Definition</dt>
        <dd>
          <code>{cluster.definition_path}</code>
        </dd>
        <dt>Imported</dt>
        <dd>{formatTime(cluster.created_at)}</dd>
      </dl>
      {cluster.last_check_in === null ? (
        <p className="notice">
          The agent has not checked in yet. Install it with the command shown at import, or make a new one
          below.
        </p>
      ) : null}
      {isAdmin ? (
        <section aria-labelledby="agent-title">
          <h2 id="agent-title">Agent install command</h2>
          <p className="hint">
            A new command carries a new agent token; the old token stops working and a connected agent is
            disconnected.
          </p>
          <button
            type="button"
            disabled={regenerate.isPending}
            onClick={() => {
              if (
                window.confirm(`Make a new agent token for ${cluster.name}? The current agent stops working.`)
              )
                regenerate.mutate();
            }}
          >
            Make a new install command
          </button>
          {regenerate.data ? (
            <>
              <ShownOnce label="Agent install command" value={regenerate.data.install_command} multiline />
              <ShownOnce label="Agent token" value={regenerate.data.agent_token} />
            </>
          ) : null}
          {regenerate.isError ? (
            <p className="form-error" role="alert">
              {describeError(regenerate.error).detail}
            </p>
          ) : null}
          <h2>Forget this cluster</h2>
          <p className="hint">Mooring stops managing it; nothing in the cluster is touched.</p>
          <button
            type="button"
            className="danger"
            disabled={remove.isPending}
            onClick={() => {
              if (window.confirm(`Forget ${cluster.name}? Its agent is disconnected.`)) remove.mutate();
            }}
          >
            Forget {cluster.name}
          </button>
          {remove.isError ? (
            <p className="form-error" role="alert">
              {describeError(remove.error).detail}
            </p>
          ) : null}
        </section>
      ) : null}
    </>
  );
}

export function ClusterPage({ id, tab }: { id: string; tab: ClusterTab }) {
  const cluster = useCluster(id);
  const me = useMe();
  const tabs = useRef<(HTMLAnchorElement | null)[]>([]);
  const [, force] = useState(0);
  const isAdmin = me.data?.role === 'admin' || me.data?.role === 'owner';

  // arrow keys move between tabs (the WAI-ARIA tabs pattern)
  const onKey = (e: KeyboardEvent<HTMLAnchorElement>, i: number) => {
    const n = CLUSTER_TABS.length;
    const j = e.key === 'ArrowRight' ? (i + 1) % n : e.key === 'ArrowLeft' ? (i + n - 1) % n : -1;
    if (j < 0) return;
    e.preventDefault();
    navigate(hrefOf({ page: 'cluster', id, tab: CLUSTER_TABS[j]! }));
    tabs.current[j]?.focus();
    force((x) => x + 1);
  };

  if (cluster.isPending) return <Loading what="the cluster" />;
  if (cluster.isError)
    return (
      <>
        <h1>Cluster</h1>
        <ErrorState error={cluster.error} onRetry={() => cluster.refetch()} />
        <p>
          <Link href="/">Back to the fleet</Link>
        </p>
      </>
    );
  const c = cluster.data;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href="/">Fleet</Link> / <span aria-current="page">{c.name}</span>
      </nav>
      <h1>
        {c.name} <span className={`badge ${c.state === 'online' ? 'good' : 'bad'}`}>{c.state}</span>
      </h1>
      <div role="tablist" aria-label="Cluster sections" className="tabs">
        {CLUSTER_TABS.map((t, i) => (
          <Link
            key={t}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            role="tab"
            id={`tab-${t}`}
            aria-selected={t === tab}
            aria-controls={`panel-${t}`}
            tabIndex={t === tab ? 0 : -1}
            href={hrefOf({ page: 'cluster', id, tab: t })}
            onKeyDown={(e) => onKey(e, i)}
          >
            {TAB_LABELS[t]}
          </Link>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tabpanel">
        {tab === 'overview' ? <Overview cluster={c} isAdmin={isAdmin} /> : null}
        {tab === 'addons' ? <AddonsTab clusterId={c.id} /> : null}
        {tab === 'operations' ? <OperationsTab clusterId={c.id} /> : null}
        {tab === 'gitops' ? <GitopsTab clusterId={c.id} /> : null}
      </div>
    </>
  );
}
