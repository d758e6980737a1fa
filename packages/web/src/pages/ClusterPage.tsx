import { useMutation, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { api } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import { keys, useCluster, useMe } from '../api/queries.ts';
import type { AgentTokenAnswer, Cluster } from '../api/types.ts';
import { ShownOnce } from '../components/ShownOnce.tsx';
import { ErrorState, Loading } from '../components/States.tsx';
import { Tabs } from '../components/Tabs.tsx';
import { Link, navigate } from '../router/navigation.tsx';
import { CLUSTER_TABS, type ClusterTab, hrefOf } from '../router/routes.ts';
import { AddonsTab } from './AddonsTab.tsx';
import { ago, formatTime } from './format.ts';
import { GitopsTab } from './GitopsTab.tsx';
import { OperationsTab } from './OperationsTab.tsx';

// the graph libraries load with the page that draws them, not with the first script
const LiveResourcesTab = lazy(() =>
  import('./LiveResourcesTab.tsx').then((m) => ({ default: m.LiveResourcesTab })),
);
const StacksTab = lazy(() => import('./StacksTab.tsx').then((m) => ({ default: m.StacksTab })));
const BuilderTab = lazy(() => import('./BuilderTab.tsx').then((m) => ({ default: m.BuilderTab })));
const EnginesTab = lazy(() => import('./EnginesTab.tsx').then((m) => ({ default: m.EnginesTab })));

const TAB_LABELS: Record<ClusterTab, string> = {
  overview: 'Overview',
  addons: 'Add-ons',
  stacks: 'Stacks',
  resources: 'Live resources',
  operations: 'Operations',
  gitops: 'GitOps',
  engines: 'Engines',
  builder: 'Stack Builder',
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
  const isAdmin = me.data?.role === 'admin' || me.data?.role === 'owner';

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
      <Tabs
        label="Cluster sections"
        tabs={CLUSTER_TABS}
        labels={TAB_LABELS}
        current={tab}
        href={(t) => hrefOf({ page: 'cluster', id, tab: t })}
      >
        {tab === 'overview' ? <Overview cluster={c} isAdmin={isAdmin} /> : null}
        {tab === 'addons' ? <AddonsTab clusterId={c.id} /> : null}
        {tab === 'stacks' ? (
          <Suspense fallback={<Loading what="stacks" />}>
            <StacksTab clusterId={c.id} />
          </Suspense>
        ) : null}
        {tab === 'resources' ? (
          <Suspense fallback={<Loading what="live resources" />}>
            <LiveResourcesTab clusterId={c.id} />
          </Suspense>
        ) : null}
        {tab === 'operations' ? <OperationsTab clusterId={c.id} /> : null}
        {tab === 'gitops' ? <GitopsTab clusterId={c.id} /> : null}
        {tab === 'engines' ? (
          <Suspense fallback={<Loading what="engines" />}>
            <EnginesTab clusterId={c.id} />
          </Suspense>
        ) : null}
        {tab === 'builder' ? (
          <Suspense fallback={<Loading what="the Stack Builder" />}>
            <BuilderTab clusterId={c.id} />
          </Suspense>
        ) : null}
      </Tabs>
    </>
  );
}
