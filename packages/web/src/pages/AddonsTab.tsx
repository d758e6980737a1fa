import { useMemo } from 'react';
import { useAddons } from '../api/queries.ts';
import type { Addon } from '../api/types.ts';
import { DataTable, type DisplayColumn } from '../components/DataTable.tsx';
import { Empty, ErrorState, Loading } from '../components/States.tsx';
import { Link } from '../router/navigation.tsx';
import { hrefOf } from '../router/routes.ts';
import { useUrlTable } from '../table/useUrlTable.ts';
import { ago } from './format.ts';

const FACETS = ['state', 'health', 'stack', 'kind'] as const;

const STATE_CLASS: Record<string, string> = {
  Synced: 'good',
  Healthy: 'good',
  Degraded: 'bad',
  Missing: 'bad',
  OutOfSync: 'warn',
  Progressing: 'warn',
  Deploying: 'warn',
  Pending: 'neutral',
  Unknown: 'neutral',
};

const badge = (v: string) => <span className={`badge ${STATE_CLASS[v] ?? 'neutral'}`}>{v}</span>;

/** The columns of the add-ons table; an add-on's name links to its page. */
export const addonColumns = (clusterId: string): DisplayColumn<Addon>[] => [
  {
    key: 'name',
    label: 'Name',
    value: (a) => a.name,
    render: (a) =>
      a.kind === 'addon' ? (
        <Link href={hrefOf({ page: 'addon', id: clusterId, name: a.name, tab: 'overview' })}>{a.name}</Link>
      ) : (
        a.name
      ),
  },
  { key: 'kind', label: 'Kind', value: (a) => a.kind, facet: true },
  { key: 'chart', label: 'Chart', value: (a) => a.chart },
  { key: 'version', label: 'Version', value: (a) => a.version },
  { key: 'namespace', label: 'Namespace', value: (a) => a.namespace },
  { key: 'stack', label: 'Stack', value: (a) => a.stack, facet: true },
  { key: 'state', label: 'State', value: (a) => a.state, facet: true, render: (a) => badge(a.state) },
  { key: 'health', label: 'Health', value: (a) => a.health, facet: true, render: (a) => badge(a.health) },
  { key: 'revision', label: 'Revision', value: (a) => a.revision, searchable: false },
  {
    key: 'last_updated',
    label: 'Last updated',
    value: (a) => a.last_updated,
    searchable: false,
    render: (a) => <time dateTime={a.last_updated ?? undefined}>{ago(a.last_updated)}</time>,
  },
];

export function AddonsTab({ clusterId }: { clusterId: string }) {
  const addons = useAddons(clusterId);
  const [table, dispatch] = useUrlTable(FACETS);
  const columns = useMemo(() => addonColumns(clusterId), [clusterId]);
  if (addons.isPending) return <Loading what="add-ons" />;
  if (addons.isError) return <ErrorState error={addons.error} onRetry={() => addons.refetch()} />;
  if (addons.data.length === 0)
    return (
      <Empty title="No add-ons">
        <p>
          Add-ons come from the stacks of the cluster&apos;s <code>ImportCluster</code> file. Add one to a
          stack and import or sync the definition again.
        </p>
      </Empty>
    );
  return (
    <DataTable
      caption="Add-ons and manifests"
      rows={addons.data}
      columns={columns}
      state={table}
      onAction={dispatch}
      rowKey={(a) => `${a.kind}/${a.stack}/${a.name}`}
      virtual
    />
  );
}
