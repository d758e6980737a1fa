import { lazy, Suspense, useMemo } from 'react';
import { useClusters } from '../api/queries.ts';
import type { Cluster } from '../api/types.ts';
import { DataTable, type DisplayColumn } from '../components/DataTable.tsx';
import { Empty, ErrorState, Loading } from '../components/States.tsx';
import { placeClusters } from '../map/placement.ts';
import { Link } from '../router/navigation.tsx';
import { useUrlTable } from '../table/useUrlTable.ts';
import { ago } from './format.ts';

const WorldMap = lazy(() => import('../map/WorldMap.tsx').then((m) => ({ default: m.WorldMap })));

const FACETS = ['state'] as const;

export const CLUSTER_COLUMNS: DisplayColumn<Cluster>[] = [
  {
    key: 'name',
    label: 'Name',
    value: (c) => c.name,
    render: (c) => <Link href={`/clusters/${encodeURIComponent(c.id)}`}>{c.name}</Link>,
  },
  {
    key: 'state',
    label: 'State',
    value: (c) => c.state,
    facet: true,
    render: (c) => <span className={`badge ${c.state === 'online' ? 'good' : 'bad'}`}>{c.state}</span>,
  },
  { key: 'agent', label: 'Agent', value: (c) => c.agent_version },
  { key: 'kubernetes', label: 'Kubernetes', value: (c) => c.kubernetes_version },
  { key: 'nodes', label: 'Nodes', value: (c) => c.node_count },
  { key: 'region', label: 'Region', value: (c) => c.region },
  {
    key: 'check_in',
    label: 'Last check-in',
    value: (c) => c.last_check_in,
    searchable: false,
    render: (c) => ago(c.last_check_in),
  },
];

export function DashboardPage() {
  const clusters = useClusters();
  const [table, dispatch] = useUrlTable(FACETS);
  const placement = useMemo(() => placeClusters(clusters.data ?? []), [clusters.data]);
  const online = clusters.data?.filter((c) => c.state === 'online').length ?? 0;

  return (
    <>
      <div className="page-head">
        <h1>Fleet</h1>
        <Link href="/clusters/import" className="button primary">
          Import a cluster
        </Link>
      </div>
      {clusters.isPending ? <Loading what="clusters" /> : null}
      {clusters.isError ? <ErrorState error={clusters.error} onRetry={() => clusters.refetch()} /> : null}
      {clusters.data && clusters.data.length === 0 ? (
        <Empty title="No clusters yet">
          <p>
            Import a cluster from its <code>ImportCluster</code> file:{' '}
            <Link href="/clusters/import">Import a cluster</Link> here, or run{' '}
            <code>npx mooring cluster import -f import-cluster.yaml</code>. Then install the agent in the
            cluster with the command the import shows once; the cluster comes online when its agent checks in.
          </p>
        </Empty>
      ) : null}
      {clusters.data && clusters.data.length > 0 ? (
        <>
          <p className="summary">
            <strong>{clusters.data.length}</strong> clusters: <strong>{online}</strong> online,{' '}
            <strong>{clusters.data.length - online}</strong> offline.
          </p>
          <section aria-labelledby="map-title">
            <h2 id="map-title">Where they run</h2>
            <Suspense fallback={<Loading what="the map" />}>
              <WorldMap placed={placement.placed} />
            </Suspense>
            {placement.unplaced.length > 0 ? (
              <>
                <h3>Not on the map</h3>
                <ul className="unplaced">
                  {placement.unplaced.map((u) => (
                    <li key={u.cluster.id}>
                      <Link href={`/clusters/${encodeURIComponent(u.cluster.id)}`}>{u.cluster.name}</Link>:{' '}
                      {u.reason}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </section>
          <section aria-labelledby="clusters-title">
            <h2 id="clusters-title">Clusters</h2>
            <DataTable
              caption="Clusters"
              rows={clusters.data}
              columns={CLUSTER_COLUMNS}
              state={table}
              onAction={dispatch}
              rowKey={(c) => c.id}
            />
          </section>
        </>
      ) : null}
    </>
  );
}
