import { describe, expect, it } from 'vitest';
import { valuesKeys } from '../src/addons/sops.ts';

describe('the keys the Values tab offers for SOPS', () => {
  it('walks mappings in order; a scalar, a list or an empty mapping is one key; masked keys are marked', () => {
    expect(
      valuesKeys({
        replicaCount: 2,
        auth: { user: 'alice', password: '***' },
        hosts: ['a', 'b'],
        empty: {},
        nothing: null,
      }),
    ).toEqual([
      { path: 'replicaCount', encrypted: false },
      { path: 'auth.user', encrypted: false },
      { path: 'auth.password', encrypted: true },
      { path: 'hosts', encrypted: false },
      { path: 'empty', encrypted: false },
      { path: 'nothing', encrypted: false },
    ]);
  });

  it('leaves out keys encrypted_paths cannot name (a dot, a space, `*`) and what is under them', () => {
    expect(
      valuesKeys({ 'a.b': 1, 'two words': { x: 1 }, '*': 1, ok: { 'dotted.key': 1, fine: true } }),
    ).toEqual([{ path: 'ok.fine', encrypted: false }]);
  });

  it('offers nothing for values that are not a mapping', () => {
    expect(valuesKeys(null)).toEqual([]);
    expect(valuesKeys(['a'])).toEqual([]);
    expect(valuesKeys('x')).toEqual([]);
  });
});
