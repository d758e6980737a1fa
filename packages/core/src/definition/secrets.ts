/**
 * Plaintext-secret detection. A literal, non-empty scalar under a key that
 * looks like a secret (`password`, `token`, `apiKey`, `client_secret`...) in
 * Helm values or in a Secret's `data` / `stringData`, is reported
 * as a warning unless an `encrypted_paths` entry covers it or the value is
 * already SOPS-encrypted (`ENC[AES256_GCM,...]`). Files carrying SOPS
 * metadata (a top-level `sops:` key) are skipped: SOPS decides what it encrypts.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { DiagnosticSink } from './diagnostics.ts';
import { locate, type ParsedText } from './positions.ts';
import { SECRET_KEY_SUFFIXES } from './schema.ts';

const ENC_VALUE = /^ENC\[[A-Za-z0-9_]+,[\s\S]*\]$/;

/** True for a SOPS-encrypted scalar such as `ENC[AES256_GCM,data:...,type:str]`. */
export function isSopsEncryptedValue(value: string): boolean {
  return ENC_VALUE.test(value.trim());
}

/** True when a key name looks like it holds a secret (`dbPassword`, `api_key`, `client-secret`). */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, '');
  if (k.startsWith('existing')) return false;
  return SECRET_KEY_SUFFIXES.some((s) => k.endsWith(s));
}

/**
 * Splits an `encrypted_paths` entry into keys: `auth.password` →
 * [auth, password]; a leading dot means one literal key (`.dockerconfigjson`).
 * `*` matches any key.
 */
export function parseEncryptedPath(path: string): string[] {
  if (path.startsWith('.')) return [path];
  return path.split('.').filter((s) => s !== '');
}

/** True when some encrypted path is a prefix of `keys`. */
export function isCovered(keys: readonly string[], encrypted: readonly string[][]): boolean {
  return encrypted.some(
    (e) => e.length > 0 && e.length <= keys.length && e.every((seg, i) => seg === '*' || seg === keys[i]),
  );
}

function looksLiteral(value: unknown): value is string | number {
  if (typeof value === 'number') return true;
  if (typeof value !== 'string') return false;
  const v = value.trim();
  if (v === '' || isSopsEncryptedValue(v)) return false;
  // References rather than secrets: ${ENV}, {{ template }}, $(cmd), ${{ var }}.
  if (/^(\$\{|\{\{|\$\()/.test(v)) return false;
  return true;
}

export function hasSopsMetadata(node: unknown): boolean {
  return isMap(node) && node.items.some((p) => isScalar(p.key) && p.key.value === 'sops' && isMap(p.value));
}

function keyText(k: unknown): string | undefined {
  return isScalar(k) && (typeof k.value === 'string' || typeof k.value === 'number')
    ? String(k.value)
    : undefined;
}

/** Warns about secret-looking literals in a Helm values document. */
export function scanValuesForSecrets(
  pt: ParsedText,
  root: unknown,
  encryptedPaths: readonly string[],
  fieldPath: string,
  sink: DiagnosticSink,
): void {
  if (hasSopsMetadata(root)) return;
  const enc = encryptedPaths.map(parseEncryptedPath);
  const walk = (node: unknown, keys: string[]): void => {
    if (isMap(node)) {
      for (const p of node.items) {
        const k = keyText(p.key);
        if (k === undefined) continue;
        const next = [...keys, k];
        if (isScalar(p.value)) {
          if (isSecretKey(k) && looksLiteral(p.value.value) && !isCovered(next, enc)) report(p.value, next);
        } else walk(p.value, next);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        walk(item, [...keys, String(i)]);
      });
    }
  };
  const report = (node: Node, keys: string[]): void => {
    const dotted = keys.join('.');
    sink.warning(
      locate(pt, node),
      `${fieldPath}.${dotted}`,
      'plaintext-secret',
      `"${dotted}" looks like a plaintext secret; encrypt it with SOPS and list it in encrypted_paths`,
      `add "${dotted}" to encrypted_paths and commit the SOPS-encrypted value (ENC[...])`,
    );
  };
  walk(root, []);
}

/** Secret data keys that always hold credentials, whatever their name suggests. */
const SECRET_DATA_KEYS = new Set(['.dockerconfigjson', '.dockercfg', 'tls.key', 'ssh-privatekey', 'ca.key']);

/**
 * Warns about literal entries of a Kubernetes Secret's `data` / `stringData`
 * whose key looks like a secret (or is a well-known credential key such as
 * `.dockerconfigjson` or `tls.key`).
 */
export function scanSecretObject(
  pt: ParsedText,
  root: unknown,
  encryptedPaths: readonly string[],
  fieldPath: string,
  sink: DiagnosticSink,
): void {
  if (!isMap(root) || hasSopsMetadata(root)) return;
  const kind = root.items.find((p) => keyText(p.key) === 'kind')?.value;
  if (!isScalar(kind) || kind.value !== 'Secret') return;
  const enc = encryptedPaths.map(parseEncryptedPath);
  for (const p of root.items) {
    const section = keyText(p.key);
    if ((section !== 'data' && section !== 'stringData') || !isMap(p.value)) continue;
    for (const e of p.value.items) {
      const k = keyText(e.key);
      if (k === undefined || !isScalar(e.value) || !looksLiteral(e.value.value)) continue;
      if (!isSecretKey(k) && !SECRET_DATA_KEYS.has(k)) continue;
      if (isCovered([section, k], enc) || isCovered([k], enc)) continue;
      const dotted = `${section}.${k}`;
      sink.warning(
        locate(pt, e.value),
        `${fieldPath}.${dotted}`,
        'plaintext-secret',
        `Secret entry "${dotted}" is stored in plaintext; encrypt it with SOPS and list it in encrypted_paths`,
        `add "${k.startsWith('.') ? k : dotted}" to encrypted_paths and commit the SOPS-encrypted value (ENC[...])`,
      );
    }
  }
}
