import { useEffect, useId, useState } from 'react';
import type { Chart, ChartVersionDetail } from '../api/types.ts';
import { useChartSearch, useChartVersion, useChartVersions, useRegistries } from '../builder/queries.ts';
import { Empty, ErrorState, Loading } from '../components/States.tsx';
import { navigate } from '../router/navigation.tsx';
import { hrefOf } from '../router/routes.ts';

export interface BrowserState {
  q: string;
  /** `registry/name` */
  chart: string | null;
  version: string | null;
}

export interface Picked {
  chart: Chart;
  version: string;
  registryUrl: string;
  credentialName: string | null;
}

const splitChart = (c: string | null): [string | null, string | null] => {
  if (!c) return [null, null];
  const i = c.indexOf('/');
  return i < 0 ? [null, null] : [c.slice(0, i), c.slice(i + 1)];
};

/** What a version holds: its default values, its schema's state, its README (as text). */
function VersionDetail({ detail }: { detail: ChartVersionDetail }) {
  return (
    <div className="chart-detail">
      <p className="hint">
        {detail.app_version ? `App version ${detail.app_version}. ` : ''}
        {detail.has_schema ? 'Has values.schema.json.' : 'No values.schema.json.'}
        {detail.values_schema_error ? ` The schema does not parse: ${detail.values_schema_error}` : ''}
        {detail.deprecated ? ' Deprecated.' : ''}
      </p>
      <details>
        <summary>Default values (values.yaml)</summary>
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling text must be reachable by keyboard */}
        <pre className="code" tabIndex={0}>
          {detail.values ?? '(none)'}
        </pre>
      </details>
      <section aria-label="README">
        <h3>README</h3>
        {detail.readme ? (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling text must be reachable by keyboard
          <pre className="readme" data-testid="chart-readme" tabIndex={0}>
            {detail.readme}
          </pre>
        ) : (
          <p>This version has no README.</p>
        )}
      </section>
    </div>
  );
}

/** Search charts across registries, choose one, its versions, a version's README and values. */
export function ChartBrowser({
  state,
  onState,
  onPick,
}: {
  state: BrowserState;
  onState: (s: BrowserState) => void;
  onPick?: (p: Picked) => void;
}) {
  const [typed, setTyped] = useState(state.q);
  const searchId = useId();
  // search as one types, a moment after the last key
  useEffect(() => {
    if (typed === state.q) return;
    const t = setTimeout(() => onState({ ...state, q: typed }), 250);
    return () => clearTimeout(t);
  }, [typed, state, onState]);
  const charts = useChartSearch(state.q);
  const registries = useRegistries();
  const [registry, name] = splitChart(state.chart);
  const versions = useChartVersions(registry, name);
  const version = state.version ?? versions.data?.items[0]?.version ?? null;
  const detail = useChartVersion(registry, name, version);
  const chosen =
    charts.data?.items.find((c) => c.registry === registry && c.name === name) ?? versions.data?.chart;
  const reg = registries.data?.find((r) => r.name === registry);
  return (
    <div className="chart-browser">
      <div className="chart-search">
        <label htmlFor={searchId}>Search charts</label>
        <input
          id={searchId}
          type="search"
          value={typed}
          placeholder="name or description"
          onChange={(e) => setTyped(e.target.value)}
        />
        {registries.data ? (
          <small className="hint">
            {registries.data.length} {registries.data.length === 1 ? 'registry' : 'registries'}:{' '}
            {registries.data.map((r) => `${r.name} (${r.chart_count})`).join(', ') || 'none connected'}
          </small>
        ) : null}
      </div>
      <div className="chart-columns">
        <div className="chart-results">
          {charts.isPending ? (
            <Loading what="charts" />
          ) : charts.isError ? (
            <ErrorState error={charts.error} onRetry={() => charts.refetch()} />
          ) : charts.data.items.length === 0 ? (
            <Empty title="No chart found">
              <p>Try other words, or connect a registry (admins: POST /api/v1/registries).</p>
            </Empty>
          ) : (
            <ul className="plain" aria-label="Charts found">
              {charts.data.items.map((c) => {
                const key = `${c.registry}/${c.name}`;
                return (
                  <li key={key}>
                    <button
                      type="button"
                      className="chart-item"
                      aria-pressed={state.chart === key}
                      onClick={() => onState({ ...state, chart: key, version: null })}
                    >
                      <strong>{c.name}</strong> <small>{c.registry}</small>
                      {c.deprecated ? <span className="badge warn">deprecated</span> : null}
                      <br />
                      <small>
                        {c.latest_version ?? '—'}
                        {c.app_version ? ` (app ${c.app_version})` : ''} · {c.description ?? ''}
                      </small>
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
          {charts.data && charts.data.total > charts.data.items.length ? (
            <p className="hint">
              {charts.data.items.length} of {charts.data.total}: narrow the search.
            </p>
          ) : null}
        </div>
        <div className="chart-pane">
          {!state.chart ? (
            <p className="hint">Choose a chart to see its versions and README.</p>
          ) : versions.isPending ? (
            <Loading what="versions" />
          ) : versions.isError ? (
            <ErrorState error={versions.error} onRetry={() => versions.refetch()} />
          ) : (
            <>
              <h2>
                {chosen?.name ?? name} <small>from {registry}</small>
              </h2>
              {chosen?.description ? <p>{chosen.description}</p> : null}
              <label>
                Version{' '}
                <select
                  value={version ?? ''}
                  onChange={(e) => onState({ ...state, version: e.target.value })}
                  aria-label="Version"
                >
                  {versions.data.items.map((v) => (
                    <option key={v.version} value={v.version}>
                      {v.version}
                      {v.app_version ? ` (app ${v.app_version})` : ''}
                      {v.deprecated ? ' deprecated' : ''}
                      {v.state !== 'indexed' ? ` (${v.state})` : ''}
                    </option>
                  ))}
                </select>
              </label>{' '}
              {onPick && chosen && version && reg ? (
                <button
                  type="button"
                  className="button primary"
                  onClick={() =>
                    onPick({
                      chart: chosen,
                      version,
                      registryUrl: reg.url,
                      credentialName: reg.credential_name,
                    })
                  }
                >
                  Use {chosen.name} {version}
                </button>
              ) : null}
              {detail.isPending ? (
                <Loading what="the version" />
              ) : detail.isError ? (
                <ErrorState error={detail.error} onRetry={() => detail.refetch()} />
              ) : (
                <VersionDetail detail={detail.data} />
              )}
            </>
          )}
        </div>
      </div>
    </div>
  );
}

/** `/charts`: the chart browser, its state in the URL. */
export function ChartsPage(p: BrowserState) {
  return (
    <>
      <h1>Charts</h1>
      <p className="hint">
        Charts of every connected registry, as last indexed. Add one to a cluster from its Stack Builder tab.
      </p>
      <ChartBrowser
        state={p}
        onState={(s) => navigate(hrefOf({ page: 'charts', ...s }), { replace: true })}
      />
    </>
  );
}
