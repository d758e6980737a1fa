import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ChangeEvent, type FormEvent, useState } from 'react';
import { api, isApiError } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import { keys } from '../api/queries.ts';
import type { Diagnostic, ImportAnswer } from '../api/types.ts';
import { ShownOnce } from '../components/ShownOnce.tsx';
import { annotateLines } from '../imports/annotate.ts';
import { Link } from '../router/navigation.tsx';

const DEFAULT_PATH = 'import-cluster.yaml';

function DiagnosticText({ d }: { d: Diagnostic }) {
  return (
    <>
      <strong>{d.severity}</strong> {d.line}:{d.column} <code>{d.path}</code> {d.message}
      {d.hint ? <span className="hint"> ({d.hint})</span> : null}
    </>
  );
}

/** The pasted file with each diagnostic under the line it points at. */
function AnnotatedFile({
  text,
  file,
  diagnostics,
}: {
  text: string;
  file: string;
  diagnostics: Diagnostic[];
}) {
  const { lines, elsewhere } = annotateLines(text, diagnostics, file);
  return (
    <div className="annotated">
      <ol className="file-lines" aria-label={`${file} with its diagnostics`}>
        {lines.map((l) => (
          <li key={l.number} className={l.diagnostics.length ? 'has-diagnostic' : undefined} value={l.number}>
            <pre>{l.text || ' '}</pre>
            {l.diagnostics.map((d) => (
              <div key={`${d.code}-${d.column}-${d.path}`} className={`diagnostic ${d.severity}`}>
                <span aria-hidden="true">{' '.repeat(Math.max(0, d.column - 1))}^ </span>
                <DiagnosticText d={d} />
              </div>
            ))}
          </li>
        ))}
      </ol>
      {elsewhere.length > 0 ? (
        <>
          <h3>In other files</h3>
          <ul className="diagnostics">
            {elsewhere.map((d) => (
              <li key={`${d.file}-${d.line}-${d.column}-${d.code}`} className={d.severity}>
                <code>{d.file}</code> <DiagnosticText d={d} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

export function ImportPage() {
  const client = useQueryClient();
  const [text, setText] = useState('');
  const [path, setPath] = useState(DEFAULT_PATH);
  const [submitted, setSubmitted] = useState<{ text: string; path: string } | null>(null);
  const imp = useMutation({
    mutationFn: (o: { text: string; path: string }) =>
      api<ImportAnswer>('/clusters', {
        method: 'POST',
        body: { definition: o.text, path: o.path || undefined },
      }),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.clusters }),
  });

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    if (!f) return;
    setText(await f.text());
    setPath(f.name);
    imp.reset();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const o = { text, path };
    setSubmitted(o);
    imp.mutate(o);
  };
  const diagnostics = isApiError(imp.error, 'invalid_definition') ? imp.error.diagnostics : null;

  return (
    <>
      <h1>Import a cluster</h1>
      <p className="hint">
        Paste the cluster&apos;s <code>ImportCluster</code> file or choose it from disk. It is validated
        first; nothing is stored when it has errors. The formats are described in <code>docs/format.md</code>.
      </p>
      {imp.data ? (
        <section className="notice" aria-labelledby="imported-title">
          <h2 id="imported-title">Imported {imp.data.cluster.name}</h2>
          {imp.data.warnings.length > 0 ? (
            <ul className="diagnostics">
              {imp.data.warnings.map((d) => (
                <li key={`${d.file}-${d.line}-${d.column}-${d.code}`} className="warning">
                  <code>{d.file}</code> <DiagnosticText d={d} />
                </li>
              ))}
            </ul>
          ) : null}
          <p>
            Install the agent in the cluster with this command; the cluster comes online when the agent checks
            in.
          </p>
          <ShownOnce label="Agent install command" value={imp.data.install_command} multiline />
          <ShownOnce label="Agent token" value={imp.data.agent_token} />
          <p>
            <Link href={`/clusters/${encodeURIComponent(imp.data.cluster.id)}`} className="button primary">
              Open {imp.data.cluster.name}
            </Link>{' '}
            <button
              type="button"
              onClick={() => {
                imp.reset();
                setText('');
              }}
            >
              Import another
            </button>
          </p>
        </section>
      ) : (
        <form onSubmit={submit} className="import-form">
          <label htmlFor="definition">ImportCluster file</label>
          <textarea
            id="definition"
            required
            spellCheck={false}
            rows={18}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={
              'apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: my-cluster\nspec:\n  stacks: []'
            }
          />
          <div className="row">
            <span>
              <label htmlFor="file">Or upload</label>
              <input id="file" type="file" accept=".yaml,.yml,.json" onChange={onFile} />
            </span>
            <span>
              <label htmlFor="path">Its path in the repository</label>
              <input id="path" value={path} onChange={(e) => setPath(e.target.value)} />
            </span>
          </div>
          <button type="submit" className="primary" disabled={imp.isPending || text.trim() === ''}>
            {imp.isPending ? 'Importing…' : 'Validate and import'}
          </button>
        </form>
      )}
      {diagnostics && submitted ? (
        <section aria-labelledby="diagnostics-title" className="diagnostics-panel">
          <div role="alert">
            <h2 id="diagnostics-title">
              The definition is invalid: {diagnostics.filter((d) => d.severity === 'error').length} errors
            </h2>
            <p>Nothing was stored. Correct the lines marked below and import it again.</p>
          </div>
          <AnnotatedFile
            text={submitted.text}
            file={submitted.path || DEFAULT_PATH}
            diagnostics={diagnostics}
          />
        </section>
      ) : null}
      {imp.isError && !diagnostics ? (
        <p className="form-error" role="alert">
          {describeError(imp.error).title}: {describeError(imp.error).detail}
        </p>
      ) : null}
    </>
  );
}
