import { useEffect, useState } from 'react';
import { api, apiStream } from '../api/client.ts';
import { applyResourceEvent, type LiveObject, parseSse, type ResourceEvent } from './liveResources.ts';

interface ListAnswer {
  items: LiveObject[];
  total: number;
  stale: boolean;
  last_heard_at: string | null;
}

export interface LiveList {
  items: LiveObject[] | null;
  stale: boolean;
  lastHeardAt: string | null;
  error: unknown;
  /** The event stream is open. */
  live: boolean;
}

/** One kind's objects: listed, then kept current by the platform's events until the view changes. */
export function useLiveResources(
  clusterId: string,
  kind: string,
  namespace: string,
  attempt: number,
): LiveList {
  const [state, setState] = useState<LiveList>({
    items: null,
    stale: false,
    lastHeardAt: null,
    error: null,
    live: false,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new attempt opens the stream again after an error
  useEffect(() => {
    const abort = new AbortController();
    const filter = `kind=${encodeURIComponent(kind)}${namespace ? `&namespace=${encodeURIComponent(namespace)}` : ''}`;
    const base = `/clusters/${encodeURIComponent(clusterId)}/resources`;
    setState({ items: null, stale: false, lastHeardAt: null, error: null, live: false });
    (async () => {
      // the events first (buffered), then the list: nothing between the two is lost
      const pending: ResourceEvent[] = [];
      let items: LiveObject[] | null = null;
      let buffer = '';
      const stream = apiStream(`${base}/events?${filter}`, abort.signal, (text) => {
        const { data, rest } = parseSse(buffer + text);
        buffer = rest;
        for (const d of data) {
          const e = JSON.parse(d) as ResourceEvent;
          if (items === null) pending.push(e);
          else {
            items = applyResourceEvent(items, e);
            const next = items;
            setState((s) => ({ ...s, items: next, live: true }));
          }
        }
      });
      stream.catch((error: unknown) => {
        if (!abort.signal.aborted)
          setState((s) => ({ ...s, live: false, error: s.items === null ? error : null }));
      });
      const all: LiveObject[] = [];
      let first: ListAnswer | undefined;
      for (let page = 1; ; page++) {
        const p = await api<ListAnswer>(`${base}?${filter}&page=${page}&page_size=100&sort=namespace`, {
          signal: abort.signal,
        });
        first ??= p;
        all.push(...p.items);
        if (p.items.length === 0 || all.length >= p.total || all.length >= 5_000) break;
      }
      items = pending.reduce(applyResourceEvent, all);
      const listed = items;
      setState({
        items: listed,
        stale: first!.stale,
        lastHeardAt: first!.last_heard_at,
        error: null,
        live: true,
      });
    })().catch((error: unknown) => {
      if (!abort.signal.aborted) setState((s) => ({ ...s, error }));
    });
    return () => abort.abort();
  }, [clusterId, kind, namespace, attempt]);
  return state;
}
