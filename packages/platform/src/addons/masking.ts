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
