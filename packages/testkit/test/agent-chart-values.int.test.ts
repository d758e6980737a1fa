// The agent chart with the values users' existing files carry: the original chart's keys
// (pod_annotations, node_selector, service_account, image.pull_policy/pull_secrets,
// service.name/node_port/annotations, pod_security_context, security_context,
// topologySpreadConstraints), every value of the product description's table, security
// settings merged over the secure defaults (a weakening one refused), and an install of
// all of it into the kit's cluster, Available on the kwok nodes.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createNamespace, kitClients, REPO_ROOT, testNamespace } from '../src/index.ts';

const run = promisify(execFile);
const kit = inject('kit');
const { kc, core, apps } = kitClients(kit);
const CHART = join(REPO_ROOT, 'charts', 'mooring-agent');
const work = mkdtempSync(join(tmpdir(), 'mooring-chart-values-'));
const NODE_PORT = 30000 + Math.floor(Math.random() * 2700);

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked field by field
type Obj = Record<string, any>;

/** A values file as users of the original chart write it. */
const ORIGINAL_KEYS = `config:
  ankra_url: https://platform.example.test
  token: tok-original-values
log_level: DEBUG
pod_annotations:
  example.test/team: platform
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
        - matchExpressions:
            - { key: type, operator: In, values: [kwok] }
tolerations:
  - { key: dedicated, operator: Equal, value: mooring, effect: NoSchedule }
node_selector:
  kubernetes.io/os: linux
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        app.kubernetes.io/name: mooring-agent
service_account:
  name: agent-identity
  annotations:
    example.test/role: arn:example:iam::1:role/agent
image:
  repository: registry.invalid/mooring/agent-under-test
  tag: "2.0.7"
  pull_policy: Always
  pull_secrets: [registry-cred, { name: other-cred }]
service:
  type: NodePort
  port: 9090
  name: agent-health
  node_port: ${NODE_PORT}
  annotations:
    example.test/scrape: "true"
pod_security_context:
  fsGroup: 3000
security_context:
  runAsUser: 2000
  runAsGroup: 2000
`;

async function helm(...args: string[]): Promise<string> {
  const { stdout } = await run(kit.helm, args, { env: { ...process.env, ...kit.env } });
  return stdout;
}

async function helmError(...args: string[]): Promise<string> {
  try {
    await helm(...args);
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? e);
  }
  throw new Error(`helm ${args.join(' ')} succeeded, expected it to fail`);
}

async function render(...flags: string[]): Promise<Obj[]> {
  const text = await helm('template', 'mooring-agent', CHART, '--namespace', 'mooring', ...flags);
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o != null);
}

const of = (objects: Obj[], kind: string) => objects.find((o) => o.kind === kind)!;
const envOf = (objects: Obj[]) =>
  Object.fromEntries(
    (
      of(objects, 'Deployment').spec.template.spec.containers[0].env as { name: string; value?: string }[]
    ).map((e) => [e.name, e.value]),
  );

const valuesFile = join(work, 'original.yaml');
beforeAll(() => writeFileSync(valuesFile, ORIGINAL_KEYS));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('mooring-agent chart: the original chart’s keys', () => {
  it('helm lint --strict is clean with them', async () => {
    expect(await helm('lint', '--strict', CHART, '-f', valuesFile)).toContain('0 chart(s) failed');
  });

  it('renders each where it belongs', async () => {
    const objects = await render('-f', valuesFile);
    const dep = of(objects, 'Deployment');
    const pod = dep.spec.template;
    const c = pod.spec.containers[0];
    expect(pod.metadata.annotations['example.test/team']).toBe('platform');
    expect(pod.metadata.annotations['checksum/secret']).toMatch(/^[a-f0-9]{64}$/);
    expect(pod.spec.affinity.nodeAffinity).toBeDefined();
    expect(pod.spec.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'mooring', effect: 'NoSchedule' },
    ]);
    expect(pod.spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(pod.spec.topologySpreadConstraints[0]).toMatchObject({
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
    });
    expect(pod.spec.serviceAccountName).toBe('agent-identity');
    const sa = of(objects, 'ServiceAccount');
    expect(sa.metadata).toMatchObject({
      name: 'agent-identity',
      annotations: { 'example.test/role': 'arn:example:iam::1:role/agent' },
    });
    const crb = objects.find(
      (o) =>
        o.kind === 'ClusterRoleBinding' &&
        o.roleRef.name === 'cluster-admin' &&
        o.subjects[0].kind === 'ServiceAccount',
    )!;
    expect(crb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'agent-identity', namespace: 'mooring' }]);
    expect(c.image).toBe('registry.invalid/mooring/agent-under-test:2.0.7');
    expect(c.imagePullPolicy).toBe('Always');
    expect(pod.spec.imagePullSecrets).toEqual([{ name: 'registry-cred' }, { name: 'other-cred' }]);
    const svc = of(objects, 'Service');
    expect(svc.metadata.name).toBe('agent-health');
    expect(svc.metadata.annotations).toEqual({ 'example.test/scrape': 'true' });
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.spec.ports).toEqual([
      { name: 'http', port: 9090, targetPort: 'http', protocol: 'TCP', nodePort: NODE_PORT },
    ]);
    // merged over the secure defaults: what was not named stays secure
    expect(pod.spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 3000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 2000,
      runAsGroup: 2000,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(envOf(objects).MOORING_PLATFORM_URL).toBe('https://platform.example.test');
  });

  it.each([
    ['security_context.runAsNonRoot=false', 'runAsNonRoot: false'],
    ['security_context.runAsUser=0', 'runAsUser: 0'],
    ['security_context.readOnlyRootFilesystem=false', 'readOnlyRootFilesystem: false'],
    ['security_context.allowPrivilegeEscalation=true', 'allowPrivilegeEscalation: true'],
    ['security_context.privileged=true', 'privileged: true'],
    ['security_context.capabilities.add[0]=NET_ADMIN', 'capabilities.add'],
    ['securityContext.capabilities.drop[0]=NET_RAW', 'capabilities.drop without ALL'],
    ['security_context.seccompProfile.type=Unconfined', 'seccompProfile.type: Unconfined'],
    ['pod_security_context.runAsNonRoot=false', 'runAsNonRoot: false'],
    ['podSecurityContext.runAsUser=0', 'runAsUser: 0'],
  ])('refuses %s, naming it, unless allow_weaker_security_context', async (set, named) => {
    const err = await helmError('template', 'a', CHART, '--set', 'config.token=t', '--set', set);
    expect(err).toContain('weakens the agent');
    expect(err).toContain(named);
    const objects = await render(
      '--set',
      'config.token=t',
      '--set',
      set,
      '--set',
      'allow_weaker_security_context=true',
    );
    expect(of(objects, 'Deployment')).toBeDefined();
  });

  it('refuses service.node_port with a ClusterIP Service', async () => {
    const err = await helmError(
      'template',
      'a',
      CHART,
      '--set',
      'config.token=t',
      '--set',
      'service.node_port=30001',
    );
    expect(err).toContain('service.node_port needs service.type NodePort or LoadBalancer');
  });
});

describe('mooring-agent chart: every value of the product description’s table', () => {
  it.each<[string, string[], (o: Obj[]) => unknown, unknown]>([
    [
      'config.ankra_url',
      ['config.ankra_url=https://p.example.test'],
      (o) => envOf(o).MOORING_PLATFORM_URL,
      'https://p.example.test',
    ],
    [
      'config.token',
      [],
      (o) =>
        of(o, 'Secret').stringData?.token ?? Buffer.from(of(o, 'Secret').data.token, 'base64').toString(),
      't',
    ],
    [
      'config.existing_secret_name + secret_key',
      ['config.existing_secret_name=mine', 'config.secret_key=k'],
      (o) => {
        const e = of(o, 'Deployment').spec.template.spec.containers[0].env.find(
          (x: Obj) => x.name === 'MOORING_TOKEN',
        );
        return e.valueFrom.secretKeyRef;
      },
      { name: 'mine', key: 'k' },
    ],
    ['log_level', ['log_level=ERROR'], (o) => envOf(o).MOORING_LOG_LEVEL, 'ERROR'],
    [
      'nats_worker_max_workers',
      ['nats_worker_max_workers=25'],
      (o) => envOf(o).MOORING_NATS_WORKER_MAX_WORKERS,
      '25',
    ],
    ['read_worker_count', ['read_worker_count=7'], (o) => envOf(o).MOORING_READ_WORKER_COUNT, '7'],
    ['write_worker_count', ['write_worker_count=8'], (o) => envOf(o).MOORING_WRITE_WORKER_COUNT, '8'],
    ['replica_count', ['replica_count=2'], (o) => of(o, 'Deployment').spec.replicas, 2],
    [
      'terminationGracePeriodSeconds',
      ['terminationGracePeriodSeconds=900'],
      (o) => of(o, 'Deployment').spec.template.spec.terminationGracePeriodSeconds,
      900,
    ],
    [
      'resources',
      ['resources.limits.memory=1Gi', 'resources.requests.memory=512Mi', 'resources.requests.cpu=300m'],
      (o) => of(o, 'Deployment').spec.template.spec.containers[0].resources,
      { limits: { memory: '1Gi' }, requests: { memory: '512Mi', cpu: '300m' } },
    ],
    [
      'public_ip.*',
      [
        'public_ip.reporting_enabled=true',
        'public_ip.lookup_url=https://ip.example.test/json',
        'public_ip.refresh_seconds=600',
        'public_ip.lookup_timeout_seconds=3',
      ],
      (o) => {
        const e = envOf(o);
        return [
          e.MOORING_PUBLIC_IP_REPORTING_ENABLED,
          e.MOORING_PUBLIC_IP_LOOKUP_URL,
          e.MOORING_PUBLIC_IP_REFRESH_SECONDS,
          e.MOORING_PUBLIC_IP_LOOKUP_TIMEOUT_SECONDS,
        ];
      },
      ['true', 'https://ip.example.test/json', '600', '3'],
    ],
    ['k8s_watch.enabled', ['k8s_watch.enabled=false'], (o) => envOf(o).MOORING_K8S_WATCH_ENABLED, 'false'],
    [
      'metrics.serviceMonitor.enabled',
      ['metrics.serviceMonitor.enabled=true'],
      (o) => of(o, 'ServiceMonitor')?.spec.endpoints[0].path,
      '/metrics',
    ],
    [
      'extra_env',
      ['extra_env[0].name=KUBERNETES_REQUEST_MAX_ATTEMPTS', 'extra_env[0].value=5'],
      (o) => envOf(o).KUBERNETES_REQUEST_MAX_ATTEMPTS,
      '5',
    ],
  ])('%s', async (_name, sets, read, want) => {
    // extra_env values are strings, as the schema says (what --set-string gives)
    const flags = ['config.token=t', ...sets].flatMap((s) => [
      s.startsWith('extra_env') ? '--set-string' : '--set',
      s,
    ]);
    expect(read(await render(...flags))).toEqual(want);
  });
});

describe('mooring-agent chart: installed with the original chart’s keys', () => {
  const ns = testNamespace('agent-chart-values');
  const release = 'mooring-agent';
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    cleanup = await createNamespace(core, ns);
  });
  afterAll(async () => {
    await helm('uninstall', release, '-n', ns, '--wait', '--timeout', '60s').catch(() => undefined);
    await cleanup?.();
  });

  it('becomes Available on the kwok nodes, with its ServiceAccount, binding and NodePort Service', async () => {
    await helm(
      'upgrade',
      '--install',
      release,
      CHART,
      '-n',
      ns,
      '-f',
      valuesFile,
      '--wait=watcher',
      '--timeout',
      '120s',
    );
    const dep = await apps.readNamespacedDeployment({ name: release, namespace: ns });
    expect(dep.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
    const pods = await core.listNamespacedPod({ namespace: ns });
    expect(pods.items.map((p) => p.spec?.nodeName)).toEqual([expect.stringMatching(/^kwok-node-/)]);
    const sa = await core.readNamespacedServiceAccount({ name: 'agent-identity', namespace: ns });
    expect(sa.metadata?.annotations?.['example.test/role']).toBe('arn:example:iam::1:role/agent');
    const crb = await kc
      .makeApiClient(RbacAuthorizationV1Api)
      .readClusterRoleBinding({ name: `${release}-${ns}` });
    expect(crb.subjects).toEqual([
      expect.objectContaining({ kind: 'ServiceAccount', name: 'agent-identity', namespace: ns }),
    ]);
    const svc = await core.readNamespacedService({ name: 'agent-health', namespace: ns });
    expect(svc.spec?.type).toBe('NodePort');
    expect(svc.spec?.ports?.[0]).toMatchObject({ port: 9090, nodePort: NODE_PORT });
  }, 180_000);
});
