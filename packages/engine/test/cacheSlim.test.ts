import { randomBytes } from 'node:crypto';
import { encodeReleasePayload, type KubeObject, stripForCache } from '@mooring/kube';
import { describe, expect, it } from 'vitest';
import { summarizeReleaseSecret } from '../src/sweep/liveState.ts';

const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  a: "1"\n';

function releaseSecret(): KubeObject {
  const raw = {
    name: 'web',
    namespace: 'apps',
    version: 2,
    manifest,
    config: { password: 'from values' },
    info: { status: 'deployed', last_deployed: '2026-11-01T00:00:00Z' },
    chart: {
      metadata: { name: 'podinfo', version: '6.14.1' },
      templates: [{ name: 'templates/x.yaml', data: randomBytes(30_000).toString('base64') }],
    },
    hooks: [{ name: 'h', kind: 'Job', manifest: 'kind: Job', events: ['post-install'] }],
    apply_method: 'ssa',
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: {
      name: 'sh.helm.release.v1.web.v2',
      namespace: 'apps',
      resourceVersion: '7',
      labels: { owner: 'helm', name: 'web', version: '2', status: 'deployed' },
    },
    data: { release: encodeReleasePayload(raw) },
  } as KubeObject;
}

describe('summarizeReleaseSecret: what the release cache keeps', () => {
  it('keeps the decoded release and its manifest, without the payload, values, hooks or chart files', () => {
    const s = releaseSecret();
    const kept = summarizeReleaseSecret(s) as KubeObject & {
      data?: unknown;
      mooringRelease?: Record<string, unknown>;
    };
    expect(kept.data).toBeUndefined();
    expect(kept.metadata).toEqual(s.metadata);
    expect(kept.mooringRelease).toMatchObject({
      name: 'web',
      namespace: 'apps',
      version: 2,
      status: 'deployed',
      manifest,
      applyMethod: 'ssa',
      config: {},
      hooks: [],
      chart: { name: 'podinfo', version: '6.14.1' },
    });
    expect(JSON.stringify(kept).length).toBeLessThan(JSON.stringify(s).length / 2);
    expect(JSON.stringify(kept)).not.toContain('from values');
  });

  it('keeps a Secret it cannot decode, and other Secrets, as they are', () => {
    const bad = { ...releaseSecret(), data: { release: 'not base64 gzip' } } as KubeObject;
    expect(summarizeReleaseSecret(bad)).toBe(bad);
    const other = { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'x' } } as KubeObject;
    expect(summarizeReleaseSecret(other)).toBe(other);
  });
});

describe('stripForCache', () => {
  it('keeps only who manages the object, and drops the last-applied-configuration annotation', () => {
    const o = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'c',
        managedFields: [
          {
            manager: 'helm',
            operation: 'Apply',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:data': { 'f:a': {} } },
          },
          { manager: 'kubectl', operation: 'Update', subresource: 'scale', time: '2026-11-01T00:00:00Z' },
        ],
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":1}', keep: 'me' },
      },
      data: { a: '1' },
    } as KubeObject;
    expect(stripForCache(o)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'c',
        annotations: { keep: 'me' },
        managedFields: [
          { manager: 'helm', operation: 'Apply' },
          { manager: 'kubectl', operation: 'Update', subresource: 'scale' },
        ],
      },
      data: { a: '1' },
    });
    const plain = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } as KubeObject;
    expect(stripForCache(plain)).toBe(plain);
  });
});
