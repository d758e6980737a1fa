import { useEffect, useRef, useState } from 'react';
import { api, apiStream } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import { useCluster } from '../api/queries.ts';
import { ErrorState } from '../components/States.tsx';
import { containersOf, type LiveObject } from '../resources/liveResources.ts';
import { Link, navigate, useLocation } from '../router/navigation.tsx';
import { hrefOf, withQuery } from '../router/routes.ts';

const MAX_LINES = 10_000;

/** A pod's log through the cluster's agent: container, follow, tail, previous, search; follows live. */
export function PodLogsPage({ id, namespace, name }: { id: string; namespace: string; name: string }) {
  const cluster = useCluster(id);
  const { pathname, search } = useLocation();
  const q = new URLSearchParams(search);
  const follow = q.get('follow') !== '0';
  const previous = q.get('previous') === '1';
  const tail = q.get('tail') ?? '500';
  const text = q.get('q') ?? '';
  const [containers, setContainers] = useState<string[]>([]);
  const container = q.get('container') ?? containers[0] ?? '';
  const [lines, setLines] = useState<string[]>([]);
  const [state, setState] = useState<{ streaming: boolean; error: unknown }>({
    streaming: false,
    error: null,
  });
  const [attempt, setAttempt] = useState(0);
  const pre = useRef<HTMLPreElement>(null);
  const set = (changes: Record<string, string | null>) =>
    navigate(`${pathname}${withQuery(search, changes)}`, { replace: true });

  // the pod's containers, from the live copy of the cluster's pods
  useEffect(() => {
    const abort = new AbortController();
    api<{ items: LiveObject[] }>(
      `/clusters/${encodeURIComponent(id)}/resources?kind=Pod&namespace=${encodeURIComponent(namespace)}&page_size=100`,
      { signal: abort.signal },
    )
      .then((r) => setContainers(containersOf(r.items.find((p) => p.metadata.name === name))))
      .catch(() => setContainers([]));
    return () => abort.abort();
  }, [id, namespace, name]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new attempt opens the stream again after an error
  useEffect(() => {
    const abort = new AbortController();
    const params = new URLSearchParams();
    if (container) params.set('container', container);
    if (follow) params.set('follow', 'true');
    if (previous) params.set('previous', 'true');
    if (tail) params.set('tail_lines', tail);
    setLines([]);
    setState({ streaming: true, error: null });
    let partial = '';
    apiStream(
      `/clusters/${encodeURIComponent(id)}/pods/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/logs?${params}`,
      abort.signal,
      (chunk) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        if (parts.length) setLines((l) => [...l, ...parts].slice(-MAX_LINES));
      },
    )
      .then(() => {
        if (partial) setLines((l) => [...l, partial].slice(-MAX_LINES));
        setState({ streaming: false, error: null });
      })
      .catch((error: unknown) => {
        if (!abort.signal.aborted) setState({ streaming: false, error });
      });
    return () => abort.abort();
  }, [id, namespace, name, container, follow, previous, tail, attempt]);

  // keep the newest line in view while following
  useEffect(() => {
    if (follow && pre.current && lines.length) pre.current.scrollTop = pre.current.scrollHeight;
  }, [lines, follow]);

  const words = text.toLowerCase();
  const shown = words ? lines.filter((l) => l.toLowerCase().includes(words)) : lines;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href="/">Fleet</Link> /{' '}
        <Link href={hrefOf({ page: 'cluster', id, tab: 'overview' })}>{cluster.data?.name ?? id}</Link> /{' '}
        <Link
          href={`${hrefOf({ page: 'cluster', id, tab: 'resources' })}?kind=Pod&namespace=${encodeURIComponent(namespace)}`}
        >
          Pods
        </Link>{' '}
        / <span aria-current="page">{name}</span>
      </nav>
      <h1>
        Log of {name} <small>in {namespace}</small>
      </h1>
      <div className="table-tools log-tools">
        <label htmlFor="log-container">Container</label>
        <select id="log-container" value={container} onChange={(e) => set({ container: e.target.value })}>
          {(containers.length ? containers : [container]).map((c) => (
            <option key={c} value={c}>
              {c || 'the only one'}
            </option>
          ))}
        </select>
        <label>
          <input
            type="checkbox"
            checked={follow}
            onChange={(e) => set({ follow: e.target.checked ? null : '0' })}
          />{' '}
          Follow
        </label>
        <label>
          <input
            type="checkbox"
            checked={previous}
            onChange={(e) => set({ previous: e.target.checked ? '1' : null })}
          />{' '}
          Previous instance
        </label>
        <label htmlFor="log-tail">Last lines</label>
        <select id="log-tail" value={tail} onChange={(e) => set({ tail: e.target.value })}>
          {['100', '500', '2000', '10000'].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        <label htmlFor="log-search">Search</label>
        <input
          id="log-search"
          type="search"
          value={text}
          onChange={(e) => set({ q: e.target.value || null })}
        />
        <span className="count" aria-live="polite">
          {words ? `${shown.length} of ${lines.length} lines` : `${lines.length} lines`}
          {state.streaming ? (follow ? ' · following' : ' · reading') : ''}
        </span>
      </div>
      {state.error ? (
        <>
          <ErrorState error={state.error} onRetry={() => setAttempt((n) => n + 1)} />
          <p className="hint">{describeError(state.error).detail}</p>
        </>
      ) : null}
      {!state.error && lines.length === 0 && !state.streaming ? (
        <p className="state empty">
          The container wrote nothing{previous ? ' in its previous instance' : ''}.
        </p>
      ) : null}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling log must be reachable by keyboard */}
      <pre ref={pre} className="log" role="log" aria-label={`Log of ${name}`} tabIndex={0}>
        {shown.join('\n')}
      </pre>
    </>
  );
}
