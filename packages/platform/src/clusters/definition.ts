import { type ClusterDefinition, loadDefinition, MemoryFileSource, normalizeRepoPath } from '@mooring/core';
import { type DefinitionIssue, type FieldIssue, InvalidDefinitionError, ValidationError } from '../errors.ts';

export const DEFAULT_DEFINITION_PATH = 'import-cluster.yaml';

export interface ImportInput {
  /** The ImportCluster text (YAML or JSON). */
  definition: string;
  /** Where the text sits in the repository (for from_file and include paths, and in diagnostics). */
  path?: string;
  /** Other repository files the definition reads (from_file, include), by repository-relative path. */
  files?: Record<string, string>;
}

export interface ValidImport {
  definition: ClusterDefinition;
  path: string;
  /** The files the definition read (the main file included), as given. */
  files: Record<string, string>;
  warnings: DefinitionIssue[];
}

/**
 * Validates an import with the same loader the CLI and the GitOps sync use.
 * Throws `InvalidDefinitionError` with every diagnostic when there is an error (pure).
 */
export function validateImport(input: ImportInput): ValidImport {
  const path = input.path ?? DEFAULT_DEFINITION_PATH;
  const bad: FieldIssue[] = [];
  const check = (p: string, field: string) => {
    try {
      if (normalizeRepoPath(p) === '') bad.push({ path: field, message: 'must name a file' });
    } catch {
      bad.push({ path: field, message: 'must be relative to the repository root and stay inside it' });
    }
  };
  check(path, 'body.path');
  for (const f of Object.keys(input.files ?? {})) check(f, `body.files.${f}`);
  if (bad.length > 0) throw new ValidationError('invalid file paths', bad);
  const source = new MemoryFileSource({ ...input.files, [path]: input.definition });
  const r = loadDefinition(source, path);
  const issues: DefinitionIssue[] = r.diagnostics.map((d) => ({
    severity: d.severity,
    file: d.file,
    line: d.line,
    column: d.column,
    path: d.path,
    code: d.code,
    message: d.message,
    ...(d.hint !== undefined ? { hint: d.hint } : {}),
  }));
  if (!r.definition) throw new InvalidDefinitionError(issues);
  const read: Record<string, string> = {};
  for (const f of r.files) {
    const text = source.readFile(f);
    if (text !== undefined) read[f] = text;
  }
  return {
    definition: r.definition,
    path: r.definition.file,
    files: read,
    warnings: issues.filter((i) => i.severity === 'warning'),
  };
}
