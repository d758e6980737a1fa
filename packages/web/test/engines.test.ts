import { describe, expect, it } from 'vitest';
import type { EligibilityView, EnginesView, Migration } from '../src/api/types.ts';
import {
  canMigrate,
  canRollBack,
  decommissionState,
  migrationBody,
  migrationProgress,
  migrationTitle,
  reportSummary,
  sourceLabel,
} from '../src/engines/engines.ts';

const view = (over: Partial<EnginesView> = {}): EnginesView => ({
  cluster_id: 'c1',
  default_engine: 'native',
  decommissioned_at: null,
  argocd_connected: true,
  decommission_offered: false,
  addons: [
    { name: 'a', namespace: 'n', stack: 's', engine: 'native', source: 'migration' },
    { name: 'b', namespace: 'n', stack: 's', engine: 'argocd', source: 'file' },
    { name: 'c', namespace: 'n', stack: 's', engine: 'native', source: 'file' },
  ],
  ...over,
});

const addon = (name: string, eligible: boolean) => ({
  addon: name,
  namespace: 'n',
  eligible,
  blockers: eligible ? [] : ['a sync is in flight'],
  warnings: [],
  kinds: [],
  inFlightSync: !eligible,
  multiSource: false,
});

describe('engines tab (pure)', () => {
  it('offers a rollback only for add-ons a migration moved, and none after a decommission', () => {
    expect(canRollBack(view(), 'a')).toBe(true);
    expect(canRollBack(view(), 'b')).toBe(false);
    expect(canRollBack(view(), 'c')).toBe(false);
    expect(canRollBack(view(), 'missing')).toBe(false);
    expect(canRollBack(view({ decommissioned_at: '2026-01-01T00:00:00Z' }), 'a')).toBe(false);
  });

  it('names what set each engine; a migration back to Argo CD is a roll back', () => {
    const [a, b, c] = view().addons;
    expect([a!, b!, c!].map(sourceLabel)).toEqual(['a migration', 'the definition', 'the definition']);
    expect(sourceLabel({ ...a!, engine: 'argocd' })).toBe('a roll back');
    expect(sourceLabel({ ...a!, source: 'default' })).toBe('the cluster default');
  });

  it('offers the migration while an add-on is on Argo CD and Argo CD is not decommissioned', () => {
    expect(canMigrate(view())).toBe(true);
    const allNative = view().addons.map((a) => ({ ...a, engine: 'native' as const }));
    expect(canMigrate(view({ addons: allNative }))).toBe(false);
    expect(canMigrate(view({ decommissioned_at: '2026-01-01T00:00:00Z' }))).toBe(false);
  });

  it('shows the decommission while Argo CD is connected, naming the add-ons still on it', () => {
    expect(decommissionState(view())).toEqual({ show: true, offered: false, remaining: ['b'] });
    const allNative = view().addons.map((a) => ({ ...a, engine: 'native' as const }));
    expect(decommissionState(view({ addons: allNative, decommission_offered: true }))).toEqual({
      show: true,
      offered: true,
      remaining: [],
    });
    expect(decommissionState(view({ argocd_connected: false }))).toEqual({ show: false });
    expect(decommissionState(view({ decommissioned_at: '2026-01-01T00:00:00Z' }))).toEqual({ show: false });
  });

  it('names the chosen add-ons unless every one is chosen; blocked ones are never sent', () => {
    const report: EligibilityView = {
      cluster_id: 'c1',
      eligible: false,
      addons: [addon('x', true), addon('y', true)],
    };
    expect(migrationBody(report, new Set(['x', 'y']), 2)).toEqual({ concurrency: 2 });
    expect(migrationBody(report, new Set(['y']), 1)).toEqual({ addons: ['y'], concurrency: 1 });
    const blocked: EligibilityView = { ...report, addons: [addon('x', true), addon('z', false)] };
    expect(migrationBody(blocked, new Set(['x', 'z']), 3)).toEqual({ addons: ['x'], concurrency: 3 });
  });

  it('sums up a report: nothing replaced, Pods kept, metadata changed', () => {
    expect(
      reportSummary({
        replaced: [],
        pods_before: ['p-1', 'p-2'],
        pods_after: ['p-2', 'p-1'],
        metadata_changed: ['annotation meta.helm.sh/release-name'],
      }),
    ).toBe('no object replaced; 2 Pods kept; metadata: annotation meta.helm.sh/release-name');
    expect(reportSummary({ replaced: ['Deployment web'], pods_before: ['p-1'], pods_after: ['p-9'] })).toBe(
      'replaced: Deployment web; Pods: 0 of 1 kept, 1 Pod now',
    );
    expect(reportSummary(null)).toBe('');
  });

  it('counts a migration’s add-ons by state and titles it by direction', () => {
    const item = (addon: string, state: Migration['items'][number]['state']) => ({
      addon,
      namespace: 'n',
      state,
      operation_id: null,
      message: '',
      report: null,
      started_at: null,
      finished_at: null,
    });
    const m: Migration = {
      id: 'm1',
      cluster_id: 'c1',
      direction: 'native',
      state: 'running',
      concurrency: 1,
      decommission: false,
      message: '',
      created_by: 'u',
      created_at: '2026-01-01T00:00:00Z',
      finished_at: null,
      items: [item('a', 'succeeded'), item('b', 'running'), item('c', 'pending')],
    };
    expect(migrationProgress(m)).toBe('1 of 3 add-ons done (1 moving, 1 waiting)');
    expect(migrationTitle(m)).toBe('To the native engine');
    expect(migrationTitle({ ...m, decommission: true })).toBe('To native, then decommission Argo CD');
    expect(migrationTitle({ ...m, direction: 'argocd', items: [item('a', 'succeeded')] })).toBe(
      'Back to Argo CD: a',
    );
  });
});
