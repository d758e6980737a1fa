import {
  Background,
  Controls,
  type Edge,
  MarkerType,
  type Node,
  type NodeTypes,
  ReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useSyncExternalStore } from 'react';
import type { GraphEdge, GraphNode } from './stacksGraph.ts';

interface Props<D> {
  label: string;
  nodes: GraphNode<D>[];
  edges: GraphEdge[];
  nodeTypes: NodeTypes;
  height: number;
  /** A node chosen with the mouse (its own buttons and links answer the keyboard). */
  onNodeClick?: (id: string) => void;
  /** Drawing from a node's right handle to another's left handle: `source` becomes a parent of `target`. */
  onConnect?: (source: string, target: string) => void;
}

/** The theme the page shows now: the root's `data-theme` (the toggle), else the system's. */
function shownTheme(): 'light' | 'dark' {
  const chosen = document.documentElement.dataset.theme;
  if (chosen === 'light' || chosen === 'dark') return chosen;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function subscribeTheme(changed: () => void): () => void {
  const observer = new MutationObserver(changed);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  media.addEventListener('change', changed);
  return () => {
    observer.disconnect();
    media.removeEventListener('change', changed);
  };
}

/** A laid-out graph drawn with React Flow: nothing moves by hand; pan and zoom with the controls. */
export function Flow<D>(p: Props<D>) {
  const theme = useSyncExternalStore(subscribeTheme, shownTheme);
  const edges: Edge[] = p.edges.map((e) => ({
    id: e.id,
    source: e.source,
    target: e.target,
    type: 'smoothstep',
    markerEnd: { type: MarkerType.ArrowClosed },
    className: e.crossStack ? 'edge-cross' : undefined,
    focusable: false,
  }));
  return (
    <figure className="flow" aria-label={p.label} style={{ height: p.height }}>
      <ReactFlow
        nodes={p.nodes as unknown as Node[]}
        edges={edges}
        nodeTypes={p.nodeTypes}
        // a click handler also lets the pointer reach the links and buttons inside the nodes
        onNodeClick={(_, node) => p.onNodeClick?.(node.id)}
        colorMode={theme}
        fitView
        fitViewOptions={{ padding: 0.05, maxZoom: 1 }}
        minZoom={0.1}
        maxZoom={1.5}
        nodesDraggable={false}
        nodesConnectable={!!p.onConnect}
        onConnect={(c) => {
          if (c.source && c.target) p.onConnect?.(c.source, c.target);
        }}
        nodesFocusable={false}
        edgesFocusable={false}
        elementsSelectable={false}
        zoomOnScroll={false}
        preventScrolling={false}
        panOnScroll={false}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={24} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </figure>
  );
}
