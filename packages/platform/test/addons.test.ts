import { describe, expect, it } from 'vitest';
import { MASK, maskAcceptDrift, maskedSecrets, maskValues } from '../src/addons/masking.ts';
import {
  applyObservation,
  changesFromHeartbeat,
  changesFromResult,
  changesFromStates,
  healthOfState,
} from '../src/addons/readModel.ts';
import { addonView, sortAndPage } from '../src/addons/service.ts';

describe('maskValues', () => {
  const values = {
    image: { tag: '1.2' },
    auth: { user: 'admin', password: 'hunter2' },
    db: [{ password: 'p1' }, { password: 'p2' }],
    slack: 'ENC[AES256_GCM,data:abc,iv:x,tag:y,type:str]',
    '.dockerconfigjson': 'x',
  };
  const cases: [string, string[], unknown][] = [
    ['nothing listed: only SOPS values', [], { ...values, slack: MASK }],
    ['a dotted path', ['auth.password'], { ...values, auth: { user: 'admin', password: MASK }, slack: MASK }],
    ['a whole subtree', ['auth'], { ...values, auth: MASK, slack: MASK }],
    [
      'a wildcard over array items',
      ['db.*.password'],
      { ...values, db: [{ password: MASK }, { password: MASK }], slack: MASK },
    ],
    [
      'a literal key with a dot',
      ['.dockerconfigjson'],
      { ...values, '.dockerconfigjson': MASK, slack: MASK },
    ],
  ];
  it.each(cases)('%s', (_name, paths, want) => {
    expect(maskValues(values, paths)).toEqual(want);
  });
  it('leaves its input unchanged', () => {
    const v = { auth: { password: 'x' } };
    maskValues(v, ['auth.password']);
    expect(v.auth.password).toBe('x');
  });
});

describe('maskAcceptDrift', () => {
  const declared = {
    replicas: 2,
    auth: { user: 'admin', password: 'hunter2' },
    token: 'ENC[AES256_GCM,data:abc,iv:x,tag:y,type:str]',
  };
  it('names every value the masking hides', () => {
    expect(maskedSecrets(declared, ['auth.password']).sort()).toEqual(
      ['ENC[AES256_GCM,data:abc,iv:x,tag:y,type:str]', 'hunter2'].sort(),
    );
    expect(maskedSecrets({ a: { b: 1, c: 'x' } }, ['a'])).toEqual(['1', 'x']);
  });

  it('hides them in the values, the patch and the changed fields, also a value the cluster changed', () => {
    const answer = {
      changes: [
        {
          object: 'Secret/ns/s',
          field: 'data.password',
          git: 'hunter2',
          cluster: 'swordfish',
          managers: [],
          values_path: 'auth.password',
        },
        {
          object: 'Deployment/ns/d',
          field: 'spec.replicas',
          git: 2,
          cluster: 4,
          managers: ['kubectl'],
          values_path: 'replicas',
        },
      ],
      values: { replicas: 4, auth: { user: 'admin', password: 'swordfish' }, token: declared.token },
      patch:
        '-replicas: 2\n+replicas: 4\n auth:\n   user: admin\n-  password: hunter2\n+  password: swordfish\n token: ENC[AES256_GCM,data:abc,iv:x,tag:y,type:str]\n',
      file: 'values.yaml',
    };
    const shown = maskAcceptDrift(answer, declared, ['auth.password']);
    const text = JSON.stringify(shown);
    for (const secret of ['hunter2', 'swordfish', 'AES256_GCM']) expect(text).not.toContain(secret);
    expect(shown.values).toEqual({ replicas: 4, auth: { user: 'admin', password: MASK }, token: MASK });
    expect(shown.patch).toContain('+replicas: 4');
    expect(shown.patch).toContain('-  password: ***');
    expect(shown.changes[0]).toMatchObject({ git: MASK, cluster: MASK });
    expect(shown.changes[1]).toMatchObject({ git: 2, cluster: 4 });
  });
});

describe('the read model', () => {
  const apply = {
    kind: 'apply',
    finished_at: '2026-03-01T12:00:00Z',
    apply: {
      members: [
        {
          kind: 'addon' as const,
          name: 'a',
          stack: 's',
          phase: 'deployed',
          state: 'Synced',
          message: 'ok',
          revision: 2,
        },
        {
          kind: 'manifest' as const,
          name: 'm',
          stack: 's',
          phase: 'applied',
          state: 'Synced',
          message: 'ok',
        },
      ],
      removed: [
        { kind: 'addon' as const, name: 'gone' },
        { kind: 'addon' as const, name: 'stuck', error: 'helm uninstall failed' },
      ],
    },
  };
  it('takes per-member outcomes from an apply; removed members go unless the removal failed', () => {
    const changes = changesFromResult(apply);
    expect(changes).toEqual([
      {
        op: 'upsert',
        member: {
          kind: 'addon',
          name: 'a',
          stack: 's',
          state: 'Synced',
          phase: 'deployed',
          message: 'ok',
          revision: 2,
          drifted_objects: 0,
          drift: [],
          updated_at: new Date('2026-03-01T12:00:00Z'),
        },
      },
      expect.objectContaining({
        op: 'upsert',
        member: expect.objectContaining({ kind: 'manifest', name: 'm' }),
      }),
      { op: 'remove', kind: 'addon', name: 'gone' },
    ]);
  });

  it('takes states and drift from a sweep, and the sweep time from a heartbeat', () => {
    const changes = changesFromResult({
      kind: 'sweep',
      finished_at: '2026-03-01T12:05:00Z',
      sweep: {
        heartbeat: { last_sweep_at: '2026-03-01T12:04:59Z' },
        members: [
          {
            kind: 'addon',
            name: 'a',
            namespace: 'ns',
            stack: 's',
            state: 'OutOfSync',
            drifted_objects: 1,
            message: 'drift',
          },
        ],
      },
    });
    expect(changes).toEqual([
      {
        op: 'upsert',
        member: {
          kind: 'addon',
          name: 'a',
          stack: 's',
          namespace: 'ns',
          state: 'OutOfSync',
          message: 'drift',
          drifted_objects: 1,
          inspected_at: new Date('2026-03-01T12:04:59Z'),
        },
      },
    ]);
    expect(changesFromHeartbeat({ last_sweep_at: '2026-03-01T12:06:00Z' })).toEqual([
      { op: 'inspected', at: new Date('2026-03-01T12:06:00Z') },
    ]);
    expect(changesFromResult({ kind: 'sweep', finished_at: '2026-03-01T12:05:00Z' })).toEqual([]);
  });

  it('takes each member state and its drift (objects, field paths) from a member-states message', () => {
    const drift = [{ ref: 'Deployment/ns/a', missing: false, fields: ['spec.replicas'], text: '- 1\n+ 4' }];
    expect(
      changesFromStates({
        observed_at: '2026-03-01T12:07:00Z',
        members: [
          {
            kind: 'addon',
            name: 'a',
            namespace: 'ns',
            stack: 's',
            state: 'OutOfSync',
            message: 'drift',
            revision: 2,
            drifted_objects: 1,
            drift,
          },
        ],
      }),
    ).toEqual([
      {
        op: 'upsert',
        member: {
          kind: 'addon',
          name: 'a',
          stack: 's',
          namespace: 'ns',
          state: 'OutOfSync',
          message: 'drift',
          revision: 2,
          drifted_objects: 1,
          drift,
          inspected_at: new Date('2026-03-01T12:07:00Z'),
        },
      },
    ]);
  });

  it('a member an apply synced has no drift left', () => {
    const [c] = changesFromResult({
      kind: 'apply',
      finished_at: '2026-03-01T12:08:00Z',
      apply: {
        members: [{ kind: 'addon', name: 'a', stack: 's', phase: 'synced', state: 'Synced', message: '' }],
        removed: [],
      },
    });
    expect(c).toMatchObject({ op: 'upsert', member: { drifted_objects: 0, drift: [] } });
  });

  it('moves last updated only when the state or the revision changes', () => {
    const t1 = new Date('2026-03-01T12:00:00Z');
    const t2 = new Date('2026-03-01T12:05:00Z');
    const first = applyObservation(undefined, {
      kind: 'addon',
      name: 'a',
      state: 'Synced',
      revision: 1,
      updated_at: t1,
    });
    expect(first.updated_at).toEqual(t1);
    const same = applyObservation(first, { kind: 'addon', name: 'a', state: 'Synced', inspected_at: t2 });
    expect(same.updated_at).toEqual(t1);
    expect(same.inspected_at).toEqual(t2);
    const changed = applyObservation(same, { kind: 'addon', name: 'a', state: 'Degraded', inspected_at: t2 });
    expect(changed.updated_at).toEqual(t2);
    expect(changed.revision).toBe(1);
  });

  it('shows health from the state', () => {
    expect(
      ['Synced', 'OutOfSync', 'Degraded', 'Deploying', 'Pending', 'Unknown', undefined].map(healthOfState),
    ).toEqual(['Healthy', 'Healthy', 'Degraded', 'Progressing', 'Progressing', 'Unknown', 'Unknown']);
  });
});

describe('list items', () => {
  const declared = {
    kind: 'addon' as const,
    name: 'b',
    stack: 's',
    namespace: 'ns',
    chart: 'c',
    version: '1.0.0',
    registry: 'https://r',
    engine: 'native',
    encryptedPaths: [],
    values: {},
  };
  it('is Pending until the agent reports it; a reported one no longer declared is marked so', () => {
    expect(addonView(declared, undefined)).toMatchObject({
      state: 'Pending',
      health: 'Unknown',
      in_definition: true,
    });
    expect(addonView(undefined, { kind: 'addon', name: 'old', state: 'Synced' })).toMatchObject({
      name: 'old',
      chart: null,
      in_definition: false,
      health: 'Healthy',
    });
  });
  it('sorts either way and pages', () => {
    const items = ['c', 'a', 'b'].map((name) => addonView({ ...declared, name }, undefined));
    const asc = sortAndPage(items, { page: 1, pageSize: 2, sort: { field: 'name', direction: 'asc' } });
    expect(asc.items.map((i) => i.name)).toEqual(['a', 'b']);
    expect(asc.total).toBe(3);
    const desc = sortAndPage(items, { page: 2, pageSize: 2, sort: { field: 'name', direction: 'desc' } });
    expect(desc.items.map((i) => i.name)).toEqual(['a']);
  });
});
