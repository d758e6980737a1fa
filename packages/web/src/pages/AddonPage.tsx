import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState } from 'react';
import { type EncryptedValues, valuesKeys } from '../addons/sops.ts';
import { toYaml } from '../addons/yaml.ts';
import { api } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import { keys, useAddon, useCluster, useMe, useOperation } from '../api/queries.ts';
import type { AcceptDrift, AddonDetail, Draft, HelmRevision, OperationDetail, Role } from '../api/types.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { OperationSteps } from '../components/OperationSteps.tsx';
import { Empty, ErrorState, Loading } from '../components/States.tsx';
import { Tabs } from '../components/Tabs.tsx';
import { healthClass } from '../graph/resourceGraph.ts';
import { Link } from '../router/navigation.tsx';
import { ADDON_TABS, type AddonTab, hrefOf, withQuery } from '../router/routes.ts';
import { ago, formatTime } from './format.ts';

const ResourceMap = lazy(() => import('./ResourceMap.tsx').then((m) => ({ default: m.ResourceMap })));

const TAB_LABELS: Record<AddonTab, string> = {
  overview: 'Overview',
  values: 'Values',
  history: 'Helm history',
  events: 'Events',
  map: 'Resource Map',
};

const STATE_CLASS: Record<string, string> = {
  Synced: 'good',
  Degraded: 'bad',
  OutOfSync: 'warn',
  Deploying: 'warn',
};
const stateBadge = (s: string) => <span className={`badge ${STATE_CLASS[s] ?? 'neutral'}`}>{s}</span>;
const healthBadge = (h: string) => <span className={`badge ${healthClass(h)}`}>{h}</span>;

const canOperate = (role: Role | undefined) => role === 'operator' || role === 'admin' || role === 'owner';

function path(clusterId: string, name: string, rest = ''): string {
  return `/clusters/${encodeURIComponent(clusterId)}/addons/${encodeURIComponent(name)}${rest}`;
}

/** What the agent could not tell (the platform waits 10 s for each answer). */
function LiveErrors({ errors, what }: { errors: string[]; what: string }) {
  const mine = errors.filter((e) => e.startsWith(what));
  if (mine.length === 0) return null;
  return (
    <div className="notice" role="status">
      <strong>The agent did not answer.</strong> {mine.join('; ')}. It answers when it is online; this page
      asks again every 10 s.
    </div>
  );
}

function AcceptDriftPanel({ clusterId, name }: { clusterId: string; name: string }) {
  const [asked, setAsked] = useState(false);
  const q = useQuery({
    queryKey: [...keys.addon(clusterId, name), 'accept-drift'],
    queryFn: ({ signal }) => api<AcceptDrift>(path(clusterId, name, '/accept-drift'), { signal }),
    enabled: asked,
    staleTime: 0,
  });
  if (!asked)
    return (
      <button type="button" onClick={() => setAsked(true)}>
        Accept drift…
      </button>
    );
  if (q.isPending) return <Loading what="the values change from the agent" />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const a = q.data;
  return (
    <section aria-labelledby="accept-title" className="accept-drift">
      <h3 id="accept-title">Accept drift: make Git equal to the cluster</h3>
      {a.changes.length === 0 ? (
        <p>No field differs any more: nothing to accept.</p>
      ) : (
        <>
          <table className="simple">
            <caption className="visually-hidden">Fields the cluster changed</caption>
            <thead>
              <tr>
                <th scope="col">Object</th>
                <th scope="col">Field</th>
                <th scope="col">Git</th>
                <th scope="col">Cluster</th>
                <th scope="col">Changed by</th>
                <th scope="col">Values key</th>
              </tr>
            </thead>
            <tbody>
              {a.changes.map((c) => (
                <tr key={`${c.object} ${c.field}`}>
                  <td>{c.object}</td>
                  <td>
                    <code>{c.field}</code>
                  </td>
                  <td>
                    <code>{JSON.stringify(c.git)}</code>
                  </td>
                  <td>
                    <code>{JSON.stringify(c.cluster)}</code>
                  </td>
                  <td>{c.managers.join(', ') || '—'}</td>
                  <td>{c.values_path ? <code>{c.values_path}</code> : 'none maps to it'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            Commit this change
            {a.file ? (
              <>
                {' '}
                to <code>{a.file}</code>
              </>
            ) : null}{' '}
            so the next sync keeps what the cluster has:
          </p>
          <pre className="code">{a.patch}</pre>
        </>
      )}
    </section>
  );
}

function Overview({ a, clusterId }: { a: AddonDetail; clusterId: string }) {
  return (
    <>
      <dl className="facts">
        <dt>State</dt>
        <dd>{stateBadge(a.state)}</dd>
        <dt>Health</dt>
        <dd>{healthBadge(a.health)}</dd>
        <dt>Chart</dt>
        <dd>
          {a.chart ?? '—'} {a.registry ? <small>from {a.registry}</small> : null}
        </dd>
        <dt>Version</dt>
        <dd>{a.version ?? '—'}</dd>
        <dt>Revision</dt>
        <dd>{a.revision ?? '—'}</dd>
        <dt>Engine</dt>
        <dd>{a.engine}</dd>
        <dt>Namespace</dt>
        <dd>{a.namespace ?? '—'}</dd>
        <dt>Stack</dt>
        <dd>{a.stack || '—'}</dd>
        <dt>Message</dt>
        <dd>{a.message || '—'}</dd>
        <dt>Last updated</dt>
        <dd>{a.last_updated ? <time dateTime={a.last_updated}>{ago(a.last_updated)}</time> : '—'}</dd>
        <dt>Last inspected</dt>
        <dd>{a.last_inspected ? <time dateTime={a.last_inspected}>{ago(a.last_inspected)}</time> : '—'}</dd>
      </dl>
      {a.in_definition ? null : (
        <p className="notice">This add-on is no longer in the definition; the agent still reports it.</p>
      )}
      <h2>Drift</h2>
      {a.drift.length === 0 ? (
        <p>
          {a.last_inspected
            ? `No drift: the cluster matched Git at the last look (${formatTime(a.last_inspected)}).`
            : 'Not inspected yet: drift shows here after the agent’s first sweep.'}
        </p>
      ) : (
        <>
          <ul className="drift">
            {a.drift.map((d) => (
              <li key={d.ref}>
                <strong>{d.ref}</strong>{' '}
                {d.missing ? (
                  <span className="badge bad">missing from the cluster</span>
                ) : (
                  <>
                    differs in{' '}
                    {d.fields.map((f, i) => (
                      <span key={f}>
                        {i > 0 ? ', ' : ''}
                        <code>{f}</code>
                      </span>
                    ))}
                  </>
                )}
                {d.text ? <pre className="code">{d.text}</pre> : null}
              </li>
            ))}
          </ul>
          <AcceptDriftPanel clusterId={clusterId} name={a.name} />
        </>
      )}
    </>
  );
}

function Values({ a, clusterId, role }: { a: AddonDetail; clusterId: string; role: Role | undefined }) {
  const empty = !a.values || (typeof a.values === 'object' && Object.keys(a.values as object).length === 0);
  return (
    <>
      <p className="hint">
        The values of the definition, read-only. Values encrypted with SOPS, and the keys listed in{' '}
        <code>encrypted_paths</code>, show as <code>***</code>: the platform never sends them.
      </p>
      {a.encrypted_paths.length ? (
        <p>
          Encrypted keys:{' '}
          {a.encrypted_paths.map((p, i) => (
            <span key={p}>
              {i > 0 ? ', ' : ''}
              <code>{p}</code>
            </span>
          ))}
        </p>
      ) : null}
      {empty ? (
        <Empty title="No values">
          <p>
            The chart&apos;s defaults apply. Add values under the add-on&apos;s <code>configuration</code>.
          </p>
        </Empty>
      ) : (
        <>
          <pre className="code values">{toYaml(a.values)}</pre>
          <SopsPanel a={a} clusterId={clusterId} role={role} />
        </>
      )}
    </>
  );
}

/**
 * Keys of the values chosen, encrypted with SOPS by the platform (a preview: nothing is stored),
 * the readable-keys result shown, then saved as a Stack Builder draft that adds them to the
 * add-on's `encrypted_paths` (the publish encrypts them in Git).
 */
function SopsPanel({ a, clusterId, role }: { a: AddonDetail; clusterId: string; role: Role | undefined }) {
  const [chosen, setChosen] = useState<string[]>([]);
  const all = valuesKeys(a.values);
  const open = all.filter((k) => !k.encrypted && !a.encrypted_paths.includes(k.path));
  const encrypt = useMutation({
    mutationFn: (paths: string[]) =>
      api<EncryptedValues>(path(clusterId, a.name, '/values/encrypt'), { method: 'POST', body: { paths } }),
  });
  const save = useMutation({
    mutationFn: async (paths: string[]) => {
      const draft = await api<Draft>(`/clusters/${encodeURIComponent(clusterId)}/drafts`, {
        method: 'POST',
        body: { title: `Encrypt ${paths.join(', ')} of ${a.name} with SOPS` },
      });
      const member = `/clusters/${encodeURIComponent(clusterId)}/drafts/${encodeURIComponent(draft.id)}/stacks/${encodeURIComponent(a.stack)}/addons/${encodeURIComponent(a.name)}`;
      return api<Draft>(member, {
        method: 'PATCH',
        body: { configuration: { encrypted_paths: [...new Set([...a.encrypted_paths, ...paths])] } },
      });
    },
  });
  if (!canOperate(role))
    return <p className="hint">Operators and admins can choose keys here to encrypt with SOPS.</p>;
  const result = encrypt.data;
  const toggle = (p: string, on: boolean) => {
    setChosen(on ? [...chosen, p] : chosen.filter((x) => x !== p));
    encrypt.reset();
    save.reset();
  };
  return (
    <section aria-labelledby="sops-title" className="sops-panel">
      <h2 id="sops-title">Encrypt with SOPS</h2>
      <p className="hint">
        Choose keys, then encrypt: the platform encrypts them for the age recipients of the repository&apos;s{' '}
        <code>.sops.yaml</code> and shows the values file as it would be committed, the other keys readable.
        Nothing is stored until you save it as a draft and publish it.
      </p>
      {open.length === 0 ? (
        <p>Every key is encrypted already.</p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (chosen.length) encrypt.mutate(chosen);
          }}
        >
          <fieldset className="sops-keys">
            <legend>Keys to encrypt</legend>
            {open.map((k) => (
              <label key={k.path} className="check">
                <input
                  type="checkbox"
                  checked={chosen.includes(k.path)}
                  onChange={(e) => toggle(k.path, e.target.checked)}
                />{' '}
                <code>{k.path}</code>
              </label>
            ))}
          </fieldset>
          <button
            type="submit"
            className="button primary"
            disabled={chosen.length === 0 || encrypt.isPending}
          >
            {encrypt.isPending ? 'Encrypting…' : 'Encrypt with SOPS'}
          </button>
        </form>
      )}
      {encrypt.isError ? (
        <p className="form-error" role="alert">
          {describeError(encrypt.error).detail}
        </p>
      ) : null}
      {result ? (
        <section aria-labelledby="sops-result-title" className="sops-result">
          <h3 id="sops-result-title">Readable-keys result</h3>
          <p>
            <code>{result.file}</code>, encrypted for{' '}
            {result.recipients.length === 1 ? 'the recipient' : 'the recipients'}{' '}
            {result.recipients.map((r, i) => (
              <span key={r}>
                {i > 0 ? ', ' : ''}
                <code>{r}</code>
              </span>
            ))}{' '}
            of <code>.sops.yaml</code> at <code>{result.commit.slice(0, 12)}</code>. Encrypted:{' '}
            {result.encrypted_paths.map((p, i) => (
              <span key={p}>
                {i > 0 ? ', ' : ''}
                <code>{p}</code>
              </span>
            ))}
            .
          </p>
          <pre className="code values sops-text">{result.text}</pre>
          {save.data ? (
            <p role="status">
              Saved as the draft <strong>{save.data.title}</strong>.{' '}
              <Link
                href={`${hrefOf({ page: 'cluster', id: clusterId, tab: 'builder' })}${withQuery('', { draft: save.data.id })}`}
              >
                Open it in the Stack Builder to publish
              </Link>
            </p>
          ) : (
            <button type="button" onClick={() => save.mutate(result.chosen)} disabled={save.isPending}>
              {save.isPending ? 'Saving…' : 'Save as a Stack Builder draft'}
            </button>
          )}
          {save.isError ? (
            <p className="form-error" role="alert">
              {describeError(save.error).detail}
            </p>
          ) : null}
        </section>
      ) : null}
    </section>
  );
}

function History({ a, clusterId, role }: { a: AddonDetail; clusterId: string; role: Role | undefined }) {
  const client = useQueryClient();
  const [target, setTarget] = useState<HelmRevision | null>(null);
  const [operationId, setOperationId] = useState<string | null>(null);
  const rollback = useMutation({
    mutationFn: (revision: number) =>
      api<OperationDetail>(path(clusterId, a.name, '/rollback'), { method: 'POST', body: { revision } }),
    onSuccess: (op) => {
      setOperationId(op.id);
      void client.invalidateQueries({ queryKey: keys.operations(clusterId) });
    },
  });
  const op = useOperation(operationId);
  const finished = op.data && !['pending', 'running'].includes(op.data.state);
  useEffect(() => {
    if (finished) {
      void client.invalidateQueries({ queryKey: keys.addon(clusterId, a.name) });
      void client.invalidateQueries({ queryKey: keys.addons(clusterId) });
    }
  }, [finished, client, clusterId, a.name]);

  if (a.history === null) return <LiveErrors errors={a.live_errors} what="addon.history" />;
  if (a.history.length === 0)
    return (
      <Empty title="No Helm releases">
        <p>The add-on has not been deployed yet. Deploy it by syncing the cluster.</p>
      </Empty>
    );
  const current = a.history[0]!;
  const operator = canOperate(role);
  return (
    <>
      <table className="simple">
        <caption>Helm releases of {a.name}, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Revision</th>
            <th scope="col">Status</th>
            <th scope="col">Chart</th>
            <th scope="col">App version</th>
            <th scope="col">Updated</th>
            <th scope="col">Description</th>
            {operator ? <th scope="col">Action</th> : null}
          </tr>
        </thead>
        <tbody>
          {a.history.map((h) => (
            <tr key={h.revision}>
              <td>{h.revision}</td>
              <td>
                <span
                  className={`badge ${h.status === 'deployed' ? 'good' : h.status === 'failed' ? 'bad' : 'neutral'}`}
                >
                  {h.status}
                </span>
              </td>
              <td>
                {h.chart} {h.chart_version}
              </td>
              <td>{h.app_version ?? '—'}</td>
              <td>{h.updated ? <time dateTime={h.updated}>{formatTime(h.updated)}</time> : '—'}</td>
              <td>{h.description ?? ''}</td>
              {operator ? (
                <td>
                  {h.revision === current.revision ? (
                    <small>current</small>
                  ) : (
                    <button
                      type="button"
                      disabled={rollback.isPending}
                      onClick={() => setTarget(h)}
                      aria-label={`Roll back to revision ${h.revision}`}
                    >
                      Roll back
                    </button>
                  )}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {operator ? null : <p className="hint">Operators and admins can roll a release back.</p>}
      {operator ? (
        <ConfirmDialog
          open={target !== null}
          title={`Roll ${a.name} back to revision ${target?.revision ?? ''}?`}
          confirmLabel={`Roll back to revision ${target?.revision ?? ''}`}
          danger
          onCancel={() => setTarget(null)}
          onConfirm={() => {
            if (target) rollback.mutate(target.revision);
            setTarget(null);
          }}
        >
          {target ? (
            <>
              <p>
                Helm makes revision {current.revision + 1} from revision {target.revision}: chart{' '}
                <strong>
                  {current.chart} {current.chart_version}
                </strong>{' '}
                →{' '}
                <strong>
                  {target.chart} {target.chart_version}
                </strong>
                {target.app_version && target.app_version !== current.app_version
                  ? `, app version ${current.app_version ?? '?'} → ${target.app_version}`
                  : ''}
                , with revision {target.revision}&apos;s values.
              </p>
              <p className="hint">
                Git is unchanged: with self-heal on, the next sweep deploys the definition again.
              </p>
            </>
          ) : null}
        </ConfirmDialog>
      ) : null}
      {rollback.isError ? (
        <p className="form-error" role="alert">
          {describeError(rollback.error).detail}
        </p>
      ) : null}
      {operationId ? (
        <div aria-live="polite">
          <OperationSteps id={operationId} />
          <p>
            <Link
              href={`${hrefOf({ page: 'cluster', id: clusterId, tab: 'operations' })}?operation=${operationId}`}
            >
              Open the operation
            </Link>
          </p>
        </div>
      ) : null}
    </>
  );
}

function Events({ a }: { a: AddonDetail }) {
  if (a.events === null) return <LiveErrors errors={a.live_errors} what="addon.events" />;
  if (a.events.length === 0)
    return (
      <Empty title="No recent events">
        <p>Kubernetes keeps events for about an hour; none concern this add-on&apos;s objects now.</p>
      </Empty>
    );
  return (
    <div className="table-scroll">
      <table className="simple">
        <caption>Recent events of the add-on&apos;s objects, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Reason</th>
            <th scope="col">Object</th>
            <th scope="col">Message</th>
            <th scope="col">Count</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {a.events.map((e) => (
            <tr key={`${e.object}-${e.reason}-${e.last_seen}-${e.message}`}>
              <td>
                <span className={`badge ${e.type === 'Warning' ? 'warn' : 'neutral'}`}>{e.type}</span>
              </td>
              <td>{e.reason}</td>
              <td>{e.object}</td>
              <td className="wrap">{e.message}</td>
              <td>{e.count}</td>
              <td>{e.last_seen ? <time dateTime={e.last_seen}>{ago(e.last_seen)}</time> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One add-on: overview with drift, values, Helm history with rollback, events, the Resource Map. */
export function AddonPage({ id, name, tab }: { id: string; name: string; tab: AddonTab }) {
  const cluster = useCluster(id);
  const addon = useAddon(id, name);
  const me = useMe();
  const crumbs = (
    <nav aria-label="Breadcrumb" className="crumbs">
      <Link href="/">Fleet</Link> /{' '}
      <Link href={hrefOf({ page: 'cluster', id, tab: 'overview' })}>{cluster.data?.name ?? id}</Link> /{' '}
      <Link href={hrefOf({ page: 'cluster', id, tab: 'addons' })}>Add-ons</Link> /{' '}
      <span aria-current="page">{name}</span>
    </nav>
  );
  if (addon.isPending)
    return (
      <>
        {crumbs}
        <Loading what={`add-on ${name}`} />
      </>
    );
  if (addon.isError)
    return (
      <>
        {crumbs}
        <h1>{name}</h1>
        <ErrorState error={addon.error} onRetry={() => addon.refetch()} />
      </>
    );
  const a = addon.data;
  return (
    <>
      {crumbs}
      <h1>
        {a.name} {stateBadge(a.state)} {healthBadge(a.health)}
      </h1>
      <Tabs
        label="Add-on sections"
        tabs={ADDON_TABS}
        labels={TAB_LABELS}
        current={tab}
        href={(t) => hrefOf({ page: 'addon', id, name, tab: t })}
      >
        {tab === 'overview' ? <Overview a={a} clusterId={id} /> : null}
        {tab === 'values' ? <Values a={a} clusterId={id} role={me.data?.role} /> : null}
        {tab === 'history' ? <History a={a} clusterId={id} role={me.data?.role} /> : null}
        {tab === 'events' ? <Events a={a} /> : null}
        {tab === 'map' ? (
          a.tree === null ? (
            <LiveErrors errors={a.live_errors} what="addon.tree" />
          ) : (
            <Suspense fallback={<Loading what="the Resource Map" />}>
              <ResourceMap tree={a.tree} events={a.events ?? []} />
            </Suspense>
          )
        ) : null}
      </Tabs>
    </>
  );
}
