/**
 * Diagnostics: what validation reports. Every diagnostic names the file (a
 * repository-relative path), the 1-based line and column in that file, the
 * field path in the definition and a stable code.
 */

/** `error` blocks loading (nothing is applied); `warning` is reported only. */
export type Severity = 'error' | 'warning';

/**
 * Stable identifiers of every diagnostic Mooring reports. Tools may match on
 * these; messages may be reworded, codes may not.
 *
 * - `yaml-syntax`: the file is not valid YAML.
 * - `unknown-field`: a field the format does not know (with "did you mean").
 * - `missing-field`: a required field is absent or empty (with an example).
 * - `wrong-type`: a field holds the wrong kind of value (string/number/list/map).
 * - `invalid-value`: a value outside the allowed set (enum, apiVersion, kind).
 * - `invalid-name`: a name with characters the format forbids.
 * - `invalid-namespace`: a namespace that is not an RFC 1123 label.
 * - `invalid-url`: a registry URL without http://, https:// or oci://.
 * - `invalid-path`: an absolute path or one that leaves the repository.
 * - `invalid-duration`: a duration not like `30s`, `5m`, `4h`, `1h30m`.
 * - `invalid-cron`: a sync window schedule that does not parse.
 * - `invalid-timezone`: a time zone that is not an IANA zone name.
 * - `invalid-base64`: `manifest_base64` / `values_base64` that does not decode.
 * - `invalid-manifest`: a Kubernetes object without apiVersion, kind or name.
 * - `values-not-mapping`: Helm values that are not a YAML mapping.
 * - `out-of-range`: a number outside its limits.
 * - `unquoted-chart-version`: `chart_version: 1.20` (a YAML number).
 * - `conflicting-fields`: more than one of fields that exclude each other.
 * - `missing-content`: a manifest without `from_file`, `manifest` or `manifest_base64`.
 * - `empty-manifest` (warning): a manifest whose content holds no object.
 * - `file-not-found`: a `from_file` / `description_from_file` target is missing.
 * - `include-not-found`: an `include` target is missing.
 * - `include-empty` (warning): an included folder holds no YAML file.
 * - `include-invalid`: an included file holds neither objects nor entries.
 * - `include-cycle`: included files include each other.
 * - `undefined-variable`: `${{ ankra.X }}` / `${{ vars.X }}` with no such variable.
 * - `duplicate-name`: two stacks, manifests or add-ons share a name.
 * - `missing-parent`: a parent that is not defined.
 * - `parent-wrong-kind`: `- manifest: x` where x is an add-on (or the reverse).
 * - `parent-other-stack`: a parent in a stack that does not deploy earlier.
 * - `dependency-cycle`: parents that form a cycle (the cycle is named).
 * - `missing-registry`: an add-on without a chart registry.
 * - `registry-conflict`: one registry name used with two URLs.
 * - `plaintext-secret` (warning): a secret-looking literal outside `encrypted_paths`.
 *
 * Reported by checks against chart registries (`mooring validate --check-charts`):
 *
 * - `chart-not-found`: the registry has no chart of that name.
 * - `chart-version-not-found`: the chart has no such version (the closest ones are named).
 * - `registry-unreachable`: the registry could not be read (network, HTTP error).
 * - `registry-auth-failed`: the registry refused the credentials (HTTP 401/403).
 */
export type DiagnosticCode =
  | 'yaml-syntax'
  | 'unknown-field'
  | 'missing-field'
  | 'wrong-type'
  | 'invalid-value'
  | 'invalid-name'
  | 'invalid-namespace'
  | 'invalid-url'
  | 'invalid-path'
  | 'invalid-duration'
  | 'invalid-cron'
  | 'invalid-timezone'
  | 'invalid-base64'
  | 'invalid-manifest'
  | 'values-not-mapping'
  | 'out-of-range'
  | 'unquoted-chart-version'
  | 'conflicting-fields'
  | 'missing-content'
  | 'empty-manifest'
  | 'file-not-found'
  | 'include-not-found'
  | 'include-empty'
  | 'include-invalid'
  | 'include-cycle'
  | 'undefined-variable'
  | 'duplicate-name'
  | 'missing-parent'
  | 'parent-wrong-kind'
  | 'parent-other-stack'
  | 'dependency-cycle'
  | 'missing-registry'
  | 'registry-conflict'
  | 'plaintext-secret'
  | 'credential-in-git'
  | 'application-not-deployed'
  | 'chart-not-found'
  | 'chart-version-not-found'
  | 'registry-unreachable'
  | 'registry-auth-failed';

export interface Diagnostic {
  severity: Severity;
  /** Repository-relative path with forward slashes. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Field path such as `spec.stacks[0].addons[1].chart_version`. */
  path: string;
  code: DiagnosticCode;
  message: string;
  hint?: string;
}

/** Where a diagnostic points. */
export interface Location {
  file: string;
  line: number;
  column: number;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

export function countBySeverity(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.severity === 'error') errors++;
    else warnings++;
  }
  return { errors, warnings };
}

/** Stable order: by file, line, column, then code. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

/** `file:line:col: error: message [path]` (compiler style). */
export function formatDiagnostic(d: Diagnostic, file: string = d.file): string {
  const head = `${file}:${d.line}:${d.column}: ${d.severity}: ${d.message}${d.path ? ` [${d.path}]` : ''}`;
  return d.hint ? `${head}\n  hint: ${d.hint}` : head;
}

/** Thrown by `loadDefinitionOrThrow` when the definition has errors. */
export class DefinitionValidationError extends Error {
  override readonly name = 'DefinitionValidationError';
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    const { errors, warnings } = countBySeverity(diagnostics);
    const first = diagnostics.find((d) => d.severity === 'error');
    super(
      `cluster definition is invalid: ${errors} error(s), ${warnings} warning(s)` +
        (first ? `; first: ${formatDiagnostic(first)}` : ''),
    );
    this.diagnostics = diagnostics;
  }
}

/** Collects diagnostics while a definition is read. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  add(d: Diagnostic): void {
    this.items.push(d);
  }
  error(loc: Location, path: string, code: DiagnosticCode, message: string, hint?: string): void {
    this.items.push({ severity: 'error', ...loc, path, code, message, ...(hint ? { hint } : {}) });
  }
  warning(loc: Location, path: string, code: DiagnosticCode, message: string, hint?: string): void {
    this.items.push({ severity: 'warning', ...loc, path, code, message, ...(hint ? { hint } : {}) });
  }
  get errorCount(): number {
    return this.items.filter((d) => d.severity === 'error').length;
  }
}
