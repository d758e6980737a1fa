/**
 * `validate --strict-secrets`: plaintext-secret warnings become errors, so a
 * definition with a secret-looking literal outside `encrypted_paths` fails.
 * Pure.
 */
import type { Diagnostic, DiagnosticCode } from '@mooring/core';

/** The warnings that `--strict-secrets` turns into errors. */
export const SECRET_WARNING_CODES: readonly DiagnosticCode[] = ['plaintext-secret'];

/** The same diagnostics, with every plaintext-secret warning raised to an error. */
export function strictSecrets(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.map((d) =>
    d.severity === 'warning' && SECRET_WARNING_CODES.includes(d.code) ? { ...d, severity: 'error' } : d,
  );
}
