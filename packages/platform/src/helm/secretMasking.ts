import { parseAllDocuments } from 'yaml';
import { MASK } from '../addons/masking.ts';

/**
 * A rendered manifest as it may be shown (pure): in every Secret, each value of `data` and
 * `stringData` becomes `***` (the keys stay); other objects are unchanged. A document that
 * is not YAML is dropped rather than shown, since it cannot be checked.
 */
export function maskManifestSecrets(manifest: string): string {
  if (!/\bkind:\s*["']?Secret\b/.test(manifest)) return manifest;
  const out: string[] = [];
  for (const doc of parseAllDocuments(manifest)) {
    if (doc.errors.length > 0) continue;
    const obj = doc.toJS() as Record<string, unknown> | null;
    if (obj && typeof obj === 'object' && obj.kind === 'Secret') {
      for (const field of ['data', 'stringData']) {
        const m = doc.get(field);
        if (m && typeof m === 'object' && 'items' in m)
          for (const k of Object.keys((obj[field] as Record<string, unknown> | undefined) ?? {}))
            doc.setIn([field, k], MASK);
      }
    }
    const text = doc.toString().replace(/\n$/, '');
    if (text.trim() !== '' && text.trim() !== 'null')
      out.push(text.startsWith('---') ? text : `---\n${text}`);
  }
  return `${out.join('\n')}\n`;
}
