import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Handle, type NodeProps, type NodeTypes, Position } from '@xyflow/react';
import { createContext, type FormEvent, useContext, useEffect, useMemo, useState } from 'react';
import { api } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import type { Draft, DraftIssue, DraftMember, DraftPreview, DraftPublished } from '../api/types.ts';
import {
  connectParents,
  draftAsStacks,
  draftMembers,
  memberId,
  parentEntry,
  parentId,
  parentsOf,
  waveOf,
} from '../builder/draftGraph.ts';
import {
  builderKeys,
  draftPath,
  useChartVersion,
  useDraft,
  useDrafts,
  useRegistries,
} from '../builder/queries.ts';
import { ValuesEditor } from '../builder/ValuesEditor.tsx';
import { Empty, ErrorState, Loading } from '../components/States.tsx';
import { elkLayout } from '../graph/elk.ts';
import { Flow } from '../graph/Flow.tsx';
import { healthClass } from '../graph/resourceGraph.ts';
import {
  type GraphEdge,
  type GraphNode,
  placeLanes,
  type StacksNodeData,
  stackElkGraph,
  stackLayoutOf,
} from '../graph/stacksGraph.ts';
import { Link, navigate, useLocation } from '../router/navigation.tsx';
import { hrefOf, withQuery } from '../router/routes.ts';
import { type BrowserState, ChartBrowser, type Picked } from './ChartsPage.tsx';
import { formatTime } from './format.ts';

const Select = createContext<(id: string) => void>(() => undefined);
const short = (sha: string) => sha.slice(0, 12);

function ErrorLine({ error }: { error: unknown }) {
  const d = describeError(error);
  return (
    <p className="form-error" role="alert">
      {d.title}: {d.detail}
    </p>
  );
}

const NODE_TYPES: NodeTypes = {
  lane: ({ data }: NodeProps) => {
    const d = data as Extract<StacksNodeData, { kind: 'lane' }>;
    return (
      <div className="lane-node">
        <strong>{d.label}</strong>
        <small>{d.detail}</small>
      </div>
    );
  },
  stack: ({ data }: NodeProps) => (
    <div className="stack-node">
      <div className="stack-node-title">
        Stack <strong>{(data as Extract<StacksNodeData, { kind: 'stack' }>).name}</strong>
      </div>
    </div>
  ),
  member: ({ data }: NodeProps) => {
    const m = (data as Extract<StacksNodeData, { kind: 'member' }>).member;
    const select = useContext(Select);
    return (
      <div className={`member-node ${healthClass(m.health)}`} data-member={m.id}>
        <Handle type="target" position={Position.Left} title={`Drop here: a parent of ${m.name}`} />
        <div className="member-node-name">
          <small>{m.kind === 'addon' ? 'Add-on' : 'Manifest'}</small>{' '}
          <button type="button" className="link nodrag nopan" onClick={() => select(m.id)}>
            {m.name}
          </button>
        </div>
        <div className="member-node-meta">
          <span className={`badge ${healthClass(m.health)}`}>{m.state}</span>{' '}
          {m.chart ? (
            <small>
              {m.chart} {m.version}
            </small>
          ) : m.namespace ? (
            <small>{m.namespace}</small>
          ) : null}
        </div>
        <Handle
          type="source"
          position={Position.Right}
          title={`Drag to a member: ${m.name} becomes its parent`}
        />
      </div>
    );
  },
};

function useDraftGraph(draft: Draft) {
  const [graph, setGraph] = useState<{ nodes: GraphNode<StacksNodeData>[]; edges: GraphEdge[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    const view = draftAsStacks(draft, new Map(draft.changed_files.map((f) => [f.path, f.change])));
    const stacks = view.waves.flatMap((w) => w.stacks);
    Promise.all(stacks.map(async (s) => [s.name, stackLayoutOf(await elkLayout(stackElkGraph(s)))] as const))
      .then((layouts) => {
        if (live) setGraph(placeLanes(view, new Map(layouts)));
      })
      .catch((e: unknown) => {
        if (live) setError(e);
      });
    return () => {
      live = false;
    };
  }, [draft]);
  return { graph, error };
}

/** The draft's API calls: each answers the draft, which replaces the cached one. */
function useDraftCall(clusterId: string, draftId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (o: { method: string; path: string; body?: unknown }) =>
      api<Draft>(`${draftPath(clusterId, draftId)}${o.path}`, {
        method: o.method,
        ...(o.body !== undefined ? { body: o.body } : {}),
      }),
    onSuccess: (d) => {
      if (d) client.setQueryData(builderKeys.draft(clusterId, draftId), d);
    },
  });
}
type DraftCall = ReturnType<typeof useDraftCall>;

function StackForm({ call, draft }: { call: DraftCall; draft: Draft }) {
  const [name, setName] = useState('');
  const [wave, setWave] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    call.mutate(
      {
        method: 'POST',
        path: '/stacks',
        body: { name, ...(wave !== '' ? { deploy_wave: Number(wave) } : {}) },
      },
      {
        onSuccess: () => {
          setName('');
          setWave('');
        },
      },
    );
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Add a stack">
      <label>
        Stack name <input value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label>
        Deploy wave{' '}
        <input
          type="number"
          min={0}
          value={wave}
          onChange={(e) => setWave(e.target.value)}
          className="narrow"
        />
      </label>
      <button type="submit" disabled={call.isPending || !name}>
        Add the stack
      </button>
      {draft.stacks.length === 0 ? (
        <small className="hint">A draft needs a stack for its members.</small>
      ) : null}
    </form>
  );
}

function StacksTable({ draft, call }: { draft: Draft; call: DraftCall }) {
  const [editing, setEditing] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [wave, setWave] = useState('');
  return (
    <table className="simple">
      <caption>Stacks</caption>
      <thead>
        <tr>
          <th scope="col">Stack</th>
          <th scope="col">Deploy wave</th>
          <th scope="col">Members</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {draft.stacks.map((s) =>
          editing === s.name ? (
            <tr key={s.name}>
              <td>
                <input aria-label="Stack name" value={name} onChange={(e) => setName(e.target.value)} />
              </td>
              <td>
                <input
                  aria-label="Deploy wave"
                  type="number"
                  min={0}
                  className="narrow"
                  value={wave}
                  onChange={(e) => setWave(e.target.value)}
                />
              </td>
              <td>{s.addons.length + s.manifests.length}</td>
              <td>
                <button
                  type="button"
                  onClick={() =>
                    call.mutate(
                      {
                        method: 'PATCH',
                        path: `/stacks/${encodeURIComponent(s.name)}`,
                        body: {
                          ...(name !== s.name ? { name } : {}),
                          deploy_wave: wave === '' ? null : Number(wave),
                        },
                      },
                      { onSuccess: () => setEditing(null) },
                    )
                  }
                >
                  Save
                </button>{' '}
                <button type="button" onClick={() => setEditing(null)}>
                  Cancel
                </button>
              </td>
            </tr>
          ) : (
            <tr key={s.name}>
              <td>{s.name}</td>
              <td>{waveOf(s.fields) ?? 'none'}</td>
              <td>{s.addons.length + s.manifests.length}</td>
              <td>
                <button
                  type="button"
                  onClick={() => {
                    setEditing(s.name);
                    setName(s.name);
                    setWave(String(waveOf(s.fields) ?? ''));
                  }}
                  aria-label={`Edit stack ${s.name}`}
                >
                  Edit
                </button>{' '}
                <button
                  type="button"
                  className="danger"
                  aria-label={`Remove stack ${s.name}`}
                  onClick={() => {
                    if (window.confirm(`Remove the stack ${s.name} with its members from the draft?`))
                      call.mutate({ method: 'DELETE', path: `/stacks/${encodeURIComponent(s.name)}` });
                  }}
                >
                  Remove
                </button>
              </td>
            </tr>
          ),
        )}
      </tbody>
    </table>
  );
}

function AddAddon({ draft, call, onDone }: { draft: Draft; call: DraftCall; onDone: (id: string) => void }) {
  const [browser, setBrowser] = useState<BrowserState>({ q: '', chart: null, version: null });
  const [picked, setPicked] = useState<Picked | null>(null);
  const [name, setName] = useState('');
  const [namespace, setNamespace] = useState('');
  const [stack, setStack] = useState(draft.stacks[0]?.name ?? '');
  const [createNs, setCreateNs] = useState(true);
  if (!picked)
    return (
      <section aria-labelledby="pick-title" className="panel">
        <h3 id="pick-title">Pick a chart</h3>
        <ChartBrowser
          state={browser}
          onState={setBrowser}
          onPick={(p) => {
            setPicked(p);
            setName(p.chart.name);
            setNamespace(p.chart.name);
          }}
        />
      </section>
    );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    call.mutate(
      {
        method: 'POST',
        path: `/stacks/${encodeURIComponent(stack)}/addons`,
        body: {
          name,
          chart_name: picked.chart.name,
          chart_version: picked.version,
          repository_url: picked.registryUrl,
          ...(picked.credentialName ? { registry_credential_name: picked.credentialName } : {}),
          namespace,
          ...(createNs ? { settings: { sync_policy: { sync_options: ['CreateNamespace=true'] } } } : {}),
        },
      },
      { onSuccess: () => onDone(memberId('addon', name)) },
    );
  };
  return (
    <form className="panel inline-form" onSubmit={submit} aria-label="New add-on">
      <p>
        Chart <strong>{picked.chart.name}</strong> {picked.version} from {picked.chart.registry}{' '}
        <button type="button" className="link" onClick={() => setPicked(null)}>
          choose another
        </button>
      </p>
      <label>
        Add-on name <input value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label>
        Namespace <input value={namespace} onChange={(e) => setNamespace(e.target.value)} required />
      </label>
      <label>
        Stack{' '}
        <select value={stack} onChange={(e) => setStack(e.target.value)}>
          {draft.stacks.map((s) => (
            <option key={s.name}>{s.name}</option>
          ))}
        </select>
      </label>
      <label className="check">
        <input type="checkbox" checked={createNs} onChange={(e) => setCreateNs(e.target.checked)} /> Create
        the namespace
      </label>
      <button type="submit" className="button primary" disabled={call.isPending || !stack}>
        Add the add-on
      </button>
    </form>
  );
}

function AddManifest({
  draft,
  call,
  onDone,
}: {
  draft: Draft;
  call: DraftCall;
  onDone: (id: string) => void;
}) {
  const [name, setName] = useState('');
  const [stack, setStack] = useState(draft.stacks[0]?.name ?? '');
  const [text, setText] = useState(
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \n  namespace: \ndata: {}\n',
  );
  return (
    <form
      className="panel inline-form"
      aria-label="New manifest"
      onSubmit={(e) => {
        e.preventDefault();
        call.mutate(
          {
            method: 'POST',
            path: `/stacks/${encodeURIComponent(stack)}/manifests`,
            body: { name, manifest: text },
          },
          { onSuccess: () => onDone(memberId('manifest', name)) },
        );
      }}
    >
      <label>
        Manifest name <input value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label>
        Stack{' '}
        <select value={stack} onChange={(e) => setStack(e.target.value)}>
          {draft.stacks.map((s) => (
            <option key={s.name}>{s.name}</option>
          ))}
        </select>
      </label>
      <label className="block">
        Kubernetes objects (YAML)
        <textarea rows={8} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
      </label>
      <button type="submit" className="button primary" disabled={call.isPending || !stack}>
        Add the manifest
      </button>
    </form>
  );
}

const sameList = (a: readonly unknown[], b: readonly unknown[]) => JSON.stringify(a) === JSON.stringify(b);

/** One member's fields: name, namespace, chart version, parents, values or manifest text, SOPS keys. */
function MemberEditor({
  draft,
  member,
  call,
  onSelect,
}: {
  draft: Draft;
  member: DraftMember;
  call: DraftCall;
  onSelect: (id: string | null) => void;
}) {
  const registries = useRegistries();
  const f = member.fields;
  const [name, setName] = useState(member.name);
  const [namespace, setNamespace] = useState(typeof f.namespace === 'string' ? f.namespace : '');
  const [version, setVersion] = useState(f.chart_version === undefined ? '' : String(f.chart_version));
  const [text, setText] = useState((member.kind === 'addon' ? member.values : member.manifest) ?? '');
  const [encrypted, setEncrypted] = useState(member.encrypted_paths);
  const [parents, setParents] = useState(
    parentsOf(member)
      .map(parentId)
      .filter((x): x is string => x !== null),
  );
  const chart = typeof f.chart_name === 'string' ? f.chart_name : null;
  const url =
    typeof f.repository_url === 'string'
      ? f.repository_url
      : typeof f.registry_url === 'string'
        ? f.registry_url
        : null;
  const registry =
    registries.data?.find((r) =>
      url ? r.url.replace(/\/+$/, '') === url.replace(/\/+$/, '') : r.name === f.registry_name,
    )?.name ?? null;
  const detail = useChartVersion(registry, chart, member.kind === 'addon' && version ? version : null);
  const id = memberId(member.kind, member.name);
  const others = draftMembers(draft)
    .map((x) => ({ id: memberId(x.member.kind, x.member.name), stack: x.stack }))
    .filter((x) => x.id !== id);
  const list = member.kind === 'addon' ? 'addons' : 'manifests';
  const base = `/stacks/${encodeURIComponent(member.stack)}/${list}/${encodeURIComponent(member.name)}`;
  const originalParents = parentsOf(member).map(parentId);
  const save = (e: FormEvent) => {
    e.preventDefault();
    const body: Record<string, unknown> = {};
    if (name !== member.name) body.name = name;
    if (namespace !== (f.namespace ?? '')) body.namespace = namespace || null;
    if (member.kind === 'addon' && version !== String(f.chart_version ?? '')) body.chart_version = version;
    if (!sameList(parents, originalParents)) body.parents = parents.length ? parents.map(parentEntry) : null;
    const original = (member.kind === 'addon' ? member.values : member.manifest) ?? '';
    if (text !== original) body[member.kind === 'addon' ? 'values' : 'manifest'] = text;
    if (!sameList(encrypted, member.encrypted_paths)) {
      const inConfig =
        typeof f.configuration === 'object' &&
        f.configuration !== null &&
        'encrypted_paths' in (f.configuration as object);
      const value = encrypted.length ? encrypted : null;
      if (inConfig || member.kind === 'addon') body.configuration = { encrypted_paths: value };
      else body.encrypted_paths = value;
    }
    call.mutate(
      { method: 'PATCH', path: base, body },
      { onSuccess: () => onSelect(memberId(member.kind, name)) },
    );
  };
  return (
    <form className="panel member-editor" onSubmit={save} aria-labelledby="member-title">
      <h3 id="member-title">
        {member.kind === 'addon' ? 'Add-on' : 'Manifest'} {member.name}{' '}
        <small>
          in stack {member.stack}, <code>{member.file}</code>
          {member.content_file ? (
            <>
              {' '}
              and <code>{member.content_file}</code>
            </>
          ) : null}
        </small>
      </h3>
      <div className="inline-form">
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>
          Namespace <input value={namespace} onChange={(e) => setNamespace(e.target.value)} />
        </label>
        {member.kind === 'addon' ? (
          <label>
            Chart version{' '}
            <input value={version} onChange={(e) => setVersion(e.target.value)} className="narrow" />
          </label>
        ) : null}
      </div>
      <fieldset>
        <legend>Parents (deployed before it)</legend>
        {others.length === 0 ? <p className="hint">No other member.</p> : null}
        {others.map((o) => (
          <label key={o.id} className="check">
            <input
              type="checkbox"
              checked={parents.includes(o.id)}
              onChange={(e) =>
                setParents(e.target.checked ? [...parents, o.id] : parents.filter((p) => p !== o.id))
              }
            />{' '}
            {o.id} <small>({o.stack})</small>
          </label>
        ))}
      </fieldset>
      {member.kind === 'addon' ? (
        <>
          {chart && !registry ? (
            <p className="hint">
              The chart&apos;s registry is not in the catalogue: no completion or defaults for its values.
            </p>
          ) : detail.isError ? (
            <ErrorLine error={detail.error} />
          ) : null}
          <ValuesEditor
            label="Values (YAML)"
            value={text}
            onChange={setText}
            defaults={detail.data?.values ?? null}
            schema={detail.data?.values_schema ?? null}
            encryptedPaths={encrypted}
            onEncryptedPaths={setEncrypted}
          />
        </>
      ) : (
        <label className="block">
          Kubernetes objects (YAML)
          <textarea rows={10} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
        </label>
      )}
      <div className="dialog-actions">
        <button type="submit" className="button primary" disabled={call.isPending}>
          Save to the draft
        </button>
        <button type="button" onClick={() => onSelect(null)}>
          Close
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => {
            if (window.confirm(`Remove ${member.name} from the draft? Parents naming it are dropped.`))
              call.mutate({ method: 'DELETE', path: base }, { onSuccess: () => onSelect(null) });
          }}
        >
          Remove
        </button>
      </div>
    </form>
  );
}

function Issues({ issues }: { issues: Partial<DraftIssue>[] }) {
  return (
    <ul className="diagnostics" aria-label="Diagnostics">
      {issues.map((i) => (
        <li key={`${i.file}:${i.line}:${i.column}:${i.code}:${i.path}:${i.message}`} className={i.severity}>
          <code>
            {i.file}:{i.line}:{i.column}
          </code>{' '}
          {i.path ? <code>{i.path}</code> : null} {i.message}
          {i.hint ? <small> ({i.hint})</small> : null}
        </li>
      ))}
    </ul>
  );
}

function PreviewView({ preview }: { preview: DraftPreview }) {
  const s = preview.summary;
  return (
    <div data-testid="preview">
      <p>
        Against the live cluster: {s.create} to create, {s.update} to update, {s.delete} to delete,{' '}
        {s.unchanged} unchanged.
      </p>
      {preview.agent_error ? (
        <p className="notice">The agent gave no rendering: {preview.agent_error}</p>
      ) : null}
      {preview.errors.length ? <Issues issues={preview.errors} /> : null}
      {preview.members?.length ? (
        <ul className="plain preview-members">
          {preview.members.map((m) => (
            <li key={m.id}>
              <strong>{m.name}</strong>{' '}
              <small>
                ({m.kind}, stack {m.stack})
              </small>
              : {m.action}
              {m.message ? <small> · {m.message}</small> : null}
              <ul className="plain">
                {m.objects
                  .filter((o) => o.change !== 'unchanged')
                  .map((o) => (
                    <li key={o.ref}>
                      <details>
                        <summary>
                          <span
                            className={`badge ${o.change === 'delete' ? 'bad' : o.change === 'create' ? 'good' : 'warn'}`}
                          >
                            {o.change}
                          </span>{' '}
                          <code>{o.ref}</code>
                        </summary>
                        {o.text ? (
                          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling text must be reachable by keyboard
                          <pre className="code diff" tabIndex={0}>
                            {o.text}
                          </pre>
                        ) : null}
                      </details>
                    </li>
                  ))}
              </ul>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function CheckAndPublish({ clusterId, draft }: { clusterId: string; draft: Draft }) {
  const client = useQueryClient();
  const path = draftPath(clusterId, draft.id);
  const validate = useMutation({
    mutationFn: () =>
      api<{ valid: boolean; errors: DraftIssue[] }>(`${path}/validate`, { method: 'POST', body: {} }),
  });
  const preview = useMutation({
    mutationFn: () => api<DraftPreview>(`${path}/preview`, { method: 'POST', body: {} }),
  });
  const [target, setTarget] = useState<'branch' | 'new'>('branch');
  const [branch, setBranch] = useState(`mooring/${draft.id.slice(0, 8)}`);
  const [pr, setPr] = useState(true);
  const [message, setMessage] = useState('');
  const publish = useMutation({
    mutationFn: () =>
      api<DraftPublished>(`${path}/publish`, {
        method: 'POST',
        body: {
          ...(message.trim() ? { message: message.trim() } : {}),
          ...(target === 'new' ? { branch, pull_request: pr } : {}),
        },
      }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: builderKeys.draft(clusterId, draft.id) });
      void client.invalidateQueries({ queryKey: builderKeys.drafts(clusterId) });
    },
  });
  // a change to the draft makes the last check stale
  const { reset: resetValidate } = validate;
  const { reset: resetPreview } = preview;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new revision of the draft makes the last check stale
  useEffect(() => {
    resetValidate();
    resetPreview();
  }, [draft.revision, resetValidate, resetPreview]);
  const published = publish.data;
  return (
    <section aria-labelledby="publish-title" className="panel">
      <h2 id="publish-title">Check and publish</h2>
      <div className="dialog-actions">
        <button type="button" onClick={() => validate.mutate()} disabled={validate.isPending}>
          Validate
        </button>
        <button type="button" onClick={() => preview.mutate()} disabled={preview.isPending}>
          {preview.isPending ? 'Previewing…' : 'Preview against the cluster'}
        </button>
      </div>
      <div aria-live="polite">
        {validate.isError ? <ErrorLine error={validate.error} /> : null}
        {validate.data ? (
          validate.data.valid ? (
            <p className="banner good" data-testid="valid">
              The draft is valid
              {validate.data.errors.length ? ` (${validate.data.errors.length} warnings)` : ''}.
            </p>
          ) : (
            <p className="banner bad" data-testid="invalid">
              The draft does not validate:
            </p>
          )
        ) : null}
        {validate.data?.errors.length ? <Issues issues={validate.data.errors} /> : null}
        {preview.isError ? <ErrorLine error={preview.error} /> : null}
        {preview.data ? <PreviewView preview={preview.data} /> : null}
      </div>
      {draft.state === 'published' || published ? null : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            publish.mutate();
          }}
          aria-label="Publish"
        >
          <fieldset>
            <legend>Where to</legend>
            <label className="check">
              <input
                type="radio"
                name="target"
                checked={target === 'branch'}
                onChange={() => setTarget('branch')}
              />{' '}
              Commit to <code>{draft.branch}</code> (the cluster syncs it)
            </label>
            <label className="check">
              <input
                type="radio"
                name="target"
                checked={target === 'new'}
                onChange={() => setTarget('new')}
              />{' '}
              A new branch
            </label>
            {target === 'new' ? (
              <div className="inline-form">
                <label>
                  Branch <input value={branch} onChange={(e) => setBranch(e.target.value)} required />
                </label>
                <label className="check">
                  <input type="checkbox" checked={pr} onChange={(e) => setPr(e.target.checked)} /> Open a pull
                  request (GitHub, Bitbucket)
                </label>
              </div>
            ) : null}
          </fieldset>
          <label className="block">
            Commit message <small>(default: the draft&apos;s title and the files)</small>
            <textarea rows={2} value={message} onChange={(e) => setMessage(e.target.value)} />
          </label>
          <button type="submit" className="button primary" disabled={publish.isPending}>
            {publish.isPending ? 'Publishing…' : 'Publish'}
          </button>
        </form>
      )}
      {publish.isError ? <ErrorLine error={publish.error} /> : null}
      {published ? (
        <div className="banner good" role="status" data-testid="published">
          {published.unchanged ? (
            <p>The draft changes nothing: no commit was made.</p>
          ) : (
            <p>
              Published commit <code data-testid="commit">{published.commit}</code> to{' '}
              <code>{published.branch}</code>
              {published.rebased ? ' (rebased onto the branch, which had moved)' : ''}.
            </p>
          )}
          {published.encrypted.map((x) => (
            <p key={x.path}>
              🔒 Encrypted with SOPS in <code>{x.path}</code>: {x.paths.join(', ')}
            </p>
          ))}
          {published.pull_request ? (
            <p>
              Pull request <a href={published.pull_request.url}>#{published.pull_request.number}</a>
            </p>
          ) : null}
          {published.pull_request_error ? <p>No pull request: {published.pull_request_error}</p> : null}
          {published.sync_requested ? (
            <p>
              A sync was asked for: follow it in{' '}
              <Link href={hrefOf({ page: 'cluster', id: clusterId, tab: 'gitops' })}>GitOps</Link>, then{' '}
              <Link href={hrefOf({ page: 'cluster', id: clusterId, tab: 'addons' })}>Add-ons</Link>.
            </p>
          ) : null}
        </div>
      ) : draft.published ? (
        <p className="banner good">
          Published {formatTime(draft.published.at)}: commit <code>{draft.published.commit}</code> on{' '}
          <code>{draft.published.branch}</code>
          {draft.published.pull_request_url ? (
            <>
              {' '}
              (<a href={draft.published.pull_request_url}>pull request</a>)
            </>
          ) : null}
          .
        </p>
      ) : null}
    </section>
  );
}

function DraftEditor({ clusterId, draft }: { clusterId: string; draft: Draft }) {
  const call = useDraftCall(clusterId, draft.id);
  const { graph, error } = useDraftGraph(draft);
  const [selected, setSelected] = useState<string | null>(null);
  const [adding, setAdding] = useState<'addon' | 'manifest' | null>(null);
  const member = useMemo(
    () => draftMembers(draft).find((x) => memberId(x.member.kind, x.member.name) === selected)?.member,
    [draft, selected],
  );
  const open = draft.state === 'open';
  const connect = (source: string, target: string) => {
    const parents = connectParents(draft, source, target);
    const child = draftMembers(draft).find((x) => memberId(x.member.kind, x.member.name) === target);
    if (!parents || !child) return;
    const list = child.member.kind === 'addon' ? 'addons' : 'manifests';
    call.mutate({
      method: 'PATCH',
      path: `/stacks/${encodeURIComponent(child.stack)}/${list}/${encodeURIComponent(child.member.name)}`,
      body: { parents },
    });
  };
  const height = graph
    ? Math.min(
        700,
        Math.max(240, ...graph.nodes.filter((n) => n.type === 'lane').map((n) => n.position.y + n.height)),
      )
    : 240;
  return (
    <Select.Provider value={(id) => setSelected(id)}>
      <div className="page-head">
        <h2>
          {draft.title} <span className={`badge ${open ? 'warn' : 'good'}`}>{draft.state}</span>
        </h2>
        <Link href={hrefOf({ page: 'cluster', id: clusterId, tab: 'builder' })}>All drafts</Link>
      </div>
      <p className="hint">
        Over <code>{short(draft.base_commit)}</code> of <code>{draft.branch}</code> ({draft.repository_url}),{' '}
        <code>{draft.path}</code>. Changed files:{' '}
        {draft.changed_files.length
          ? draft.changed_files.map((f) => `${f.path} (${f.change})`).join(', ')
          : 'none yet'}
        .
      </p>
      {open ? (
        <p className="hint">
          Drag from a member&apos;s right handle to another member to make it its parent (or tick its parents
          in the member&apos;s form). A lane is a deploy wave; choose a member&apos;s name to edit it.
        </p>
      ) : null}
      {call.isError ? <ErrorLine error={call.error} /> : null}
      <div className="builder">
        {error ? (
          <ErrorState error={error} />
        ) : !graph ? (
          <Loading what="the layout" />
        ) : draft.stacks.length === 0 ? (
          <Empty title="No stacks yet">
            <p>Add a stack, then its add-ons and manifests.</p>
          </Empty>
        ) : (
          <Flow
            // drawn again (and fitted to its box) when the draft's shape changes
            key={graph.nodes.map((n) => n.id).join(' ')}
            label="The draft's stacks, a lane per wave"
            nodes={graph.nodes}
            edges={graph.edges}
            nodeTypes={NODE_TYPES}
            height={height}
            onNodeClick={(id) =>
              id.startsWith('addon/') || id.startsWith('manifest/') ? setSelected(id) : undefined
            }
            {...(open ? { onConnect: connect } : {})}
          />
        )}
      </div>
      {open ? (
        <>
          <StacksTable draft={draft} call={call} />
          <StackForm draft={draft} call={call} />
          <div className="dialog-actions">
            <button
              type="button"
              aria-pressed={adding === 'addon'}
              disabled={draft.stacks.length === 0}
              onClick={() => setAdding(adding === 'addon' ? null : 'addon')}
            >
              Add an add-on
            </button>
            <button
              type="button"
              aria-pressed={adding === 'manifest'}
              disabled={draft.stacks.length === 0}
              onClick={() => setAdding(adding === 'manifest' ? null : 'manifest')}
            >
              Add a manifest
            </button>
          </div>
          {adding === 'addon' ? (
            <AddAddon
              draft={draft}
              call={call}
              onDone={(id) => {
                setAdding(null);
                setSelected(id);
              }}
            />
          ) : null}
          {adding === 'manifest' ? (
            <AddManifest
              draft={draft}
              call={call}
              onDone={(id) => {
                setAdding(null);
                setSelected(id);
              }}
            />
          ) : null}
          {member ? (
            <MemberEditor
              key={`${selected}:${draft.revision}`}
              draft={draft}
              member={member}
              call={call}
              onSelect={setSelected}
            />
          ) : null}
        </>
      ) : null}
      <CheckAndPublish clusterId={clusterId} draft={draft} />
    </Select.Provider>
  );
}

function DraftList({ clusterId }: { clusterId: string }) {
  const drafts = useDrafts(clusterId);
  const client = useQueryClient();
  const [title, setTitle] = useState('');
  const create = useMutation({
    mutationFn: () =>
      api<Draft>(`/clusters/${encodeURIComponent(clusterId)}/drafts`, {
        method: 'POST',
        body: title ? { title } : {},
      }),
    onSuccess: (d) => {
      client.setQueryData(builderKeys.draft(clusterId, d.id), d);
      void client.invalidateQueries({ queryKey: builderKeys.drafts(clusterId) });
      navigate(
        `${hrefOf({ page: 'cluster', id: clusterId, tab: 'builder' })}${withQuery('', { draft: d.id })}`,
      );
    },
  });
  return (
    <>
      <p className="hint">
        A draft edits the cluster&apos;s definition in Git from the head of its branch: stacks, add-ons
        (charts from the catalogue, their values) and manifests. It is validated and previewed against the
        cluster, then published as one commit.
      </p>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <label>
          Draft title{' '}
          <input value={title} onChange={(e) => setTitle(e.target.value)} placeholder="Add podinfo" />
        </label>
        <button type="submit" className="button primary" disabled={create.isPending}>
          {create.isPending ? 'Beginning…' : 'Begin a draft'}
        </button>
      </form>
      {create.isError ? <ErrorLine error={create.error} /> : null}
      {drafts.isPending ? (
        <Loading what="drafts" />
      ) : drafts.isError ? (
        <ErrorState error={drafts.error} onRetry={() => drafts.refetch()} />
      ) : drafts.data.length === 0 ? (
        <p>No draft yet.</p>
      ) : (
        <table className="simple">
          <caption>Drafts, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">State</th>
              <th scope="col">By</th>
              <th scope="col">Updated</th>
              <th scope="col">Files changed</th>
              <th scope="col">Commit</th>
            </tr>
          </thead>
          <tbody>
            {drafts.data.map((d) => (
              <tr key={d.id}>
                <td>
                  <Link
                    href={`${hrefOf({ page: 'cluster', id: clusterId, tab: 'builder' })}${withQuery('', { draft: d.id })}`}
                  >
                    {d.title}
                  </Link>
                </td>
                <td>{d.state}</td>
                <td>{d.created_by}</td>
                <td>{formatTime(d.updated_at)}</td>
                <td>{d.changed_files.length}</td>
                <td>{d.published ? <code>{short(d.published.commit)}</code> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** `/clusters/:id/builder?draft=ID`: the Stack Builder. */
export function BuilderTab({ clusterId }: { clusterId: string }) {
  const { search } = useLocation();
  const draftId = new URLSearchParams(search).get('draft');
  const draft = useDraft(clusterId, draftId);
  if (!draftId) return <DraftList clusterId={clusterId} />;
  if (draft.isPending) return <Loading what="the draft" />;
  if (draft.isError) return <ErrorState error={draft.error} onRetry={() => draft.refetch()} />;
  return <DraftEditor clusterId={clusterId} draft={draft.data} />;
}
