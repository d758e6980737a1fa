import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client.ts';
import { ApiError, describeError } from '../api/errors.ts';
import { useMe } from '../api/queries.ts';
import type {
  DecommissionAnswer,
  EligibilityView,
  EngineName,
  EnginesView,
  Migration,
} from '../api/types.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { Empty, ErrorState, Loading } from '../components/States.tsx';
import {
  COVERAGE_LABEL,
  canMigrate,
  canRollBack,
  decommissionState,
  ENGINE_LABEL,
  ITEM_STATE_CLASS,
  migrationBody,
  migrationProgress,
  migrationTitle,
  onArgocd,
  reportSummary,
  sourceLabel,
} from '../engines/engines.ts';
import { formatTime } from './format.ts';

const base = (id: string) => `/clusters/${encodeURIComponent(id)}`;
const ekeys = {
  engines: (id: string) => ['clusters', id, 'engines'] as const,
  eligibility: (id: string) => ['clusters', id, 'migration-eligibility'] as const,
  migrations: (id: string) => ['clusters', id, 'migrations'] as const,
  migration: (id: string, m: string) => ['clusters', id, 'migration', m] as const,
  decommission: (id: string) => ['clusters', id, 'decommission'] as const,
};

/** A refusal in words: a 409's message as the platform wrote it. */
function ActionError({ error }: { error: unknown }) {
  const d = describeError(error);
  const title = error instanceof ApiError && error.status === 409 ? 'Refused' : d.title;
  return (
    <p className="form-error" role="alert">
      {title}: {d.detail}
    </p>
  );
}

const badge = (text: string, cls: string) => <span className={`badge ${cls}`}>{text}</span>;

type Dialog =
  | { kind: 'migrate' }
  | { kind: 'rollback'; addon: string }
  | { kind: 'decommission'; remaining: string[] }
  | null;

/** The cluster's engines: each add-on's, the migration from Argo CD to native, rolling back, decommissioning Argo CD. */
export function EnginesTab({ clusterId }: { clusterId: string }) {
  const client = useQueryClient();
  const me = useMe();
  const isAdmin = me.data?.role === 'admin' || me.data?.role === 'owner';
  const [reportOpen, setReportOpen] = useState(false);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [concurrency, setConcurrency] = useState(3);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [activeId, setActiveId] = useState<string | null>(null);

  const migrations = useQuery({
    queryKey: ekeys.migrations(clusterId),
    queryFn: ({ signal }) =>
      api<{ items: Migration[] }>(`${base(clusterId)}/migrations`, { signal }).then((r) => r.items),
    refetchInterval: (q) => (q.state.data?.[0]?.state === 'running' ? 2_000 : 15_000),
  });
  // the migration shown: the newest (whoever started it), or the one just started here until the list has it
  const listed = migrations.data ?? [];
  const shownId = activeId && !listed.some((m) => m.id === activeId) ? activeId : (listed[0]?.id ?? activeId);
  const migration = useQuery({
    queryKey: ekeys.migration(clusterId, shownId ?? ''),
    queryFn: ({ signal }) =>
      api<Migration>(`${base(clusterId)}/migrations/${encodeURIComponent(shownId!)}`, { signal }),
    enabled: shownId !== null,
    refetchInterval: (q) => (q.state.data?.state === 'running' ? 1_500 : false),
  });
  const running = migration.data?.state === 'running';
  const engines = useQuery({
    queryKey: ekeys.engines(clusterId),
    queryFn: ({ signal }) => api<EnginesView>(`${base(clusterId)}/engines`, { signal }),
    refetchInterval: running ? 3_000 : 15_000,
  });
  const eligibility = useQuery({
    queryKey: ekeys.eligibility(clusterId),
    queryFn: ({ signal }) => api<EligibilityView>(`${base(clusterId)}/migration/eligibility`, { signal }),
    enabled: reportOpen,
    staleTime: 0,
    gcTime: 0,
    retry: false,
  });
  // what the decommission answered (its clean-up lines), kept while the UI stays open
  const decommissioned = useQuery({
    queryKey: ekeys.decommission(clusterId),
    queryFn: () => null as DecommissionAnswer | null,
    enabled: false,
    staleTime: Number.POSITIVE_INFINITY,
  });

  // when the followed migration ends, the engines and the list change
  const lastState = useRef<string | undefined>(undefined);
  useEffect(() => {
    const s = migration.data?.state;
    if (lastState.current === 'running' && s && s !== 'running') {
      void client.invalidateQueries({ queryKey: ekeys.engines(clusterId) });
      void client.invalidateQueries({ queryKey: ekeys.migrations(clusterId) });
    }
    lastState.current = s;
  }, [migration.data?.state, client, clusterId]);

  // every eligible add-on chosen when a report arrives
  useEffect(() => {
    if (eligibility.data)
      setChosen(new Set(eligibility.data.addons.filter((a) => a.eligible).map((a) => a.addon)));
  }, [eligibility.data]);

  const follow = (m: Migration) => {
    client.setQueryData(ekeys.migration(clusterId, m.id), m);
    lastState.current = m.state;
    setActiveId(m.id);
    void client.invalidateQueries({ queryKey: ekeys.migrations(clusterId) });
    void client.invalidateQueries({ queryKey: ekeys.engines(clusterId) });
  };
  // a refusal (409) often means someone else changed something: show what is there now
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ekeys.migrations(clusterId) });
    void client.invalidateQueries({ queryKey: ekeys.engines(clusterId) });
  };
  const start = useMutation({
    mutationFn: (body: { addons?: string[]; concurrency: number }) =>
      api<Migration>(`${base(clusterId)}/migrations`, { method: 'POST', body }),
    onSuccess: (m) => {
      setReportOpen(false);
      follow(m);
    },
    onError: refresh,
  });
  const rollback = useMutation({
    mutationFn: (addon: string) =>
      api<Migration>(`${base(clusterId)}/addons/${encodeURIComponent(addon)}/engine/rollback`, {
        method: 'POST',
      }),
    onSuccess: follow,
    onError: refresh,
  });
  const decommission = useMutation({
    mutationFn: () => api<DecommissionAnswer>(`${base(clusterId)}/argocd/decommission`, { method: 'POST' }),
    onSuccess: (d) => {
      client.setQueryData(ekeys.decommission(clusterId), d);
      if (d.migration) follow(d.migration);
      else void client.invalidateQueries({ queryKey: ekeys.engines(clusterId) });
    },
    onError: refresh,
  });
  const setDefault = useMutation({
    mutationFn: (engine: EngineName) =>
      api<EnginesView>(`${base(clusterId)}/engines/default`, { method: 'PUT', body: { engine } }),
    onSuccess: (v) => client.setQueryData(ekeys.engines(clusterId), v),
  });

  if (engines.isPending) return <Loading what="the engines" />;
  if (engines.isError) return <ErrorState error={engines.error} onRetry={() => engines.refetch()} />;
  const v = engines.data;
  const dec = decommissionState(v);
  const cleanup = decommissioned.data;
  const busy = running || start.isPending || rollback.isPending || decommission.isPending;

  return (
    <>
      <section aria-labelledby="engines-title">
        <h2 id="engines-title">Engines</h2>
        <dl className="facts">
          {isAdmin ? null : (
            <>
              <dt>Default engine</dt>
              <dd>
                {ENGINE_LABEL[v.default_engine]}{' '}
                <span className="hint">(for add-ons whose definition names none)</span>
              </dd>
            </>
          )}
          <dt>Argo CD</dt>
          <dd data-testid="argocd-state">
            {v.decommissioned_at
              ? badge(`Decommissioned ${formatTime(v.decommissioned_at)}`, 'neutral')
              : v.argocd_connected
                ? badge('Connected', 'good')
                : badge('Not connected', 'neutral')}
          </dd>
        </dl>
        {isAdmin ? (
          <DefaultEngineForm
            current={v.default_engine}
            argocdAllowed={!v.decommissioned_at}
            pending={setDefault.isPending}
            onSave={(e) => setDefault.mutate(e)}
          />
        ) : null}
        {setDefault.isError ? <ActionError error={setDefault.error} /> : null}
        {v.addons.length === 0 ? (
          <Empty title="No add-ons">
            <p>The cluster&apos;s definition has no add-ons; manifests are always applied natively.</p>
          </Empty>
        ) : (
          <table className="simple" data-testid="engines-table">
            <caption>Each add-on&apos;s engine and where it comes from</caption>
            <thead>
              <tr>
                <th scope="col">Add-on</th>
                <th scope="col">Namespace</th>
                <th scope="col">Stack</th>
                <th scope="col">Engine</th>
                <th scope="col">Set by</th>
                {isAdmin ? <th scope="col">Action</th> : null}
              </tr>
            </thead>
            <tbody>
              {v.addons.map((a) => (
                <tr key={a.name} data-addon={a.name}>
                  <td>{a.name}</td>
                  <td>{a.namespace}</td>
                  <td>{a.stack}</td>
                  <td>
                    {badge(ENGINE_LABEL[a.engine] ?? a.engine, a.engine === 'native' ? 'good' : 'warn')}
                  </td>
                  <td>{sourceLabel(a)}</td>
                  {isAdmin ? (
                    <td>
                      {canRollBack(v, a.name) ? (
                        <button
                          type="button"
                          disabled={busy}
                          onClick={() => setDialog({ kind: 'rollback', addon: a.name })}
                        >
                          Roll back <span className="visually-hidden">{a.name} </span>to Argo CD
                        </button>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {rollback.isError ? <ActionError error={rollback.error} /> : null}
      </section>

      {canMigrate(v) ? (
        <section aria-labelledby="migrate-title">
          <h2 id="migrate-title">Migrate to the native engine</h2>
          <p className="hint">
            {onArgocd(v).length} of {v.addons.length} add-ons run on Argo CD. Helm adopts their live objects
            (nothing is recreated, Pods keep running), then their Applications are deleted without cascade.
          </p>
          {isAdmin ? (
            <button
              type="button"
              className="primary"
              aria-expanded={reportOpen}
              aria-controls="eligibility"
              disabled={busy && !reportOpen}
              onClick={() => {
                if (reportOpen) setReportOpen(false);
                else {
                  start.reset();
                  setReportOpen(true);
                }
              }}
            >
              Migrate to native engine
            </button>
          ) : (
            <p>An admin can migrate them.</p>
          )}
          {reportOpen ? (
            <div id="eligibility">
              {eligibility.isPending ? <Loading what="the eligibility report (from the agent)" /> : null}
              {eligibility.isError ? (
                <ErrorState error={eligibility.error} onRetry={() => eligibility.refetch()} />
              ) : null}
              {eligibility.data ? (
                <EligibilityReport
                  report={eligibility.data}
                  chosen={chosen}
                  onToggle={(addon, on) =>
                    setChosen((s) => {
                      const n = new Set(s);
                      if (on) n.add(addon);
                      else n.delete(addon);
                      return n;
                    })
                  }
                  concurrency={concurrency}
                  onConcurrency={setConcurrency}
                  disabled={busy}
                  onContinue={() => setDialog({ kind: 'migrate' })}
                />
              ) : null}
              {start.isError ? <ActionError error={start.error} /> : null}
            </div>
          ) : null}
        </section>
      ) : null}

      {shownId ? (
        <section aria-labelledby="progress-title">
          <h2 id="progress-title">Latest migration</h2>
          {migration.isPending ? <Loading what="the migration" /> : null}
          {migration.isError ? (
            <ErrorState error={migration.error} onRetry={() => migration.refetch()} />
          ) : null}
          {migration.data ? <MigrationProgress m={migration.data} /> : null}
        </section>
      ) : null}

      {dec.show && isAdmin ? (
        <section aria-labelledby="decommission-title">
          <h2 id="decommission-title">Decommission Argo CD</h2>
          {dec.offered ? (
            <p>No add-on runs on Argo CD any more: Mooring can stop using it.</p>
          ) : (
            <p className="notice" data-testid="decommission-note">
              {dec.remaining.length === 1
                ? '1 add-on still runs'
                : `${dec.remaining.length} add-ons still run`}{' '}
              on Argo CD ({dec.remaining.join(', ')}): decommissioning migrates{' '}
              {dec.remaining.length === 1 ? 'it' : 'them'} to native first.
            </p>
          )}
          <p className="hint">
            The stored token is revoked and the credentials cleared; add-ons cannot go back to Argo CD after.
            Argo CD itself and the Applications Mooring did not write are left alone.
          </p>
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => setDialog({ kind: 'decommission', remaining: dec.remaining })}
          >
            Decommission Argo CD
          </button>
          {decommission.isError ? <ActionError error={decommission.error} /> : null}
        </section>
      ) : null}

      {cleanup ? (
        <section aria-labelledby="cleanup-title" data-testid="decommission-result">
          <h2 id="cleanup-title">
            {v.decommissioned_at ? 'Argo CD decommissioned' : 'Decommissioning Argo CD'}
          </h2>
          <p role="status">
            {v.decommissioned_at
              ? `Done ${formatTime(v.decommissioned_at)}.`
              : migration.data?.decommission && migration.data.state === 'failed'
                ? `The migration failed: ${migration.data.message}. Argo CD stays connected.`
                : cleanup.message}
          </p>
          <p>Left to clean up by hand in Argo CD:</p>
          <ul>
            {cleanup.manual_cleanup.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
        </section>
      ) : null}

      {migrations.data && migrations.data.length > 1 ? <History items={migrations.data} /> : null}

      {dialog ? (
        <ConfirmDialog
          open
          danger={dialog.kind !== 'migrate'}
          title={
            dialog.kind === 'migrate'
              ? 'Migrate to the native engine?'
              : dialog.kind === 'rollback'
                ? `Roll ${dialog.addon} back to Argo CD?`
                : 'Decommission Argo CD?'
          }
          confirmLabel={
            dialog.kind === 'migrate'
              ? 'Start the migration'
              : dialog.kind === 'rollback'
                ? 'Roll back'
                : 'Decommission'
          }
          onCancel={() => setDialog(null)}
          onConfirm={() => {
            for (const m of [start, rollback, decommission, setDefault]) m.reset();
            if (dialog.kind === 'migrate' && eligibility.data)
              start.mutate(migrationBody(eligibility.data, chosen, concurrency));
            if (dialog.kind === 'rollback') rollback.mutate(dialog.addon);
            if (dialog.kind === 'decommission') decommission.mutate();
            setDialog(null);
          }}
        >
          {dialog.kind === 'migrate' && eligibility.data ? (
            <>
              <p>
                These add-ons move from Argo CD to the native engine, {concurrency} at a time:{' '}
                <strong>
                  {eligibility.data.addons
                    .filter((a) => a.eligible && chosen.has(a.addon))
                    .map((a) => a.addon)
                    .join(', ')}
                </strong>
                .
              </p>
              <p className="hint">Each one can be rolled back to Argo CD until Argo CD is decommissioned.</p>
            </>
          ) : null}
          {dialog.kind === 'rollback' ? (
            <p>
              Argo CD gets an Application for {dialog.addon} again and adopts the same objects; the native
              engine stops managing it.
            </p>
          ) : null}
          {dialog.kind === 'decommission' ? (
            <>
              {dialog.remaining.length ? (
                <p>
                  First {dialog.remaining.join(', ')} {dialog.remaining.length === 1 ? 'moves' : 'move'} to
                  native; Argo CD is decommissioned when every add-on moved.
                </p>
              ) : null}
              <p>This cannot be undone: no add-on can go back to Argo CD on this cluster.</p>
            </>
          ) : null}
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function DefaultEngineForm(p: {
  current: EngineName;
  argocdAllowed: boolean;
  pending: boolean;
  onSave: (e: EngineName) => void;
}) {
  const [choice, setChoice] = useState<EngineName>(p.current);
  useEffect(() => setChoice(p.current), [p.current]);
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        p.onSave(choice);
      }}
    >
      <label htmlFor="default-engine">Default engine</label>{' '}
      <select id="default-engine" value={choice} onChange={(e) => setChoice(e.target.value as EngineName)}>
        <option value="native">Native</option>
        <option value="argocd" disabled={!p.argocdAllowed}>
          Argo CD{p.argocdAllowed ? '' : ' (decommissioned)'}
        </option>
      </select>{' '}
      <button type="submit" disabled={p.pending || choice === p.current}>
        Save
      </button>{' '}
      <span className="hint">for add-ons whose definition names none</span>
    </form>
  );
}

function EligibilityReport(p: {
  report: EligibilityView;
  chosen: Set<string>;
  onToggle: (addon: string, on: boolean) => void;
  concurrency: number;
  onConcurrency: (n: number) => void;
  disabled: boolean;
  onContinue: () => void;
}) {
  const r = p.report;
  const blocked = r.addons.filter((a) => !a.eligible);
  const picked = r.addons.filter((a) => a.eligible && p.chosen.has(a.addon)).length;
  if (!r.addons.length)
    return (
      <Empty title="Nothing to migrate">
        <p>No add-on runs on Argo CD.</p>
      </Empty>
    );
  return (
    <>
      <p role="status" data-testid="eligibility-summary">
        {r.eligible
          ? `Every add-on can migrate now (${r.addons.length}).`
          : `${blocked.length} of ${r.addons.length} add-ons cannot migrate now: ${blocked.map((a) => a.addon).join(', ')}.`}
      </p>
      <table className="simple eligibility">
        <caption>Eligibility of each add-on on Argo CD</caption>
        <thead>
          <tr>
            <th scope="col">Migrate</th>
            <th scope="col">Add-on</th>
            <th scope="col">Argo CD</th>
            <th scope="col">Eligible</th>
            <th scope="col">Blockers and warnings</th>
            <th scope="col">Kinds</th>
          </tr>
        </thead>
        <tbody>
          {r.addons.map((a) => (
            <tr key={a.addon} data-addon={a.addon}>
              <td>
                <input
                  type="checkbox"
                  id={`pick-${a.addon}`}
                  checked={a.eligible && p.chosen.has(a.addon)}
                  disabled={!a.eligible}
                  onChange={(e) => p.onToggle(a.addon, e.target.checked)}
                />
                <label htmlFor={`pick-${a.addon}`} className="visually-hidden">
                  Migrate {a.addon}
                </label>
              </td>
              <td>
                {a.addon}
                <div className="hint">{a.namespace}</div>
              </td>
              <td>
                {a.application ? <div>Application {a.application}</div> : null}
                {a.sync ?? '—'} / {a.health ?? '—'}
              </td>
              <td>{a.eligible ? badge('Eligible', 'good') : badge('Blocked', 'bad')}</td>
              <td className="wrap">
                {a.blockers.length || a.warnings.length ? (
                  <ul className="plain">
                    {a.blockers.map((b) => (
                      <li key={`b-${b}`}>
                        <strong>Blocked:</strong> {b}
                      </li>
                    ))}
                    {a.warnings.map((w) => (
                      <li key={`w-${w}`}>
                        <strong>Check:</strong> {w}
                      </li>
                    ))}
                  </ul>
                ) : (
                  '—'
                )}
              </td>
              <td>
                <ul className="plain">
                  {a.kinds.map((k) => (
                    <li key={`${k.group}/${k.kind}`}>
                      {k.kind}
                      {k.group ? <span className="hint"> ({k.group})</span> : null} ×{k.count}:{' '}
                      <span className={k.coverage === 'generic' ? 'warn-text' : undefined}>
                        {COVERAGE_LABEL[k.coverage]}
                      </span>
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <label htmlFor="concurrency">At a time</label>{' '}
        <select
          id="concurrency"
          value={p.concurrency}
          onChange={(e) => p.onConcurrency(Number(e.target.value))}
        >
          {[1, 2, 3, 4, 5].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>{' '}
        <button
          type="button"
          className="primary"
          disabled={p.disabled || picked === 0}
          onClick={p.onContinue}
        >
          Continue with {picked} {picked === 1 ? 'add-on' : 'add-ons'}…
        </button>
      </p>
    </>
  );
}

function MigrationProgress({ m }: { m: Migration }) {
  return (
    <div data-testid="migration" data-state={m.state}>
      <p>
        <strong>{migrationTitle(m)}</strong> — started {formatTime(m.created_at)}
        {m.finished_at ? `, finished ${formatTime(m.finished_at)}` : ''}
      </p>
      <p role="status" aria-live="polite">
        {badge(m.state, ITEM_STATE_CLASS[m.state] ?? 'neutral')} {migrationProgress(m)}
        {m.state !== 'running' && m.message ? `: ${m.message}` : ''}
      </p>
      <table className="simple">
        <caption className="visually-hidden">Each add-on of the migration</caption>
        <thead>
          <tr>
            <th scope="col">Add-on</th>
            <th scope="col">State</th>
            <th scope="col">Message</th>
            <th scope="col">Report</th>
          </tr>
        </thead>
        <tbody>
          {m.items.map((i) => (
            <tr key={i.addon} data-addon={i.addon} data-state={i.state}>
              <td>{i.addon}</td>
              <td>{badge(i.state, ITEM_STATE_CLASS[i.state] ?? 'neutral')}</td>
              <td className="wrap">{i.message || '—'}</td>
              <td className="wrap">{reportSummary(i.report) || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function History({ items }: { items: Migration[] }) {
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Earlier migrations</h2>
      <table className="simple">
        <caption className="visually-hidden">Earlier migrations, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Migration</th>
            <th scope="col">State</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {items.slice(1).map((m) => (
            <tr key={m.id}>
              <td>{formatTime(m.created_at)}</td>
              <td>{migrationTitle(m)}</td>
              <td>{badge(m.state, ITEM_STATE_CLASS[m.state] ?? 'neutral')}</td>
              <td className="wrap">{m.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
