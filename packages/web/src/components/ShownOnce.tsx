import { useState } from 'react';

/** A secret or command the platform shows once: a read-only field with a copy button. */
export function ShownOnce({
  label,
  value,
  multiline,
}: {
  label: string;
  value: string;
  multiline?: boolean;
}) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  const id = `once-${label.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <div className="shown-once">
      <label htmlFor={id}>{label}</label>
      <p className="hint">Shown once: copy it now, it cannot be read again.</p>
      <div className="copy-row">
        {multiline ? (
          <textarea id={id} readOnly value={value} rows={4} onFocus={(e) => e.currentTarget.select()} />
        ) : (
          <input id={id} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
        )}
        <button type="button" onClick={copy}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  );
}
