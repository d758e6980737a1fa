/** How one node of a DAG run ended. */
export type NodeOutcome = 'succeeded' | 'failed' | 'blocked';

export interface DagNode<T> {
  id: string;
  deps: string[];
  value: T;
}

export interface DagResult<R> {
  outcome: NodeOutcome;
  result?: R;
  error?: unknown;
  /** For `blocked`: the failed ancestor that stopped it. */
  blockedBy?: string;
}

/**
 * Runs a DAG: a node starts only after all its dependencies succeeded, at most
 * `concurrency` at a time; a failure blocks every descendant and nothing else.
 * Returns every node's outcome (partial failure is data).
 */
export async function runDag<T, R>(
  nodes: DagNode<T>[],
  opts: {
    concurrency: number;
    run: (node: DagNode<T>) => Promise<R>;
    onBlocked?: (node: DagNode<T>, by: string) => void;
  },
): Promise<Map<string, DagResult<R>>> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const n of nodes) {
    for (const d of n.deps)
      if (!byId.has(d)) throw new Error(`DAG node ${n.id} depends on unknown node ${d}`);
  }
  const results = new Map<string, DagResult<R>>();
  const children = new Map<string, string[]>();
  const waiting = new Map<string, number>();
  for (const n of nodes) {
    waiting.set(n.id, n.deps.length);
    for (const d of n.deps) children.set(d, [...(children.get(d) ?? []), n.id]);
  }
  const ready: string[] = nodes.filter((n) => n.deps.length === 0).map((n) => n.id);
  let running = 0;

  return new Promise((resolve) => {
    const finishIfDone = () => {
      if (results.size === nodes.length) resolve(results);
    };
    const block = (id: string, by: string) => {
      for (const c of children.get(id) ?? []) {
        if (results.has(c)) continue;
        results.set(c, { outcome: 'blocked', blockedBy: by });
        opts.onBlocked?.(byId.get(c)!, by);
        block(c, by);
      }
    };
    const pump = () => {
      while (running < opts.concurrency && ready.length > 0) {
        const id = ready.shift()!;
        if (results.has(id)) continue;
        const node = byId.get(id)!;
        running++;
        opts
          .run(node)
          .then(
            (result) => {
              results.set(id, { outcome: 'succeeded', result });
              for (const c of children.get(id) ?? []) {
                const left = (waiting.get(c) ?? 0) - 1;
                waiting.set(c, left);
                if (left === 0 && !results.has(c)) ready.push(c);
              }
            },
            (error: unknown) => {
              results.set(id, { outcome: 'failed', error });
              block(id, id);
            },
          )
          .finally(() => {
            running--;
            pump();
            finishIfDone();
          });
      }
    };
    pump();
    finishIfDone();
  });
}
