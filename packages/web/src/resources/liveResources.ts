/**
 * Live resources in the browser (pure): the list the platform answers, kept current by its
 * Server-Sent Events. `resourceVersion` is opaque: an event replaces the object, it is never
 * compared as a number.
 */

export interface LiveObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    resourceVersion?: string;
    ownerReferences?: { kind: string; name: string }[];
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export type ResourceEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; kind: string; object: LiveObject }
  | { type: 'SYNCED'; kind: string; count: number };

export const objectKey = (o: LiveObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** The list after one event: added or modified objects replace theirs (or join), deleted ones leave. */
export function applyResourceEvent(items: readonly LiveObject[], e: ResourceEvent): LiveObject[] {
  if (e.type === 'SYNCED') return [...items];
  const key = objectKey(e.object);
  const i = items.findIndex((o) => objectKey(o) === key);
  if (e.type === 'DELETED') return i < 0 ? [...items] : [...items.slice(0, i), ...items.slice(i + 1)];
  if (i < 0) return [...items, e.object];
  const next = [...items];
  next[i] = e.object;
  return next;
}

/** Splits a text/event-stream into its events' data (pure); what is left is an unfinished event. */
export function parseSse(buffer: string): { data: string[]; rest: string } {
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? '';
  const data: string[] = [];
  for (const block of blocks) {
    const lines = block.split(/\r?\n/).filter((l) => l.startsWith('data:'));
    if (lines.length) data.push(lines.map((l) => l.slice(5).replace(/^ /, '')).join('\n'));
  }
  return { data, rest };
}

/** A short status of an object, by kind: a pod's phase and readiness, a workload's ready replicas. */
export function statusOf(o: LiveObject): string {
  const s = o.status ?? {};
  if (o.kind === 'Pod') {
    const cs = (s.containerStatuses as { ready?: boolean }[] | undefined) ?? [];
    const ready = cs.filter((c) => c.ready).length;
    return `${String(s.phase ?? 'Unknown')}${cs.length ? ` ${ready}/${cs.length}` : ''}`;
  }
  if (
    typeof s.replicas === 'number' ||
    typeof (o.spec as { replicas?: number } | undefined)?.replicas === 'number'
  ) {
    const want = (o.spec as { replicas?: number } | undefined)?.replicas ?? (s.replicas as number);
    return `${(s.readyReplicas as number | undefined) ?? 0}/${want} ready`;
  }
  if (typeof s.phase === 'string') return s.phase;
  return '';
}

/** The containers of a pod, for the log viewer's choice. */
export function containersOf(o: LiveObject | undefined): string[] {
  const spec = o?.spec as
    | { initContainers?: { name: string }[]; containers?: { name: string }[] }
    | undefined;
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].map((c) => c.name);
}
