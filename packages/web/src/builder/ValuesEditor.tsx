import { type KeyboardEvent, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import {
  applyCompletion,
  type Completion,
  childrenOf,
  completionsAt,
  diffFromDefaults,
  keyPathAtLine,
  parentPath,
  pathAtLine,
  scanValues,
  schemaAt,
  splitPath,
} from './values.ts';

interface Props {
  value: string;
  onChange: (text: string) => void;
  /** The chart version's values.yaml (its keys, comments and defaults). */
  defaults: string | null;
  schema: unknown;
  encryptedPaths: string[];
  onEncryptedPaths: (paths: string[]) => void;
  label: string;
}

function Doc({ item }: { item: Completion }) {
  const s = item.schema;
  return (
    <div className="value-doc">
      <code>{item.path}</code>
      {s.type ? <small> · {s.type}</small> : null}
      {s.description ? <p>{s.description}</p> : null}
      {item.comment ? <p className="value-comment">{item.comment}</p> : null}
      {s.enum ? <p>One of: {s.enum.map((x) => JSON.stringify(x)).join(', ')}</p> : null}
      {item.defaultValue !== undefined ? (
        <p>
          Chart default: <code>{item.defaultValue || '(empty)'}</code>
        </p>
      ) : s.default !== undefined ? (
        <p>
          Schema default: <code>{JSON.stringify(s.default)}</code>
        </p>
      ) : null}
    </div>
  );
}

/**
 * A values editor: a textarea with the keys of the chart's values.yaml and values.schema.json
 * offered as one types (Ctrl+Space to ask; arrows, Enter or Tab, Escape), the comment and schema
 * text of the key at hand, the keys that differ from the chart's defaults, and the SOPS button.
 */
export function ValuesEditor(p: Props) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const [cursor, setCursor] = useState(0);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const id = useId();
  const defaults = useMemo(() => scanValues(p.defaults ?? ''), [p.defaults]);
  const completion = useMemo(
    () => (open ? completionsAt(p.value, cursor, defaults, p.schema) : null),
    [open, p.value, cursor, defaults, p.schema],
  );
  const items = completion?.items.slice(0, 50) ?? [];
  const here = pathAtLine(p.value, cursor);
  // the docs of the key on the cursor's line, list items' keys too (`hosts[].host`)
  const docPath = keyPathAtLine(p.value, cursor);
  const hereDoc = useMemo(() => {
    if (!docPath) return null;
    const key = splitPath(docPath).at(-1)!;
    const found = childrenOf(parentPath(docPath, key), defaults, p.schema).find((c) => c.path === docPath);
    return found ?? (schemaAt(p.schema, docPath) ? { key, path: docPath, schema: {}, parent: false } : null);
  }, [docPath, defaults, p.schema]);
  const diff = useMemo(() => diffFromDefaults(p.value, defaults), [p.value, defaults]);

  const sync = (el: HTMLTextAreaElement) => setCursor(el.selectionStart);
  // the caret after a completion, placed once the completed text is in the textarea
  const caret = useRef<number | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (caret.current === null || !el || el.value !== p.value) return;
    el.focus();
    el.setSelectionRange(caret.current, caret.current);
    setCursor(caret.current);
    caret.current = null;
  });
  const apply = (item: Completion) => {
    const r = applyCompletion(p.value, cursor, item);
    caret.current = r.offset;
    p.onChange(r.text);
    // a mapping or a list's first item: its keys are offered next
    setOpen(item.parent || item.list === true);
    setActive(0);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault();
      setOpen(true);
      setActive(0);
      return;
    }
    if (!open || items.length === 0) return;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => (a + 1) % items.length);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (a + items.length - 1) % items.length);
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      apply(items[Math.min(active, items.length - 1)]!);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setOpen(false);
    }
  };
  const activeItem = items[Math.min(active, items.length - 1)];
  const encrypted = new Set(p.encryptedPaths);
  return (
    <div className="values-editor">
      <label htmlFor={`${id}-text`}>{p.label}</label>
      <div className="values-input">
        <textarea
          id={`${id}-text`}
          ref={ref}
          value={p.value}
          rows={12}
          spellCheck={false}
          role="combobox"
          aria-expanded={open && items.length > 0}
          aria-controls={`${id}-list`}
          aria-autocomplete="list"
          aria-activedescendant={
            open && activeItem ? `${id}-opt-${Math.min(active, items.length - 1)}` : undefined
          }
          aria-describedby={`${id}-help`}
          onChange={(e) => {
            p.onChange(e.target.value);
            sync(e.target);
            const before = e.target.value.slice(0, e.target.selectionStart);
            // offer keys while a key is typed at the start of a line
            setOpen(/(^|\n)\s*[A-Za-z0-9_-]+$/.test(before));
            setActive(0);
          }}
          onKeyDown={onKeyDown}
          onKeyUp={(e) => sync(e.currentTarget)}
          onClick={(e) => sync(e.currentTarget)}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
        />
        {open && items.length > 0 ? (
          <div className="completions">
            <div id={`${id}-list`} role="listbox" aria-label="Keys" className="completion-list">
              {items.map((c, i) => (
                <div
                  key={c.path}
                  id={`${id}-opt-${i}`}
                  role="option"
                  tabIndex={-1}
                  aria-selected={i === Math.min(active, items.length - 1)}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    apply(c);
                  }}
                >
                  <code>{c.key}</code>
                  {c.schema.type ? (
                    <small> {c.schema.type}</small>
                  ) : c.parent ? (
                    <small> mapping</small>
                  ) : null}
                </div>
              ))}
            </div>
            {activeItem ? <Doc item={activeItem} /> : null}
          </div>
        ) : null}
      </div>
      <p id={`${id}-help`} className="hint">
        Keys of the chart are offered as you type at the start of a line (Ctrl+Space to ask; arrows, Enter,
        Escape).
      </p>
      {hereDoc && !open ? (
        <div className="value-here" aria-live="polite">
          <Doc item={hereDoc} />
        </div>
      ) : null}
      <div className="sops-row">
        <button
          type="button"
          disabled={!here || encrypted.has(here)}
          onClick={() => here && p.onEncryptedPaths([...p.encryptedPaths, here])}
          title="The value is encrypted with SOPS when the draft is published; it is never shown again"
        >
          🔒 Encrypt {here ? <code>{here}</code> : 'the key at the cursor'} with SOPS
        </button>
        {p.encryptedPaths.length ? (
          <ul className="plain encrypted-paths" aria-label="Encrypted on publish">
            {p.encryptedPaths.map((x) => (
              <li key={x}>
                🔒 <code>{x}</code>{' '}
                <button
                  type="button"
                  className="link"
                  onClick={() => p.onEncryptedPaths(p.encryptedPaths.filter((y) => y !== x))}
                  aria-label={`stop encrypting ${x}`}
                >
                  stop encrypting
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <details className="values-diff" open={diff.length > 0}>
        <summary>Differences from the chart&apos;s defaults ({diff.length})</summary>
        {p.defaults === null ? (
          <p className="hint">The chart version has no values.yaml to compare with.</p>
        ) : diff.length === 0 ? (
          <p className="hint">Every value is the chart&apos;s default.</p>
        ) : (
          <table className="simple" data-testid="values-diff">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Chart default</th>
                <th scope="col">This add-on</th>
              </tr>
            </thead>
            <tbody>
              {diff.map((d) => (
                <tr key={d.path}>
                  <td>
                    <code>{d.path}</code>
                  </td>
                  <td>
                    {d.change === 'added' ? <em>not in the chart</em> : <code>{d.from || '(empty)'}</code>}
                  </td>
                  <td>
                    <code>{encrypted.has(d.path) ? '(encrypted)' : d.to}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </details>
    </div>
  );
}
