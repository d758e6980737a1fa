import { Handle, type NodeProps, type NodeTypes, Position } from '@xyflow/react';
import { createContext, useContext, useEffect, useState } from 'react';
import { useStacks } from '../api/queries.ts';
import type { StacksAnswer } from '../api/types.ts';
import { Empty, ErrorState, Loading } from '../components/States.tsx';
import { elkLayout } from '../graph/elk.ts';
import { Flow } from '../graph/Flow.tsx';
import { healthClass } from '../graph/resourceGraph.ts';
import {
  type GraphEdge,
  type GraphNode,
  placeLanes,
  type StacksNodeData,
  stackElkGraph,
  stackLayoutOf,
  waveLabel,
} from '../graph/stacksGraph.ts';
import { Link } from '../router/navigation.tsx';
import { hrefOf } from '../router/routes.ts';

const ClusterId = createContext('');

function MemberLink({ kind, name }: { kind: 'addon' | 'manifest'; name: string }) {
  const clusterId = useContext(ClusterId);
  return kind === 'addon' ? (
    <Link className="nodrag nopan" href={hrefOf({ page: 'addon', id: clusterId, name, tab: 'overview' })}>
      {name}
    </Link>
  ) : (
    <span>{name}</span>
  );
}

const NODE_TYPES: NodeTypes = {
  lane: ({ data }: NodeProps) => {
    const d = data as Extract<StacksNodeData, { kind: 'lane' }>;
    return (
      <div className="lane-node">
        <strong>{d.label}</strong>
        <small>{d.detail}</small>
      </div>
    );
  },
  stack: ({ data }: NodeProps) => {
    const d = data as Extract<StacksNodeData, { kind: 'stack' }>;
    return (
      <div className="stack-node">
        <div className="stack-node-title">
          Stack <strong>{d.name}</strong>
          {d.applications.length ? <small> · applications: {d.applications.join(', ')}</small> : null}
        </div>
      </div>
    );
  },
  member: ({ data }: NodeProps) => {
    const m = (data as Extract<StacksNodeData, { kind: 'member' }>).member;
    return (
      <div className={`member-node ${healthClass(m.health)}`} title={m.message || undefined}>
        <Handle type="target" position={Position.Left} isConnectable={false} />
        <div className="member-node-name">
          <small>{m.kind === 'addon' ? 'Add-on' : 'Manifest'}</small>{' '}
          <MemberLink kind={m.kind} name={m.name} />
        </div>
        <div className="member-node-meta">
          <span className={`badge ${healthClass(m.health)}`}>{m.state}</span>{' '}
          {m.chart ? (
            <small>
              {m.chart} {m.version}
            </small>
          ) : m.namespace ? (
            <small>{m.namespace}</small>
          ) : null}
        </div>
        <Handle type="source" position={Position.Right} isConnectable={false} />
      </div>
    );
  },
};

/** Lays each stack out with ELK, then puts the stacks in their wave's lane. */
function useStacksGraph(data: StacksAnswer | undefined) {
  const [graph, setGraph] = useState<{ nodes: GraphNode<StacksNodeData>[]; edges: GraphEdge[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!data) return;
    let live = true;
    const stacks = data.waves.flatMap((w) => w.stacks);
    Promise.all(stacks.map(async (s) => [s.name, stackLayoutOf(await elkLayout(stackElkGraph(s)))] as const))
      .then((layouts) => {
        if (live) setGraph(placeLanes(data, new Map(layouts)));
      })
      .catch((e: unknown) => {
        if (live) setError(e);
      });
    return () => {
      live = false;
    };
  }, [data]);
  return { graph, error };
}

function MembersInOrder({ data }: { data: StacksAnswer }) {
  const names = new Map(
    data.waves.flatMap((w) => w.stacks.flatMap((s) => s.members.map((m) => [m.id, m.name]))),
  );
  return (
    <div className="table-scroll">
      <table className="simple">
        <caption>Members in deploy order</caption>
        <thead>
          <tr>
            <th scope="col">Wave</th>
            <th scope="col">Stack</th>
            <th scope="col">Member</th>
            <th scope="col">Kind</th>
            <th scope="col">Waits for</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {data.waves.flatMap((w) =>
            w.stacks.flatMap((s) =>
              s.members.map((m) => (
                <tr key={m.id}>
                  <td>{waveLabel(w.wave).label}</td>
                  <td>{s.name}</td>
                  <td>
                    <MemberLink kind={m.kind} name={m.name} />
                  </td>
                  <td>{m.kind}</td>
                  <td>{m.parents.length ? m.parents.map((p) => names.get(p) ?? p).join(', ') : '—'}</td>
                  <td>
                    <span className={`badge ${healthClass(m.health)}`}>{m.state}</span>
                  </td>
                </tr>
              )),
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}

/** The cluster's stacks: waves as lanes in deploy order, members as a DAG by their parents. */
export function StacksTab({ clusterId }: { clusterId: string }) {
  const stacks = useStacks(clusterId);
  const { graph, error } = useStacksGraph(stacks.data);
  if (stacks.isPending) return <Loading what="stacks" />;
  if (stacks.isError) return <ErrorState error={stacks.error} onRetry={() => stacks.refetch()} />;
  if (stacks.data.waves.length === 0)
    return (
      <Empty title="No stacks">
        <p>
          Stacks come from the cluster&apos;s <code>ImportCluster</code> file (<code>spec.stacks</code>). Add
          one with its add-ons and manifests, then import or sync the definition again.
        </p>
      </Empty>
    );
  const stackCount = stacks.data.waves.reduce((n, w) => n + w.stacks.length, 0);
  const height = graph
    ? Math.min(
        760,
        Math.max(260, ...graph.nodes.filter((n) => n.type === 'lane').map((n) => n.position.y + n.height)),
      )
    : 260;
  return (
    <ClusterId.Provider value={clusterId}>
      <p className="hint">
        {stackCount} {stackCount === 1 ? 'stack' : 'stacks'} in {stacks.data.waves.length}{' '}
        {stacks.data.waves.length === 1 ? 'lane' : 'lanes'}, {stacks.data.member_count} members. A wave starts
        when the waves above it have finished; inside a stack a member waits for its parents (arrows). Dashed
        arrows are parents in another stack.
      </p>
      {error ? (
        <ErrorState error={error} />
      ) : graph ? (
        <Flow
          label="Stacks by deploy wave"
          nodes={graph.nodes}
          edges={graph.edges}
          nodeTypes={NODE_TYPES}
          height={height}
        />
      ) : (
        <Loading what="the layout" />
      )}
      <MembersInOrder data={stacks.data} />
    </ClusterId.Provider>
  );
}
