import { describe, expect, it } from 'vitest';
import { validateImport } from '../src/clusters/definition.ts';
import { InvalidDefinitionError, ValidationError } from '../src/errors.ts';
import { INVALID_DEFINITION, validDefinition } from './support/fixtures.ts';

describe('validating an import', () => {
  it('reads from_file targets (relative to the definition’s folder) from the files given and keeps the files read', () => {
    const { definition, files } = validDefinition('one');
    const v = validateImport({
      definition,
      path: 'clusters/one.yaml',
      files: { 'clusters/manifests/ns.yaml': files['manifests/ns.yaml']!, 'unrelated.txt': 'x' },
    });
    expect(v.definition.name).toBe('one');
    expect(v.path).toBe('clusters/one.yaml');
    expect(Object.keys(v.files).sort()).toEqual(['clusters/manifests/ns.yaml', 'clusters/one.yaml']);
  });

  it('an invalid definition throws every diagnostic with file, line and column', () => {
    try {
      validateImport({ definition: INVALID_DEFINITION });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidDefinitionError);
      const d = (e as InvalidDefinitionError).diagnostics;
      expect(d.filter((x) => x.severity === 'error').length).toBeGreaterThanOrEqual(3);
      for (const x of d) {
        expect(x.file).toBe('import-cluster.yaml');
        expect(x.line).toBeGreaterThan(0);
        expect(x.column).toBeGreaterThan(0);
      }
    }
  });

  it('a file path that leaves the repository is a 400 on that field', () => {
    try {
      validateImport({ definition: 'x', files: { '../etc/passwd': 'x' }, path: '/abs.yaml' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).fields.map((f) => f.path)).toEqual([
        'body.path',
        'body.files.../etc/passwd',
      ]);
    }
  });

  it('text that is not YAML is a diagnostic, not a crash', () => {
    expect(() => validateImport({ definition: '{ [' })).toThrow(InvalidDefinitionError);
  });
});
