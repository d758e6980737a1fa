/** The Values tab's SOPS encryption: the keys that can be chosen, and the answer's shape (pure). */

/** `POST /clusters/:id/addons/:name/values/encrypt`'s answer. */
export interface EncryptedValues {
  /** The values file a publish would encrypt. */
  file: string;
  /** The file as sops writes it: chosen keys as `ENC[AES256_GCM,…]`, the others readable. */
  text: string;
  encrypted_paths: string[];
  chosen: string[];
  recipients: string[];
  commit: string;
}

export interface ValuesKey {
  /** Dotted path, as `encrypted_paths` writes it. */
  path: string;
  /** Shown as `***`: encrypted already. */
  encrypted: boolean;
}

const MASK = '***';

/**
 * Every key of a values tree that can be encrypted, in document order: mappings are walked, a
 * scalar or a list is one key; keys whose name holds a dot or a space (not expressible in
 * `encrypted_paths`) are left out, and so are keys inside lists.
 */
export function valuesKeys(values: unknown, parent = ''): ValuesKey[] {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) return [];
  const out: ValuesKey[] = [];
  for (const [k, v] of Object.entries(values as Record<string, unknown>)) {
    if (k === '' || /[.\s*]/.test(k)) continue;
    const path = parent ? `${parent}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0)
      out.push(...valuesKeys(v, path));
    else out.push({ path, encrypted: v === MASK });
  }
  return out;
}
