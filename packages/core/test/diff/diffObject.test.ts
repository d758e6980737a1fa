import { describe, expect, it } from 'vitest';
import {
  type DiffChange,
  diffObject,
  type IgnoreRule,
  JqError,
  JsonPointerError,
  type ManagedFieldsEntry,
  whatWouldBeIgnored,
} from '../../src/diff/index.ts';
import type { K8sObject } from '../../src/health/index.ts';
import {
  desiredConfigMap,
  desiredDeployment,
  desiredService,
  edited,
  liveConfigMap,
  liveDeployment,
  liveService,
} from './fixtures.ts';

const CONTAINER = '/spec/template/spec/containers/0';

type Case = {
  name: string;
  desired: K8sObject;
  live: K8sObject | null;
  rules?: IgnoreRule[];
  managedFields?: ManagedFieldsEntry[];
  drifted: boolean;
  /** Expected changes, compared exactly when given. */
  changes?: Partial<DiffChange>[];
};

const scaled = edited(liveDeployment(), (d) => {
  d.spec.replicas = 5;
});

const CASES: Case[] = [
  {
    name: 'API-server defaults, Helm labels/annotations, status and quantity spellings are not drift',
    desired: desiredDeployment(),
    live: liveDeployment(),
    drifted: false,
  },
  {
    name: 'zero values the API server omits (minReadySeconds: 0, hostNetwork: false, a "" field) are not drift',
    desired: edited(desiredDeployment(), (d) => {
      d.spec.minReadySeconds = 0;
      d.spec.template.spec.hostNetwork = false;
      d.spec.template.spec.subdomain = '';
    }),
    live: liveDeployment(),
    drifted: false,
  },
  {
    name: 'a non-zero value missing live is still drift',
    desired: edited(desiredDeployment(), (d) => {
      d.spec.minReadySeconds = 5;
    }),
    live: liveDeployment(),
    drifted: true,
    changes: [{ path: '/spec/minReadySeconds', op: 'add', desired: 5 }],
  },
  {
    name: 'an empty ConfigMap value missing live is drift (data keeps "")',
    desired: edited(desiredConfigMap(), (c) => {
      c.data = { ...c.data, empty: '' };
    }),
    live: liveConfigMap(),
    drifted: true,
    changes: [{ path: '/data/empty', op: 'add', desired: '' }],
  },
  {
    name: 'a scaled Deployment is drift',
    desired: desiredDeployment(),
    live: scaled,
    drifted: true,
    changes: [{ path: '/spec/replicas', op: 'replace', desired: 3, live: 5 }],
  },
  {
    name: 'HPA-owned replicas ignored via json_pointers',
    desired: desiredDeployment(),
    live: scaled,
    rules: [{ group: 'apps', kind: 'Deployment', json_pointers: ['/spec/replicas'] }],
    drifted: false,
  },
  {
    name: 'HPA-owned replicas ignored via managed_fields_managers (managedFields on the live object)',
    desired: desiredDeployment(),
    live: scaled,
    rules: [{ group: 'apps', kind: 'Deployment', managed_fields_managers: ['kube-controller-manager'] }],
    drifted: false,
  },
  {
    name: 'HPA-owned replicas ignored via managed_fields_managers (managedFields passed apart, cache stripped them)',
    desired: desiredDeployment(),
    live: edited(scaled, (d) => {
      delete d.metadata.managedFields;
    }),
    managedFields: liveDeployment().metadata?.managedFields as ManagedFieldsEntry[],
    rules: [{ kind: 'Deployment', managedFieldsManagers: ['kube-controller-manager'] }],
    drifted: false,
  },
  {
    name: 'managed_fields_managers only ignores that manager’s fields: an image edit stays drift',
    desired: desiredDeployment(),
    live: edited(scaled, (d) => {
      d.spec.template.spec.containers[0].image = 'nginx:1.25';
    }),
    rules: [{ kind: 'Deployment', managed_fields_managers: ['kube-controller-manager'] }],
    drifted: true,
    changes: [{ path: `${CONTAINER}/image`, op: 'replace', desired: 'nginx:1.27', live: 'nginx:1.25' }],
  },
  {
    name: 'a rule for another kind does not apply',
    desired: desiredDeployment(),
    live: scaled,
    rules: [{ group: 'apps', kind: 'StatefulSet', json_pointers: ['/spec/replicas'] }],
    drifted: true,
  },
  {
    name: 'a rule for another name does not apply; a glob name does',
    desired: desiredDeployment(),
    live: scaled,
    rules: [
      { kind: 'Deployment', name: 'api', json_pointers: ['/spec/replicas'] },
      {
        kind: 'Deployment',
        name: 'we*',
        namespace: 'shop',
        json_pointers: ['/spec/template/spec/containers/0/args'],
      },
    ],
    drifted: true,
    changes: [{ path: '/spec/replicas', op: 'replace' }],
  },
  {
    name: 'a namespace selector matches the live namespace when the manifest omits it',
    desired: edited(desiredDeployment(), (d) => {
      delete d.metadata.namespace;
    }),
    live: scaled,
    rules: [{ kind: 'Deployment', namespace: 'shop', json_pointers: ['/spec/replicas'] }],
    drifted: false,
  },
  {
    name: 'a changed image is drift at the container path',
    desired: desiredDeployment(),
    live: edited(liveDeployment(), (d) => {
      d.spec.template.spec.containers[0].image = 'nginx:latest';
    }),
    drifted: true,
    changes: [{ path: `${CONTAINER}/image`, op: 'replace', desired: 'nginx:1.27', live: 'nginx:latest' }],
  },
  {
    name: 'containers are matched by name, not position',
    desired: edited(desiredDeployment(), (d) => {
      d.spec.template.spec.containers.push({ name: 'metrics', image: 'exporter:1' });
    }),
    live: edited(liveDeployment(), (d) => {
      d.spec.template.spec.containers.unshift({
        name: 'metrics',
        image: 'exporter:1',
        imagePullPolicy: 'Always',
      });
    }),
    drifted: false,
  },
  {
    name: 'an injected sidecar container is drift (remove)',
    desired: desiredDeployment(),
    live: edited(liveDeployment(), (d) => {
      d.spec.template.spec.containers.push({ name: 'sidecar', image: 'proxy:1' });
    }),
    drifted: true,
    changes: [{ path: '/spec/template/spec/containers/1', op: 'remove' }],
  },
  {
    name: 'the sidecar is ignored by a jq select on its name',
    desired: desiredDeployment(),
    live: edited(liveDeployment(), (d) => {
      d.spec.template.spec.containers.push({ name: 'sidecar', image: 'proxy:1' });
    }),
    rules: [
      {
        kind: 'Deployment',
        jq_path_expressions: ['.spec.template.spec.containers[] | select(.name == "sidecar")'],
      },
    ],
    drifted: false,
  },
  {
    name: 'a jq path to one field ignores it on both sides',
    desired: desiredDeployment(),
    live: edited(liveDeployment(), (d) => {
      d.spec.template.spec.containers[0].image = 'nginx:1.28';
    }),
    rules: [
      {
        kind: 'Deployment',
        jq_path_expressions: ['.spec.template.spec.containers[] | select(.name == "web") | .image'],
      },
    ],
    drifted: false,
  },
  {
    name: 'a removed env var is drift (add, appended)',
    desired: desiredDeployment(),
    live: edited(liveDeployment(), (d) => {
      d.spec.template.spec.containers[0].env.splice(1, 1);
    }),
    drifted: true,
    changes: [{ path: `${CONTAINER}/env/-`, op: 'add', desired: { name: 'WORKERS', value: '4' } }],
  },
  {
    name: 'env matched by name: order does not matter',
    desired: desiredDeployment(),
    live: edited(liveDeployment(), (d) => {
      d.spec.template.spec.containers[0].env.reverse();
    }),
    drifted: false,
  },
  {
    name: 'scalar arrays compare by position: an extra arg is drift',
    desired: desiredDeployment(),
    live: edited(liveDeployment(), (d) => {
      d.spec.template.spec.containers[0].args.push('--debug');
    }),
    drifted: true,
    changes: [{ path: `${CONTAINER}/args/2`, op: 'remove', live: '--debug' }],
  },
  {
    name: 'a changed memory limit is drift, a respelled one is not',
    desired: desiredDeployment(),
    live: edited(liveDeployment(), (d) => {
      d.spec.template.spec.containers[0].resources.limits.memory = '2Gi';
      d.spec.template.spec.containers[0].resources.requests.cpu = 1;
    }),
    drifted: true,
    changes: [{ path: `${CONTAINER}/resources/limits/memory`, op: 'replace', desired: '1Gi', live: '2Gi' }],
  },
  {
    name: 'a deleted Service is drift',
    desired: desiredService(),
    live: null,
    drifted: true,
    changes: [{ path: '', op: 'add' }],
  },
  {
    name: 'Service: targetPort "8080" equals 8080, defaulted protocol and clusterIP are not drift',
    desired: desiredService(),
    live: liveService(),
    drifted: false,
  },
  {
    name: 'Service: a changed port is drift',
    desired: desiredService(),
    live: edited(liveService(), (s) => {
      s.spec.ports[0].port = 81;
    }),
    drifted: true,
    changes: [
      { path: '/spec/ports/-', op: 'add' },
      { path: '/spec/ports/0', op: 'remove' },
    ],
  },
  {
    name: 'an edited ConfigMap is drift',
    desired: desiredConfigMap(),
    live: edited(liveConfigMap(), (c) => {
      c.data.LOG_LEVEL = 'debug';
    }),
    drifted: true,
    changes: [{ path: '/data/LOG_LEVEL', op: 'replace', desired: 'info', live: 'debug' }],
  },
  {
    name: 'a key added to a ConfigMap is drift (data compares key for key)',
    desired: desiredConfigMap(),
    live: edited(liveConfigMap(), (c) => {
      c.data.EXTRA = 'x';
    }),
    drifted: true,
    changes: [{ path: '/data/EXTRA', op: 'remove', live: 'x' }],
  },
  {
    name: 'an unchanged ConfigMap with last-applied annotation is not drift',
    desired: desiredConfigMap(),
    live: liveConfigMap(),
    drifted: false,
  },
  {
    name: 'an annotation added by someone else is not drift; one ignored via an escaped pointer neither',
    desired: edited(desiredConfigMap(), (c) => {
      c.metadata.annotations = { 'example.com/owner': 'team-a' };
    }),
    live: edited(liveConfigMap(), (c) => {
      c.metadata.annotations['example.com/owner'] = 'team-b';
      c.metadata.annotations['other.io/note'] = 'hello';
    }),
    rules: [{ group: '', kind: 'ConfigMap', json_pointers: ['/metadata/annotations/example.com~1owner'] }],
    drifted: false,
  },
  {
    name: 'Secret stringData equals the base64 data stored by the API server',
    desired: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'shop' },
      type: 'Opaque',
      stringData: { password: 'hunter2', note: 'grüße' },
    },
    live: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'shop', uid: 'x' },
      type: 'Opaque',
      data: { password: 'aHVudGVyMg==', note: 'Z3LDvMOfZQ==' },
    },
    drifted: false,
  },
  {
    name: 'a label removed from the live object is drift',
    desired: desiredDeployment(),
    live: edited(liveDeployment(), (d) => {
      delete d.metadata.labels.app;
    }),
    drifted: true,
    changes: [{ path: '/metadata/labels/app', op: 'add', desired: 'web' }],
  },
];

describe('diffObject', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = diffObject(
      c.desired,
      c.live,
      c.rules ?? [],
      c.managedFields ? { managedFields: c.managedFields } : {},
    );
    expect(r.drifted, JSON.stringify(r.changes, null, 1)).toBe(c.drifted);
    expect(r.missing).toBe(c.live === null);
    if (c.changes) expect(r.changes).toMatchObject(c.changes);
    if (!c.drifted) {
      expect(r.changes).toEqual([]);
      expect(r.patch).toEqual([]);
      expect(r.text).toBe('');
    }
  });

  it('produces an RFC 6902 patch that restores the desired fields', () => {
    const live = edited(liveDeployment(), (d) => {
      d.spec.replicas = 5;
      d.spec.template.spec.containers[0].env.splice(0, 1);
      d.spec.template.spec.containers[0].args.push('--debug');
    });
    const r = diffObject(desiredDeployment(), live);
    expect(r.patch).toEqual([
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: `${CONTAINER}/env/-`, value: { name: 'LOG_LEVEL', value: 'info' } },
      { op: 'remove', path: `${CONTAINER}/args/2` },
    ]);
    // applying the patch makes the drift go away
    const patched = applyPatch(live, r.patch);
    expect(diffObject(desiredDeployment(), patched).drifted).toBe(false);
  });

  it('renders a readable unified-style diff', () => {
    const r = diffObject(desiredDeployment(), scaled);
    expect(r.text).toBe(
      '--- live Deployment/shop/web\n+++ desired Deployment/shop/web\n@@ /spec/replicas (replace) @@\n-5\n+3\n',
    );
  });

  it('a missing object yields a whole-object add patch without server fields', () => {
    const r = diffObject(desiredService(), undefined);
    expect(r).toMatchObject({ drifted: true, missing: true });
    expect(r.patch).toEqual([{ op: 'add', path: '', value: desiredService() }]);
    expect(r.text).toContain('+kind: Service');
  });

  it('reports malformed rules instead of ignoring them silently', () => {
    expect(() =>
      diffObject(desiredDeployment(), scaled, [{ kind: 'Deployment', json_pointers: ['spec/replicas'] }]),
    ).toThrow(JsonPointerError);
    expect(() =>
      diffObject(desiredDeployment(), scaled, [
        { kind: 'Deployment', jq_path_expressions: ['.spec | keys_unsorted'] },
      ]),
    ).toThrow(JqError);
  });
});

describe('whatWouldBeIgnored', () => {
  it('lists the ignored paths per side and the drift the rules hide', () => {
    const live = edited(scaled, (d) => {
      d.spec.template.spec.containers[0].image = 'nginx:1.28';
    });
    const preview = whatWouldBeIgnored(desiredDeployment(), live, [
      { kind: 'Deployment', managed_fields_managers: ['kube-controller-manager'] },
    ]);
    expect(preview.paths).toEqual([
      {
        pointer: '/spec/replicas',
        rule: 0,
        via: 'managed_fields_manager',
        source: 'kube-controller-manager',
        side: 'desired',
      },
      {
        pointer: '/spec/replicas',
        rule: 0,
        via: 'managed_fields_manager',
        source: 'kube-controller-manager',
        side: 'live',
      },
    ]);
    expect(preview.suppressed).toEqual([{ path: '/spec/replicas', op: 'replace', desired: 3, live: 5 }]);
    expect(preview.driftedWithRules).toBe(true);
  });

  it('nothing ignored when no rule matches', () => {
    const preview = whatWouldBeIgnored(desiredDeployment(), scaled, [
      { kind: 'Service', json_pointers: ['/spec'] },
    ]);
    expect(preview).toEqual({ paths: [], suppressed: [], driftedWithRules: true });
  });
});

/** A minimal RFC 6902 applier for the test (add/replace/remove only). */
function applyPatch(obj: K8sObject, ops: { op: string; path: string; value?: unknown }[]): K8sObject {
  const doc = structuredClone(obj) as Record<string, unknown>;
  for (const op of ops) {
    const tokens = op.path
      .slice(1)
      .split('/')
      .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = tokens.pop() as string;
    let parent: any = doc;
    for (const t of tokens) parent = parent[t];
    if (Array.isArray(parent)) {
      if (op.op === 'remove') parent.splice(Number(last), 1);
      else if (last === '-') parent.push(op.value);
      else if (op.op === 'add') parent.splice(Number(last), 0, op.value);
      else parent[Number(last)] = op.value;
    } else if (op.op === 'remove') delete parent[last];
    else parent[last] = op.value;
  }
  return doc as K8sObject;
}
