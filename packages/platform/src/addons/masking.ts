import { isSopsEncryptedValue, parseEncryptedPath } from '@mooring/core';

/** What a masked value shows instead of the secret. */
export const MASK = '***';

/**
 * Values as they may be shown (pure): every value under an `encrypted_paths` entry
 * (`auth.password`, `*` for any key, a leading dot for one literal key) and every string
 * that looks SOPS-encrypted (`ENC[AES256_GCM,...]`) becomes `***`, at any depth;
 * arrays are walked with their indexes as keys. The input is not changed.
 */
export function maskValues(values: unknown, encryptedPaths: readonly string[]): unknown {
  const paths = encryptedPaths.map(parseEncryptedPath).filter((p) => p.length > 0);
  const covered = (keys: readonly string[]) =>
    paths.some((p) => p.length <= keys.length && p.every((seg, i) => seg === '*' || seg === keys[i]));
  const walk = (v: unknown, keys: string[]): unknown => {
    if (keys.length > 0 && covered(keys)) return MASK;
    if (typeof v === 'string') return isSopsEncryptedValue(v) ? MASK : v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...keys, String(i)]));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, [...keys, k]);
      return out;
    }
    return v;
  };
  return walk(values, []);
}

/** Every scalar that `maskValues` would hide, as text (pure): what must not appear anywhere else either. */
export function maskedSecrets(values: unknown, encryptedPaths: readonly string[]): string[] {
  const out = new Set<string>();
  const leaves = (v: unknown) => {
    if (v === null || v === undefined) return;
    if (typeof v === 'object') for (const x of Object.values(v)) leaves(x);
    else if (String(v) !== '') out.add(String(v));
  };
  const walk = (original: unknown, masked: unknown) => {
    if (masked === MASK && original !== MASK) leaves(original);
    else if (original && typeof original === 'object' && masked && typeof masked === 'object')
      for (const [k, x] of Object.entries(original)) walk(x, (masked as Record<string, unknown>)[k]);
  };
  walk(values, maskValues(values, encryptedPaths));
  return [...out];
}

/**
 * An accept-drift answer as it may be shown (pure): the values masked like the definition's, and
 * every hidden value (from the definition or from the cluster) replaced by `***` in the patch and
 * in the changed fields' Git and cluster values.
 */
export function maskAcceptDrift<
  T extends { values: Record<string, unknown>; patch: string; changes: { git: unknown; cluster: unknown }[] },
>(answer: T, declaredValues: unknown, encryptedPaths: readonly string[]): T {
  const secrets = [
    ...maskedSecrets(declaredValues, encryptedPaths),
    ...maskedSecrets(answer.values, encryptedPaths),
  ].sort((a, b) => b.length - a.length);
  const hide = (text: string) => secrets.reduce((t, s) => t.split(s).join(MASK), text);
  const hideValue = (v: unknown): unknown =>
    v !== null && typeof v !== 'object' && secrets.includes(String(v))
      ? MASK
      : typeof v === 'string'
        ? hide(v)
        : v !== null && typeof v === 'object'
          ? JSON.parse(hide(JSON.stringify(v)))
          : v;
  return {
    ...answer,
    values: maskValues(answer.values, encryptedPaths) as Record<string, unknown>,
    patch: hide(answer.patch),
    changes: answer.changes.map((c) => ({ ...c, git: hideValue(c.git), cluster: hideValue(c.cluster) })),
  };
}
