import { describe, expect, it } from 'vitest';
import { migrationEligibility } from '../src/argocd/eligibility.ts';
import type { Application } from '../src/argocd/types.ts';
import { engineOf, withEngine } from '../src/engines.ts';

const app = (o: Partial<Application> & { status?: Application['status'] } = {}): Application => ({
  metadata: { name: 'web' },
  spec: {
    project: 'default',
    source: { repoURL: 'https://charts.example', chart: 'web', targetRevision: '1.0.0' },
    destination: { namespace: 'web' },
  },
  ...o,
});
const addon = { name: 'web', namespace: 'web' };

describe('migration eligibility', () => {
  it('an Application at rest with known kinds is eligible; kinds without a rule are flagged, not blocking', () => {
    const e = migrationEligibility(
      addon,
      app({
        status: {
          sync: { status: 'Synced' },
          health: { status: 'Healthy' },
          operationState: { phase: 'Succeeded' },
          resources: [
            { group: 'apps', version: 'v1', kind: 'Deployment', name: 'web' },
            { version: 'v1', kind: 'Service', name: 'web' },
            { version: 'v1', kind: 'ConfigMap', name: 'a' },
            { version: 'v1', kind: 'ConfigMap', name: 'b' },
            { group: 'cert-manager.io', version: 'v1', kind: 'Certificate', name: 'tls' },
          ],
        },
      }),
    );
    expect(e.eligible).toBe(true);
    expect(e.blockers).toEqual([]);
    expect(e.kinds).toEqual([
      { group: '', kind: 'ConfigMap', count: 2, coverage: 'none-needed' },
      { group: '', kind: 'Service', count: 1, coverage: 'rule' },
      { group: 'apps', kind: 'Deployment', count: 1, coverage: 'rule' },
      { group: 'cert-manager.io', kind: 'Certificate', count: 1, coverage: 'generic' },
    ]);
    expect(e.warnings).toEqual([
      'Certificate.cert-manager.io: no health rule in the native engine; judged by its Ready/Available conditions',
    ]);
    expect(e).toMatchObject({ sync: 'Synced', health: 'Healthy', application: 'web' });
  });

  it('a sync in flight blocks: a requested operation, a running one, one terminating', () => {
    for (const a of [
      app({ operation: { sync: {} } }),
      app({ status: { operationState: { phase: 'Running' } } }),
      app({ status: { operationState: { phase: 'Terminating' } } }),
    ]) {
      const e = migrationEligibility(addon, a);
      expect(e.eligible).toBe(false);
      expect(e.inFlightSync).toBe(true);
      expect(e.blockers[0]).toMatch(/sync is in flight/);
    }
  });

  it('a multi-source Application blocks, and so does a missing one', () => {
    const multi = migrationEligibility(
      addon,
      app({
        spec: {
          ...app().spec,
          sources: [
            { repoURL: 'https://charts.example', chart: 'web' },
            { repoURL: 'https://git.example/v.git', ref: 'values' },
          ],
        },
      }),
    );
    expect(multi).toMatchObject({ eligible: false, multiSource: true });
    expect(multi.blockers).toEqual([
      "multi-source Application (2 sources) with no source of the add-on's chart: give the add-on the same chart first",
    ]);
    // with the add-on's chart among the sources: migratable, with a warning about the values
    const same = migrationEligibility(
      { ...addon, chart: { name: 'web', version: '1.0.0' } },
      app({
        spec: {
          ...app().spec,
          sources: [
            { repoURL: 'https://charts.example', chart: 'web', targetRevision: '1.0.0' },
            { repoURL: 'https://git.example/v.git', ref: 'values' },
          ],
        },
      }),
    );
    expect(same.eligible).toBe(true);
    expect(same.warnings[0]).toMatch(
      /^multi-source Application \(2 sources\): the native engine renders chart web 1\.0\.0/,
    );
    const none = migrationEligibility(addon, undefined);
    expect(none.eligible).toBe(false);
    expect(none.blockers).toEqual(['no Argo CD Application of this add-on for this cluster']);
  });
});

describe('engine choice', () => {
  const a = (engine: 'native' | 'argocd', engineSet: boolean) => ({
    name: 'web',
    settings: { engine, engineSet } as never,
  });
  it('a migration’s choice wins, then the file, then the cluster default', () => {
    expect(engineOf(undefined, a('argocd', true))).toBe('argocd');
    expect(engineOf({ default: 'argocd', overrides: {} }, a('native', false))).toBe('argocd');
    expect(engineOf({ default: 'argocd', overrides: {} }, a('native', true))).toBe('native');
    expect(
      engineOf(withEngine({ default: 'argocd', overrides: {} }, 'web', 'native'), a('argocd', true)),
    ).toBe('native');
    expect(withEngine(undefined, 'x', 'argocd')).toEqual({ default: 'native', overrides: { x: 'argocd' } });
  });
});
