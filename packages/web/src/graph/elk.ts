import type { ElkNode } from 'elkjs/lib/elk-api.js';
import * as elkApi from 'elkjs/lib/elk-api.js';
import workerUrl from 'elkjs/lib/elk-worker.min.js?url';

type Elk = { layout(graph: ElkNode): Promise<ElkNode> };
type ElkConstructor = new (o: { workerUrl: string }) => Elk;

let elk: Elk | undefined;

/** Lays a graph out with ELK in a web worker (one per page), so the page stays responsive. */
export function elkLayout(graph: ElkNode): Promise<ElkNode> {
  if (!elk) {
    // a CommonJS bundle: the constructor is the module or its default, depending on the bundler's interop
    const m = elkApi as unknown as { default?: unknown };
    const Ctor = (
      typeof m.default === 'function' ? m.default : (m.default as { default?: unknown })?.default
    ) as ElkConstructor;
    elk = new Ctor({ workerUrl });
  }
  return elk.layout(graph);
}
