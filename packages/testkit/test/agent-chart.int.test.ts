import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createNamespace, kitClients, REPO_ROOT, testNamespace } from '../src/index.ts';

const run = promisify(execFile);
const kit = inject('kit');
const { kc, core, apps } = kitClients(kit);
const CHART = join(REPO_ROOT, 'charts', 'mooring-agent');
const TOKEN = 'tok-3f9a1c7e5b2d4806';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked field by field
  [k: string]: any;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}

async function helm(...args: string[]): Promise<string> {
  const { stdout } = await run(kit.helm, args, { env: { ...process.env, ...kit.env } });
  return stdout;
}

/** Runs helm expecting failure; returns its stderr. */
async function helmFails(...args: string[]): Promise<string> {
  try {
    await helm(...args);
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? e);
  }
  throw new Error(`helm ${args.join(' ')} succeeded, expected it to fail`);
}

function render(...set: string[]): Promise<{ text: string; objects: K8sObject[] }> {
  return renderArgs(set.flatMap((s) => ['--set', s]));
}

async function renderArgs(flags: string[]): Promise<{ text: string; objects: K8sObject[] }> {
  const text = await helm('template', 'mooring-agent', CHART, '--namespace', 'mooring', ...flags);
  const objects = parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o != null);
  return { text, objects };
}

function find(objects: K8sObject[], kind: string): K8sObject {
  const o = objects.find((x) => x.kind === kind);
  if (!o) throw new Error(`no ${kind} rendered`);
  return o;
}

function container(objects: K8sObject[]) {
  return find(objects, 'Deployment').spec.template.spec.containers[0] as {
    image: string;
    env: EnvVar[];
    securityContext: Record<string, unknown>;
    ports: { name: string; containerPort: number }[];
    livenessProbe: { httpGet: { path: string; port: string } };
    readinessProbe: { httpGet: { path: string; port: string } };
    resources: unknown;
    volumeMounts: { name: string; mountPath: string }[];
  };
}

function envMap(env: EnvVar[]): Record<string, EnvVar> {
  return Object.fromEntries(env.map((e) => [e.name, e]));
}

describe('mooring-agent chart: rendering', () => {
  it('passes helm lint --strict', async () => {
    const out = await helm('lint', '--strict', CHART, '--set', `config.token=${TOKEN}`);
    expect(out).toContain('0 chart(s) failed');
  });

  it('renders the expected objects, security context and env with defaults and a token', async () => {
    const { objects } = await render(`config.token=${TOKEN}`);
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'ClusterRoleBinding',
      // the kubectl proxy's groups (kube_proxy.bind_groups)
      'ClusterRoleBinding',
      'ClusterRoleBinding',
      'ClusterRoleBinding',
      'ClusterRoleBinding',
      'Deployment',
      'Secret',
      'Service',
      'ServiceAccount',
    ]);
    for (const o of objects.filter((x) => x.kind !== 'ClusterRoleBinding')) {
      expect(o.metadata.namespace).toBe('mooring');
    }

    const bindings = objects.filter((o) => o.kind === 'ClusterRoleBinding');
    const crb = bindings.find((o) => o.subjects[0].kind === 'ServiceAccount')!;
    expect(
      bindings
        .filter((o) => o !== crb)
        .map(
          (o) =>
            `${o.roleRef.name} ← ${o.subjects.map((x: { kind: string; name: string }) => `${x.kind}/${x.name}`).join()}`,
        )
        .sort(),
    ).toEqual([
      'admin ← Group/mooring:admin',
      'cluster-admin ← Group/mooring:cluster-admin',
      'edit ← Group/mooring:edit',
      'view ← Group/mooring:view',
    ]);
    expect(crb.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'cluster-admin',
    });
    expect(crb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'mooring-agent', namespace: 'mooring' }]);

    const dep = find(objects, 'Deployment');
    expect(dep.metadata.name).toBe('mooring-agent');
    expect(dep.spec.replicas).toBe(1);
    const pod = dep.spec.template.spec;
    expect(pod.serviceAccountName).toBe('mooring-agent');
    expect(pod.terminationGracePeriodSeconds).toBe(600);
    expect(dep.spec.template.metadata.annotations['checksum/secret']).toMatch(/^[a-f0-9]{64}$/);

    const c = container(objects);
    expect(c.image).toBe('ghcr.io/mooring/mooring-agent:0.1.0');
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.resources).toEqual({ limits: { memory: '512Mi' }, requests: { memory: '256Mi', cpu: '200m' } });
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.volumeMounts.map((m) => m.mountPath)).toEqual([
      '/tmp',
      '/home/mooring/.cache',
      '/home/mooring/.config',
    ]);
    expect(pod.volumes.map((v: { emptyDir?: unknown }) => v.emptyDir)).toEqual([{}, {}, {}]);

    const env = envMap(c.env);
    expect(env.MOORING_PLATFORM_URL?.value).toBe('https://platform.mooring.dev');
    expect(env.MOORING_LOG_LEVEL?.value).toBe('INFO');
    expect(env.MOORING_NATS_WORKER_MAX_WORKERS?.value).toBe('15');
    expect(env.MOORING_READ_WORKER_COUNT?.value).toBe('5');
    expect(env.MOORING_WRITE_WORKER_COUNT?.value).toBe('5');
    expect(env.MOORING_K8S_WATCH_ENABLED?.value).toBe('true');
    expect(env.MOORING_PUBLIC_IP_REPORTING_ENABLED?.value).toBe('false');
    expect(env.MOORING_PUBLIC_IP_LOOKUP_URL?.value).toBe('https://api.ipify.org?format=json');
    expect(env.MOORING_PUBLIC_IP_REFRESH_SECONDS?.value).toBe('3600');
    expect(env.MOORING_PUBLIC_IP_LOOKUP_TIMEOUT_SECONDS?.value).toBe('5');
    expect(env.HOME?.value).toBe('/home/mooring');
    // the agent's memory settings (bench/README.md, memory)
    expect(env.NODE_OPTIONS?.value).toBe('--max-semi-space-size=1');
    expect(env.MALLOC_ARENA_MAX?.value).toBe('2');
    expect(env.MALLOC_MMAP_THRESHOLD_?.value).toBe('131072');
    expect(env.MALLOC_TRIM_THRESHOLD_?.value).toBe('131072');
    expect(env.NODE_COMPILE_CACHE?.value).toBe('/tmp/node-compile-cache');
    expect(env.MOORING_TOKEN).toEqual({
      name: 'MOORING_TOKEN',
      valueFrom: { secretKeyRef: { name: 'mooring-agent', key: 'token' } },
    });

    const svc = find(objects, 'Service');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
    expect(svc.spec.selector).toEqual(dep.spec.selector.matchLabels);
  });

  it('keeps the token in the Secret only, never in the Deployment', async () => {
    const { text, objects } = await render(`config.token=${TOKEN}`);
    const secret = find(objects, 'Secret');
    expect(Buffer.from(secret.data.token, 'base64').toString()).toBe(TOKEN);
    expect(text).not.toContain(TOKEN);
    const b64 = Buffer.from(TOKEN).toString('base64');
    for (const o of objects.filter((x) => x.kind !== 'Secret')) {
      expect(JSON.stringify(o)).not.toContain(b64);
    }
    const c = container(objects);
    expect(JSON.stringify(c)).not.toContain(TOKEN);
    expect(c.env.filter((e) => e.value?.includes(TOKEN))).toEqual([]);
    expect(JSON.stringify(find(objects, 'Deployment').spec.template.spec)).not.toMatch(/"args"|"command"/);
  });

  it('rolls the pods when the token changes', async () => {
    const a = await render(`config.token=${TOKEN}`);
    const b = await render('config.token=another-token');
    const sum = (r: { objects: K8sObject[] }) =>
      find(r.objects, 'Deployment').spec.template.metadata.annotations['checksum/secret'];
    expect(sum(a)).not.toBe(sum(b));
  });

  it('uses an existing Secret: renders no Secret and references the given name and key', async () => {
    const { objects } = await render(
      'config.existing_secret_name=my-agent-secret',
      'config.secret_key=agent-token',
    );
    expect(objects.map((o) => o.kind)).not.toContain('Secret');
    expect(envMap(container(objects).env).MOORING_TOKEN?.valueFrom?.secretKeyRef).toEqual({
      name: 'my-agent-secret',
      key: 'agent-token',
    });
    // the existing Secret wins over a token value; the key defaults to "token"
    const both = await render('config.existing_secret_name=other', `config.token=${TOKEN}`);
    expect(both.objects.map((o) => o.kind)).not.toContain('Secret');
    expect(both.text).not.toContain(TOKEN);
    expect(envMap(container(both.objects).env).MOORING_TOKEN?.valueFrom?.secretKeyRef).toEqual({
      name: 'other',
      key: 'token',
    });
  });

  it('mounts the SOPS age key Secret read-only and names it in MOORING_SOPS_AGE_KEY_FILE', async () => {
    // off by default: no volume, no variable
    const off = await render(`config.token=${TOKEN}`);
    expect(envMap(container(off.objects).env).MOORING_SOPS_AGE_KEY_FILE).toBeUndefined();
    expect(off.text).not.toContain('sops-age-key');

    const { text, objects } = await render(
      `config.token=${TOKEN}`,
      'sops.existing_secret_name=cluster-age',
      'sops.secret_key=age.agekey',
    );
    // the chart never makes a Secret of the key
    expect(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual(['mooring-agent']);
    const pod = find(objects, 'Deployment').spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: 'sops-age-key',
      secret: {
        secretName: 'cluster-age',
        defaultMode: 0o440,
        items: [{ key: 'age.agekey', path: 'keys.txt' }],
      },
    });
    const c = container(objects);
    expect(c.volumeMounts).toContainEqual({
      name: 'sops-age-key',
      mountPath: '/etc/mooring/sops',
      readOnly: true,
    });
    // the writable volumes stay
    expect(c.volumeMounts.map((m) => m.name)).toEqual(['tmp', 'cache', 'config', 'sops-age-key']);
    expect(envMap(c.env).MOORING_SOPS_AGE_KEY_FILE).toEqual({
      name: 'MOORING_SOPS_AGE_KEY_FILE',
      value: '/etc/mooring/sops/keys.txt',
    });
    expect(text).not.toMatch(/AGE-SECRET-KEY/);

    // the key defaults to keys.txt; another folder; the mount without the writable volumes
    const other = await render(
      `config.token=${TOKEN}`,
      'sops.existing_secret_name=cluster-age',
      'sops.mount_path=/var/run/age/',
      'writable_volumes.enabled=false',
    );
    const o = container(other.objects);
    expect(o.volumeMounts).toEqual([{ name: 'sops-age-key', mountPath: '/var/run/age', readOnly: true }]);
    expect(envMap(o.env).MOORING_SOPS_AGE_KEY_FILE?.value).toBe('/var/run/age/keys.txt');
    expect(find(other.objects, 'Deployment').spec.template.spec.volumes).toEqual([
      {
        name: 'sops-age-key',
        secret: {
          secretName: 'cluster-age',
          defaultMode: 0o440,
          items: [{ key: 'keys.txt', path: 'keys.txt' }],
        },
      },
    ]);
    // a mistyped Secret name is refused by values.schema.json
    const bad = await helmFails(
      'template',
      'x',
      CHART,
      '--set',
      `config.token=${TOKEN}`,
      '--set',
      'sops.existing_secret_name=Not A Name',
    );
    expect(bad).toContain('existing_secret_name');
    await helm(
      'lint',
      '--strict',
      CHART,
      '--set',
      `config.token=${TOKEN}`,
      '--set',
      'sops.existing_secret_name=age',
    );
  });

  it('fails with a clear message when neither a token nor an existing Secret is set', async () => {
    const err = await helmFails('template', 'mooring-agent', CHART, '--namespace', 'mooring');
    expect(err).toContain('an agent token is required');
    expect(err).toContain('config.token');
    expect(err).toContain('config.existing_secret_name');
  });

  it('values.schema.json rejects an unknown log level and worker counts below 1', async () => {
    const bad = await helmFails(
      'template',
      'x',
      CHART,
      '--set',
      `config.token=${TOKEN}`,
      '--set',
      'log_level=VERBOSE',
    );
    expect(bad).toMatch(/log_level/);
    expect(bad).toMatch(/DEBUG.*INFO.*WARNING.*ERROR.*CRITICAL/);
    const zero = await helmFails(
      'template',
      'x',
      CHART,
      '--set',
      `config.token=${TOKEN}`,
      '--set',
      'read_worker_count=0',
    );
    expect(zero).toMatch(/read_worker_count/);
    const { objects } = await render(`config.token=${TOKEN}`, 'log_level=DEBUG');
    expect(envMap(container(objects).env).MOORING_LOG_LEVEL?.value).toBe('DEBUG');
  });

  it('renders a ServiceMonitor only when metrics.serviceMonitor.enabled', async () => {
    const { objects } = await render(`config.token=${TOKEN}`, 'metrics.serviceMonitor.enabled=true');
    const sm = find(objects, 'ServiceMonitor');
    expect(sm.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(sm.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    expect(sm.spec.selector.matchLabels).toEqual(find(objects, 'Service').spec.selector);
  });

  it('passes extra_env through verbatim; an entry may replace a chart variable', async () => {
    const extra = [
      { name: 'KUBERNETES_REQUEST_MAX_ATTEMPTS', value: '5' },
      { name: 'MOORING_LOG_LEVEL', value: 'DEBUG' },
      { name: 'FROM_CONFIG', valueFrom: { configMapKeyRef: { name: 'tuning', key: 'x' } } },
    ];
    const { objects } = await renderArgs([
      '--set',
      `config.token=${TOKEN}`,
      '--set-json',
      `extra_env=${JSON.stringify(extra)}`,
    ]);
    const env = container(objects).env;
    expect(env.slice(-3)).toEqual(extra);
    expect(env.filter((e) => e.name === 'MOORING_LOG_LEVEL')).toEqual([
      { name: 'MOORING_LOG_LEVEL', value: 'DEBUG' },
    ]);
    expect(env.map((e) => e.name)).toContain('MOORING_PLATFORM_URL');
  });

  it('overrides the image tag, digest and scalar values', async () => {
    const { objects } = await render(
      `config.token=${TOKEN}`,
      'image.tag=2.0.3',
      'config.platform_url=https://mooring.example.com',
      'replica_count=2',
      'nats_worker_max_workers=25',
      'public_ip.reporting_enabled=true',
      'k8s_watch.enabled=false',
      'writable_volumes.enabled=false',
    );
    const c = container(objects);
    expect(c.image).toBe('ghcr.io/mooring/mooring-agent:2.0.3');
    const env = envMap(c.env);
    expect(env.MOORING_PLATFORM_URL?.value).toBe('https://mooring.example.com');
    expect(env.MOORING_NATS_WORKER_MAX_WORKERS?.value).toBe('25');
    expect(env.MOORING_PUBLIC_IP_REPORTING_ENABLED?.value).toBe('true');
    expect(env.MOORING_K8S_WATCH_ENABLED?.value).toBe('false');
    expect(c.volumeMounts).toBeUndefined();
    expect(find(objects, 'Deployment').spec.replicas).toBe(2);
  });
});

describe('mooring-agent chart: install into the kit cluster', () => {
  const ns = testNamespace('agent-chart');
  const release = 'mooring-agent';
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    cleanup = await createNamespace(core, ns);
    // the cluster's age identities, in a Secret the operator made
    await core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: 'cluster-age' },
        stringData: { 'age.agekey': readFileSync(kit.ageKeyFile, 'utf8') },
      },
    });
  });
  afterAll(async () => {
    await helm('uninstall', release, '-n', ns, '--wait', '--timeout', '60s').catch(() => undefined);
    await cleanup?.();
  });

  it('installs with --wait=watcher and reaches deployed with the Deployment Available', async () => {
    await helm(
      'upgrade',
      '--install',
      release,
      CHART,
      '-n',
      ns,
      '--set',
      `config.token=${TOKEN}`,
      '--set',
      'image.repository=registry.invalid/mooring/dummy-agent',
      '--set',
      'sops.existing_secret_name=cluster-age',
      '--set',
      'sops.secret_key=age.agekey',
      '--wait=watcher',
      '--timeout',
      '120s',
    );
    const status = JSON.parse(await helm('status', release, '-n', ns, '-o', 'json')) as {
      info: { status: string; notes?: string };
    };
    expect(status.info.status).toBe('deployed');
    expect(status.info.notes).toContain(`kubectl get pods -n ${ns}`);
    expect(status.info.notes).not.toContain(TOKEN);

    const dep = await apps.readNamespacedDeployment({ name: release, namespace: ns });
    expect(dep.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
    expect(dep.status?.availableReplicas).toBe(1);

    const secret = await core.readNamespacedSecret({ name: release, namespace: ns });
    expect(Buffer.from(secret.data?.token ?? '', 'base64').toString()).toBe(TOKEN);
    const sa = await core.readNamespacedServiceAccount({ name: release, namespace: ns });
    expect(sa.metadata?.name).toBe(release);
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    const crb = await rbac.readClusterRoleBinding({ name: `${release}-${ns}` });
    expect(crb.roleRef.name).toBe('cluster-admin');
    expect(crb.subjects).toEqual([
      expect.objectContaining({ kind: 'ServiceAccount', name: release, namespace: ns }),
    ]);
  });

  it('the age key Secret, as the Deployment mounts it at MOORING_SOPS_AGE_KEY_FILE, decrypts what the platform encrypts', async () => {
    const dep = await apps.readNamespacedDeployment({ name: release, namespace: ns });
    const spec = dep.spec!.template.spec!;
    const agent = spec.containers[0]!;
    const file = agent.env?.find((e) => e.name === 'MOORING_SOPS_AGE_KEY_FILE')?.value;
    expect(file).toBe('/etc/mooring/sops/keys.txt');
    const mount = agent.volumeMounts?.find((m) => m.mountPath === dirname(file!));
    expect(mount).toMatchObject({ name: 'sops-age-key', readOnly: true });
    const volume = spec.volumes?.find((v) => v.name === mount!.name);
    expect(volume?.secret?.secretName).toBe('cluster-age');
    const item = volume!.secret!.items!.find((i) => i.path === basename(file!))!;
    // nothing of the key in the pod's spec or the release's notes
    expect(JSON.stringify(dep)).not.toMatch(/AGE-SECRET-KEY/);
    const status = await helm('status', release, '-n', ns, '-o', 'json');
    expect(status).not.toMatch(/AGE-SECRET-KEY/);

    // lay the volume out as the kubelet projects it and decrypt with it the way the agent does
    // (sops with SOPS_AGE_KEY_FILE and no other identity)
    const root = mkdtempSync(join(tmpdir(), 'agent-chart-age-'));
    try {
      const secret = await core.readNamespacedSecret({ name: volume!.secret!.secretName!, namespace: ns });
      const keyFile = join(root, file!);
      mkdirSync(dirname(keyFile), { recursive: true });
      writeFileSync(keyFile, Buffer.from(secret.data![item.key]!, 'base64'), {
        mode: volume!.secret!.defaultMode!,
      });
      const plain = join(root, 'values.yaml');
      writeFileSync(plain, 'auth:\n  token: s3cr3t-in-git\n');
      const { stdout: sealed } = await run(
        kit.sops,
        ['encrypt', '--age', kit.agePublicKey, '--encrypted-regex', '^token$', plain],
        { env: { PATH: process.env.PATH ?? '', HOME: root } },
      );
      expect(sealed).toMatch(/token: ENC\[AES256_GCM,/);
      writeFileSync(plain, sealed);
      const { stdout } = await run(kit.sops, ['decrypt', plain], {
        env: { PATH: process.env.PATH ?? '', HOME: root, SOPS_AGE_KEY_FILE: keyFile },
      });
      expect(stdout).toContain('token: s3cr3t-in-git');
      // without it nothing decrypts: the identity came from the mounted Secret
      await expect(
        run(kit.sops, ['decrypt', plain], { env: { PATH: process.env.PATH ?? '', HOME: root } }),
      ).rejects.toThrow();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
