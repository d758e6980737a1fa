import { useOperations } from '../api/queries.ts';
import type { Operation } from '../api/types.ts';
import { DataTable, type DisplayColumn } from '../components/DataTable.tsx';
import { OperationSteps, OPERATION_STATE_CLASS as STATE_CLASS } from '../components/OperationSteps.tsx';
import { Empty, ErrorState, Loading } from '../components/States.tsx';
import { navigate, useLocation } from '../router/navigation.tsx';
import { withQuery } from '../router/routes.ts';
import { useUrlTable } from '../table/useUrlTable.ts';
import { ago } from './format.ts';

const FACETS = ['state', 'type'] as const;
export function OperationsTab({ clusterId }: { clusterId: string }) {
  const ops = useOperations(clusterId);
  const [table, dispatch] = useUrlTable(FACETS);
  const { pathname, search } = useLocation();
  const selected = new URLSearchParams(search).get('operation');
  const select = (id: string) =>
    navigate(`${pathname}${withQuery(search, { operation: id })}`, { replace: true });

  const columns: DisplayColumn<Operation>[] = [
    {
      key: 'id',
      label: 'Operation',
      value: (o) => o.id,
      sortable: false,
      render: (o) => (
        <button type="button" className="link" aria-pressed={o.id === selected} onClick={() => select(o.id)}>
          {o.id.slice(0, 8)}
        </button>
      ),
    },
    { key: 'type', label: 'Type', value: (o) => o.type, facet: true },
    {
      key: 'state',
      label: 'State',
      value: (o) => o.state,
      facet: true,
      render: (o) => <span className={`badge ${STATE_CLASS[o.state]}`}>{o.state}</span>,
    },
    { key: 'message', label: 'Message', value: (o) => o.message },
    { key: 'created_by', label: 'By', value: (o) => o.created_by },
    {
      key: 'created_at',
      label: 'Started',
      value: (o) => o.created_at,
      searchable: false,
      render: (o) => <time dateTime={o.created_at}>{ago(o.created_at)}</time>,
    },
    {
      key: 'finished_at',
      label: 'Finished',
      value: (o) => o.finished_at,
      searchable: false,
      render: (o) => (o.finished_at ? <time dateTime={o.finished_at}>{ago(o.finished_at)}</time> : '—'),
    },
  ];

  if (ops.isPending) return <Loading what="operations" />;
  if (ops.isError) return <ErrorState error={ops.error} onRetry={() => ops.refetch()} />;
  if (ops.data.length === 0)
    return (
      <Empty title="No operations yet">
        <p>
          Operations appear here when the cluster is synced, rolled back or swept. The agent must be online;
          each sweep runs every minute.
        </p>
      </Empty>
    );
  return (
    <>
      <DataTable
        caption="Operations, newest first"
        rows={ops.data}
        columns={columns}
        state={table}
        onAction={dispatch}
        rowKey={(o) => o.id}
      />
      {selected ? (
        <OperationSteps id={selected} />
      ) : (
        <p className="hint">Choose an operation to see its steps.</p>
      )}
    </>
  );
}
