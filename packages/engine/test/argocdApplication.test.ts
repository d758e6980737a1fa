import type { AddonMember } from '@mooring/core';
import { describe, expect, it } from 'vitest';
import { accountConfig, tokenId } from '../src/argocd/account.ts';
import {
  applicationFor,
  comparedWithSpec,
  finalizersFor,
  repositoryFor,
  windowProjectFor,
} from '../src/argocd/application.ts';
import { argoAddonState, STUCK_AFTER_MS } from '../src/argocd/state.ts';
import type { Application } from '../src/argocd/types.ts';
import { hashLabel } from '../src/context.ts';
import { prunable } from '../src/sweep/prune.ts';
import { definition } from './support.ts';

function addonOf(settings: string, repo = 'http://charts.example/repo'): AddonMember {
  const { def } = definition(`apiVersion: v1
kind: ImportCluster
metadata:
  name: c1
spec:
  stacks:
    - name: s
      addons:
        - name: web
          chart_name: podinfo
          chart_version: "6.14.1"
          repository_url: ${repo}
          namespace: web
          configuration:
            values: |
              replicaCount: 2
          settings:
${settings}
`);
  return def.stacks[0]!.addons[0]!;
}

const HASH = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef';

describe('applicationFor', () => {
  it('writes the Helm source, values, destination and every setting', () => {
    const a = addonOf(`            engine: argo_cd
            sync_policy:
              automated: true
              self_heal: true
              auto_prune: false
              sync_options: [ServerSideApply=true, CreateNamespace=false]
            retry_policy: { limit: 3, backoff_duration: 5s, backoff_factor: 2, backoff_max: 3m }
            revision_history_limit: 4
            ignore_differences:
              - group: apps
                kind: Deployment
                json_pointers: [/spec/replicas]`);
    expect(a.settings.engine).toBe('argocd');
    const app = applicationFor({
      cluster: 'c1',
      addon: a,
      hash: HASH,
      values: 'replicaCount: 2\n',
      namespace: 'argocd',
      deletion: 'foreground',
    });
    expect(app.metadata).toMatchObject({
      name: 'web',
      namespace: 'argocd',
      labels: { 'mooring.dev/cluster': 'c1', 'mooring.dev/stack': 's', 'mooring.dev/member': 'web' },
      annotations: { 'mooring.dev/hash': hashLabel(HASH) },
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    });
    expect(app.spec).toEqual({
      project: 'default',
      source: {
        repoURL: 'http://charts.example/repo',
        chart: 'podinfo',
        targetRevision: '6.14.1',
        helm: { releaseName: 'web', values: 'replicaCount: 2\n' },
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
      syncPolicy: {
        automated: { prune: false, selfHeal: true },
        // namespaces are always made by Argo CD, with Mooring's metadata
        syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
        managedNamespaceMetadata: {
          labels: { 'mooring.dev/cluster': 'c1', 'app.kubernetes.io/managed-by': 'mooring' },
        },
        retry: { limit: 3, backoff: { duration: '5s', factor: 2, maxDuration: '180s' } },
      },
      ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }],
      revisionHistoryLimit: 4,
    });
  });

  it('leaves out automated when the add-on is not automated, and names OCI charts without the scheme', () => {
    const a = addonOf(
      `            engine: argocd
            sync_policy:
              automated: false`,
      'oci://registry.example/charts',
    );
    const app = applicationFor({
      cluster: 'c1',
      addon: a,
      hash: HASH,
      values: '',
      namespace: 'ops',
      deletion: 'non-cascading',
    });
    expect(app.spec.syncPolicy?.automated).toBeUndefined();
    expect(app.spec.source.repoURL).toBe('registry.example/charts');
    expect(app.spec.source.helm).toEqual({ releaseName: 'web' });
    expect(app.metadata.finalizers).toEqual([]);
  });

  it('declares OCI registries (plain HTTP on loopback) and registries with basic credentials; a public repository needs nothing', () => {
    const local = addonOf('            engine: argocd', 'oci://127.0.0.1:5000/charts');
    expect(repositoryFor(local, undefined)).toMatchObject({
      repo: '127.0.0.1:5000/charts',
      type: 'helm',
      enableOCI: true,
      insecureOCIForceHttp: true,
    });
    const remote = addonOf('            engine: argocd', 'oci://registry.example/charts');
    expect(repositoryFor(remote, undefined)?.insecureOCIForceHttp).toBeUndefined();
    const helm = addonOf('            engine: argocd', 'https://charts.example');
    expect(repositoryFor(helm, undefined)).toBeUndefined();
    expect(repositoryFor(helm, { username: 'u', password: 'p' })).toMatchObject({
      repo: 'https://charts.example',
      username: 'u',
      password: 'p',
    });
  });

  it('puts an enabled sync window in an AppProject of the add-on, none otherwise', () => {
    const a = addonOf(
      `            engine: argocd
            sync_window: { enabled: true, schedule: "0 22 * * *", duration: 4h, timezone: Europe/Berlin }`,
    );
    expect(windowProjectFor('c1', a)?.spec.syncWindows).toEqual([
      {
        kind: 'allow',
        schedule: '0 22 * * *',
        duration: '14400s',
        applications: ['web'],
        timeZone: 'Europe/Berlin',
        manualSync: false,
      },
    ]);
    expect(windowProjectFor('c1', addonOf('            engine: argocd'))).toBeUndefined();
  });

  it.each([
    ['foreground', ['resources-finalizer.argocd.argoproj.io']],
    ['background', ['resources-finalizer.argocd.argoproj.io/background']],
    ['non-cascading', []],
  ] as const)('deletion %s → finalizers %j', (mode, want) => {
    expect(finalizersFor(mode)).toEqual(want);
  });
});

function app(status: Application['status'], hash = HASH): Application {
  return {
    metadata: { name: 'web', annotations: { 'mooring.dev/hash': hashLabel(hash) } },
    spec: {
      project: 'default',
      source: { repoURL: 'r', chart: 'c', targetRevision: '1' },
      destination: { namespace: 'web' },
    },
    status,
  };
}

describe('argoAddonState', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const base = { hash: HASH, strict: true, selfHeal: true, now };
  it.each([
    ['no Application', undefined, 'Pending', 'not_deployed'],
    [
      'Synced/Healthy',
      app({ sync: { status: 'Synced' }, health: { status: 'Healthy' } }),
      'Synced',
      'synced',
    ],
    [
      'Synced/Progressing (strict)',
      app({ sync: { status: 'Synced' }, health: { status: 'Progressing' } }),
      'Deploying',
      'progressing',
    ],
    [
      'Synced/Degraded',
      app({ sync: { status: 'Synced' }, health: { status: 'Degraded', message: 'crash' } }),
      'Degraded',
      'unhealthy',
    ],
    [
      'OutOfSync with self-heal',
      app({ sync: { status: 'OutOfSync' }, health: { status: 'Healthy' } }),
      'Deploying',
      'drift_healing',
    ],
    [
      'a running sync',
      app({
        sync: { status: 'OutOfSync' },
        health: { status: 'Healthy' },
        operationState: { phase: 'Running', startedAt: '2026-01-01T11:59:00Z' },
      }),
      'Deploying',
      'operation_in_progress',
    ],
    [
      'a failed sync',
      app({
        sync: { status: 'OutOfSync' },
        health: { status: 'Missing' },
        operationState: { phase: 'Failed', message: 'one or more objects failed' },
      }),
      'Degraded',
      'operation_failed',
    ],
    [
      'Unknown sync',
      app({ sync: { status: 'Unknown' }, health: { status: 'Healthy' } }),
      'Unknown',
      'health_unknown',
    ],
  ] as const)('%s → %s', (_name, a, state, reason) => {
    const r = argoAddonState({ ...base, app: a as Application | undefined });
    expect([r.state, r.reason]).toEqual([state, reason]);
  });

  it('Progressing is Synced when health is not strict; OutOfSync stays when self_heal is off', () => {
    const p = app({ sync: { status: 'Synced' }, health: { status: 'Progressing' } });
    expect(argoAddonState({ ...base, strict: false, app: p }).state).toBe('Synced');
    const o = app({ sync: { status: 'OutOfSync' }, health: { status: 'Healthy' } });
    expect(argoAddonState({ ...base, selfHeal: false, app: o }).state).toBe('OutOfSync');
  });

  it('a sync running longer than ten minutes is stuck; another hash is behind Git', () => {
    const started = new Date(now - STUCK_AFTER_MS - 1000).toISOString();
    const r = argoAddonState({
      ...base,
      app: app({ operationState: { phase: 'Running', startedAt: started } }, 'sha256:other'),
    });
    expect(r.stuck).toBe(true);
    expect(r.behindGit).toBe(true);
    expect(r.message).toMatch(/stuck/);
  });

  it('comparedWithSpec: the status counts only once the controller compared the current source', () => {
    const a = app({
      sync: { status: 'Synced', comparedTo: { source: { repoURL: 'r', chart: 'c', targetRevision: '0.9' } } },
    });
    expect(comparedWithSpec(a)).toBe(false);
    a.status!.sync!.comparedTo!.source!.targetRevision = '1';
    expect(comparedWithSpec(a)).toBe(true);
  });
});

describe('prunable', () => {
  it.each([
    ['no annotations', {}, true],
    ['helm keep', { 'helm.sh/resource-policy': 'keep' }, false],
    ['Prune=false', { 'argocd.argoproj.io/sync-options': 'Prune=false' }, false],
    ['among others', { 'argocd.argoproj.io/sync-options': 'ServerSideApply=true, Prune=false' }, false],
    ['Prune=true', { 'argocd.argoproj.io/sync-options': 'Prune=true' }, true],
  ] as const)('%s → %s', (_n, annotations, want) => {
    expect(prunable({ metadata: { annotations: { ...annotations } } })).toBe(want);
  });
});

describe('accountConfig and tokenId', () => {
  it('adds the account and its policy line only when missing', () => {
    expect(accountConfig({}, undefined)).toEqual({
      cm: { 'accounts.mooring': 'apiKey' },
      rbac: { 'policy.csv': 'g, mooring, role:admin\n' },
    });
    expect(
      accountConfig({ 'accounts.mooring': 'login' }, { 'policy.csv': 'p, role:x, a, b, c, allow' }),
    ).toEqual({
      cm: { 'accounts.mooring': 'login, apiKey' },
      rbac: { 'policy.csv': 'p, role:x, a, b, c, allow\ng, mooring, role:admin\n' },
    });
    expect(
      accountConfig({ 'accounts.mooring': 'apiKey, login' }, { 'policy.csv': 'g,  mooring, role:admin\n' }),
    ).toEqual({});
  });

  it('reads the id of a token from its JWT payload', () => {
    const payload = Buffer.from(JSON.stringify({ jti: 'mooring-abc', sub: 'mooring:apiKey' })).toString(
      'base64url',
    );
    expect(tokenId(`h.${payload}.s`)).toBe('mooring-abc');
    expect(tokenId('not-a-jwt')).toBeUndefined();
  });
});
