import { Handle, type NodeProps, type NodeTypes, Position } from '@xyflow/react';
import { createContext, useContext, useEffect, useMemo, useState } from 'react';
import type { AddonEvent, ResourceNode } from '../api/types.ts';
import { Empty, ErrorState, Loading } from '../components/States.tsx';
import { elkLayout } from '../graph/elk.ts';
import { Flow } from '../graph/Flow.tsx';
import {
  healthClass,
  healthCounts,
  type ResourceNodeData,
  resourceElkGraph,
  resourceGraph,
} from '../graph/resourceGraph.ts';
import type { GraphEdge, GraphNode } from '../graph/stacksGraph.ts';
import { ago } from './format.ts';

const Selection = createContext<{ selected: string | null; select: (id: string) => void }>({
  selected: null,
  select: () => undefined,
});

function ResourceBox({ id, data }: NodeProps) {
  const { resource: r } = data as unknown as ResourceNodeData;
  const { selected, select } = useContext(Selection);
  return (
    <div className={`resource-node ${healthClass(r.health)}${selected === id ? ' selected' : ''}`}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <button
        type="button"
        className="resource-node-name nodrag nopan"
        aria-pressed={selected === id}
        aria-label={`${r.kind} ${r.name}, ${r.health}`}
        onClick={() => select(id)}
      >
        <small>{r.kind}</small> {r.name}
      </button>
      <div>
        <span className={`badge ${healthClass(r.health)}`}>{r.health}</span>
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

const NODE_TYPES: NodeTypes = { resource: ResourceBox };

function Details({ node, events }: { node: GraphNode<ResourceNodeData>; events: AddonEvent[] }) {
  const r = node.data.resource;
  const mine = events.filter((e) => e.object === `${r.kind}/${r.name}`);
  return (
    <section className="resource-details" aria-labelledby="resource-title" aria-live="polite">
      <h3 id="resource-title">
        {r.kind} {r.name}
      </h3>
      <dl className="facts">
        <dt>Health</dt>
        <dd>
          <span className={`badge ${healthClass(r.health)}`}>{r.health}</span>
        </dd>
        {r.message ? (
          <>
            <dt>Message</dt>
            <dd>{r.message}</dd>
          </>
        ) : null}
        <dt>API version</dt>
        <dd>{r.apiVersion}</dd>
        <dt>Namespace</dt>
        <dd>{r.namespace ?? '— (cluster-wide)'}</dd>
        <dt>Owned by</dt>
        <dd>{node.data.owner ?? 'the Helm release'}</dd>
        <dt>Owns</dt>
        <dd>{r.children.length ? r.children.map((c) => `${c.kind} ${c.name}`).join(', ') : 'nothing'}</dd>
      </dl>
      <h4>Events</h4>
      {mine.length === 0 ? (
        <p className="hint">No recent events for this object.</p>
      ) : (
        <ul>
          {mine.map((e) => (
            <li key={`${e.reason}-${e.last_seen}-${e.message}`}>
              <span className={`badge ${e.type === 'Warning' ? 'warn' : 'neutral'}`}>{e.type}</span>{' '}
              {e.reason}: {e.message}{' '}
              <small>
                ({e.count}×, {ago(e.last_seen)})
              </small>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The add-on's objects as a graph (owners → what they own), coloured by health; a click shows one. */
export function ResourceMap({ tree, events }: { tree: ResourceNode[]; events: AddonEvent[] }) {
  const [graph, setGraph] = useState<{ nodes: GraphNode<ResourceNodeData>[]; edges: GraphEdge[] } | null>(
    null,
  );
  const [error, setError] = useState<unknown>(null);
  const [selected, setSelected] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    elkLayout(resourceElkGraph(tree))
      .then((laid) => {
        if (live) setGraph(resourceGraph(tree, laid));
      })
      .catch((e: unknown) => {
        if (live) setError(e);
      });
    return () => {
      live = false;
    };
  }, [tree]);
  const selection = useMemo(() => ({ selected, select: setSelected }), [selected]);
  if (tree.length === 0)
    return (
      <Empty title="No objects">
        <p>The release has no objects in the cluster yet. Deploy the add-on, then come back.</p>
      </Empty>
    );
  if (error) return <ErrorState error={error} />;
  if (!graph) return <Loading what="the layout" />;
  const counts = healthCounts(tree);
  const node = graph.nodes.find((n) => n.id === selected);
  const height = Math.min(720, Math.max(240, ...graph.nodes.map((n) => n.position.y + n.height + 32)));
  return (
    <Selection.Provider value={selection}>
      <p className="hint">
        {graph.nodes.length} objects:{' '}
        {Object.entries(counts)
          .map(([h, n]) => `${n} ${h}`)
          .join(', ')}
        . Choose one to see its details.
      </p>
      <Flow
        label="Resource Map: the add-on’s objects by owner"
        nodes={graph.nodes}
        edges={graph.edges}
        nodeTypes={NODE_TYPES}
        height={height}
        onNodeClick={setSelected}
      />
      {node ? <Details node={node} events={events} /> : null}
    </Selection.Provider>
  );
}
