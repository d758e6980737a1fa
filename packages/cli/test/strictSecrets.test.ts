import type { Diagnostic } from '@mooring/core';
import { describe, expect, it } from 'vitest';
import { strictSecrets } from '../src/checks/strictSecrets.ts';

const d = (severity: Diagnostic['severity'], code: Diagnostic['code']): Diagnostic => ({
  severity,
  code,
  file: 'c.yaml',
  line: 1,
  column: 1,
  path: 'p',
  message: 'm',
});

describe('strictSecrets', () => {
  it('raises plaintext-secret warnings to errors and leaves every other diagnostic as it was', () => {
    const input = [
      d('warning', 'plaintext-secret'),
      d('warning', 'include-empty'),
      d('error', 'unknown-field'),
      d('warning', 'empty-manifest'),
    ];
    expect(strictSecrets(input).map((x) => [x.code, x.severity])).toEqual([
      ['plaintext-secret', 'error'],
      ['include-empty', 'warning'],
      ['unknown-field', 'error'],
      ['empty-manifest', 'warning'],
    ]);
    expect(input[0]!.severity).toBe('warning');
  });
});
