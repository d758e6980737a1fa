// kubectl and Helm through the platform: a platform in this process with the
// real agent connected on its in-process bus, against the kit's cluster. Each
// user gets a kubeconfig from `mooring cluster kubeconfig` whose exec plugin
// is `mooring cluster kube-token`; the agent acts as the user by impersonation,
// so the cluster's RBAC decides.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import {
  appendLogLines,
  createNamespace,
  eventually,
  kitClients,
  serveAttach,
  servePodLogs,
  testNamespace,
} from '@mooring/testkit';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startEmbeddedAgent } from '../src/embedded/agent.ts';
import { mooring, startTestPlatform, type TestPlatform } from './support/platform.ts';

const kit = inject('kit');
const { kc, core } = kitClients(kit);
const ns = testNamespace('kube-proxy');
const work = mkdtempSync(join(tmpdir(), 'mooring-kube-proxy-'));
const CLUSTER = `kp-${ns.slice(-6)}`;
const BINDINGS = [`mooring-test-view-${ns}`];

let p: TestPlatform;
let tls: TlsServer;
/** The platform behind TLS, as kubectl needs: it sends no credentials to a plain-HTTP server. */
let httpsUrl: string;
let stopAgent: (() => Promise<void>) | undefined;
let dropNamespace: (() => Promise<void>) | undefined;
let ownerToken: string;
let clusterId: string;

interface Ran {
  code: number;
  out: string;
  err: string;
}

/** Runs a kit program (kubectl, helm) with a user's kubeconfig and home. */
function run(user: string, cmd: 'kubectl' | 'helm', args: string[], kubeconfig?: string): Promise<Ran> {
  const home = join(work, user);
  return new Promise((resolve) => {
    execFile(
      join(kit.binDir, cmd),
      args,
      {
        env: {
          PATH: `${kit.binDir}:${process.env.PATH}`,
          HOME: home,
          XDG_CONFIG_HOME: join(home, '.config'),
          KUBECONFIG: kubeconfig ?? join(home, 'kubeconfig'),
          HELM_CACHE_HOME: join(home, 'helm', 'cache'),
          HELM_CONFIG_HOME: join(home, 'helm', 'config'),
          HELM_DATA_HOME: join(home, 'helm', 'data'),
        },
        timeout: 60_000,
      },
      (err, out, errOut) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out, err: errOut }),
    );
  });
}

const admin = (args: string[]) => run('admin', 'kubectl', args, kit.kubeconfig!);

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${p.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ownerToken}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A platform user with a kubeconfig from `mooring cluster kubeconfig`; optionally a grant. */
async function user(name: string, grant?: { role: string; namespace?: string }): Promise<void> {
  const home = join(work, name);
  mkdirSync(home, { recursive: true });
  const password = `pw-${name}-0123456789`;
  const u = await api<{ id: string }>('POST', '/users', { username: name, password, role: 'viewer' });
  if (grant) await api('PUT', `/clusters/${clusterId}/grants/${u.id}`, grant);
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
  const login = await mooring(['login', p.url, '--username', name, '--password-stdin'], {
    cwd: home,
    env,
    stdin: password,
  });
  expect(login.code, login.err).toBe(0);
  const kc = await mooring(
    [
      'cluster',
      'kubeconfig',
      CLUSTER,
      '-f',
      'kubeconfig',
      '--server',
      httpsUrl,
      '--certificate-authority',
      join(work, 'tls.crt'),
    ],
    { cwd: home, env },
  );
  expect(kc.code, kc.err).toBe(0);
}

beforeAll(async () => {
  dropNamespace = await createNamespace(core, ns);
  p = await startTestPlatform();
  // a TLS front for the platform, with a certificate for 127.0.0.1
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-days',
      '1',
      '-keyout',
      'tls.key',
      '-out',
      'tls.crt',
    ],
    { cwd: work, stdio: 'ignore' },
  );
  const target = new URL(p.url);
  tls = createTlsServer(
    { cert: readFileSync(join(work, 'tls.crt')), key: readFileSync(join(work, 'tls.key')) },
    (s) => {
      const up = tcpConnect(Number(target.port), target.hostname);
      s.pipe(up).pipe(s);
      s.on('error', () => up.destroy());
      up.on('error', () => s.destroy());
    },
  );
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
  httpsUrl = `https://127.0.0.1:${(tls.address() as { port: number }).port}`;
  const login = await fetch(`${p.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: p.username, password: p.password }),
  });
  ownerToken = ((await login.json()) as { token: string }).token;
  const imported = await api<{ cluster: { id: string }; agent_token: string }>('POST', '/clusters', {
    definition: `apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: ${CLUSTER}\nspec:\n  stacks: []\n`,
  });
  clusterId = imported.cluster.id;
  const session = await startEmbeddedAgent({
    platform: p.platform,
    platformUrl: p.url,
    clusterId,
    token: imported.agent_token,
    kubeconfig: kit.kubeconfig!,
    helm: kit.helm,
    chartCache: join(work, 'charts'),
    mirrors: [],
    reconcileIntervalSeconds: 3600,
    logger: pino({ level: 'silent' }),
  });
  stopAgent = () => session.stop();
  await eventually(
    'the agent online',
    async () => (await api<{ state: string }>('GET', `/clusters/${clusterId}`)).state === 'online',
  );
  // the cluster's RBAC for Mooring's groups (the agent's chart binds the cluster-wide ones)
  const view = await admin([
    'create',
    'clusterrolebinding',
    BINDINGS[0]!,
    '--clusterrole=view',
    '--group=mooring:view',
  ]);
  expect(view.code, view.err).toBe(0);
  const edit = await admin([
    'create',
    'rolebinding',
    'mooring-edit',
    '-n',
    ns,
    '--clusterrole=edit',
    `--group=mooring:namespace:${ns}:edit`,
  ]);
  expect(edit.code, edit.err).toBe(0);
  await user('alice', { role: 'view' });
  await user('bob');
  await user('carol', { role: 'edit', namespace: ns });
}, 180_000);

afterAll(async () => {
  for (const b of BINDINGS) await admin(['delete', 'clusterrolebinding', b, '--ignore-not-found']);
  await stopAgent?.();
  tls?.close();
  await p?.close();
  await dropNamespace?.();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('kubectl through the platform', () => {
  it('a view grant reads the cluster and is refused a write by the cluster’s RBAC', async () => {
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'seen' }, data: { a: '1' } },
    });
    const get = await run('alice', 'kubectl', ['get', 'configmaps', '-n', ns, '-o', 'name']);
    expect(get.code, get.err).toBe(0);
    expect(get.out).toContain('configmap/seen');
    const namespaces = await run('alice', 'kubectl', ['get', 'namespaces', '-o', 'name']);
    expect(namespaces.code, namespaces.err).toBe(0);
    expect(namespaces.out).toContain(`namespace/${ns}`);
    const write = await run('alice', 'kubectl', ['create', 'configmap', 'nope', '-n', ns]);
    expect(write.code).toBe(1);
    expect(write.err).toContain(
      'configmaps is forbidden: User "mooring:alice" cannot create resource "configmaps"',
    );
    // three kubectl processes, one token: kube-token keeps it between runs (0600, under ~/.cache)
    const login = JSON.parse(readFileSync(join(work, 'alice', '.config', 'mooring', 'config.json'), 'utf8'));
    const mine = await fetch(`${p.url}/api/v1/tokens?page_size=100`, {
      headers: { authorization: `Bearer ${login.token}` },
    });
    const kube = ((await mine.json()) as { items: { name: string }[] }).items.filter((t) =>
      t.name.startsWith('kube:'),
    );
    expect(kube).toHaveLength(1);
    const kept = join(work, 'alice', '.cache', 'mooring', 'kube-tokens');
    const files = readdirSync(kept);
    expect(files).toHaveLength(1);
    expect(statSync(join(kept, files[0]!)).mode & 0o777).toBe(0o600);
  }, 60_000);

  it('a user without a grant gets Forbidden', async () => {
    const r = await run('bob', 'kubectl', ['get', 'pods', '-n', ns]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Error from server (Forbidden)');
    expect(r.err).toContain('user "mooring:bob" has no access to cluster');
  }, 60_000);

  it('a namespace grant writes in its namespace only', async () => {
    const mine = await run('carol', 'kubectl', [
      'create',
      'configmap',
      'mine',
      '-n',
      ns,
      '--from-literal=k=v',
    ]);
    expect(mine.code, mine.err).toBe(0);
    expect((await core.readNamespacedConfigMap({ name: 'mine', namespace: ns })).data).toEqual({ k: 'v' });
    const elsewhere = await run('carol', 'kubectl', ['get', 'configmaps', '-n', 'default']);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.err).toContain('User "mooring:carol" cannot list resource "configmaps"');
  }, 60_000);

  it('kubectl get pods -w receives the event of a new pod', async () => {
    const home = join(work, 'alice');
    const watch: ChildProcess = spawn(
      join(kit.binDir, 'kubectl'),
      ['get', 'pods', '-n', ns, '-w', '-o', 'name'],
      {
        env: {
          PATH: `${kit.binDir}:${process.env.PATH}`,
          HOME: home,
          XDG_CONFIG_HOME: join(home, '.config'),
          KUBECONFIG: join(home, 'kubeconfig'),
        },
      },
    );
    let out = '';
    let errOut = '';
    watch.stdout!.on('data', (d) => {
      out += String(d);
    });
    watch.stderr!.on('data', (d) => {
      errOut += String(d);
    });
    try {
      // the watch is open once kubectl said there is nothing yet, or after a moment
      await new Promise((r) => setTimeout(r, 4000));
      expect(watch.exitCode, errOut).toBeNull();
      await core.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name: 'watched' },
          spec: { containers: [{ name: 'c', image: 'registry.example.test/none:1' }] },
        },
      });
      await eventually('the pod event through the platform', async () => out.includes('pod/watched'), 20_000);
    } finally {
      watch.kill('SIGTERM');
    }
  }, 60_000);
});

describe('kubectl logs -f through the platform', () => {
  it('follows a fake pod’s log (kwok serves it from a file): every line, in order', async () => {
    const file = join(work, 'followed.log');
    writeFileSync(file, '');
    appendLogLines(file, ['first']);
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'logged' },
        spec: { containers: [{ name: 'c', image: 'registry.example.test/none:1' }] },
      },
    });
    await servePodLogs(kc, { namespace: ns, pod: 'logged', logs: [{ containers: ['c'], file }] });
    await eventually(
      'pod logged running',
      async () =>
        (await core.readNamespacedPod({ name: 'logged', namespace: ns })).status?.phase === 'Running',
      30_000,
    );
    const home = join(work, 'alice');
    const follow: ChildProcess = spawn(join(kit.binDir, 'kubectl'), ['logs', '-f', '-n', ns, 'logged'], {
      env: {
        PATH: `${kit.binDir}:${process.env.PATH}`,
        HOME: home,
        XDG_CONFIG_HOME: join(home, '.config'),
        KUBECONFIG: join(home, 'kubeconfig'),
      },
    });
    let out = '';
    let errOut = '';
    follow.stdout!.on('data', (d) => {
      out += String(d);
    });
    follow.stderr!.on('data', (d) => {
      errOut += String(d);
    });
    try {
      await eventually('the first line', async () => out.includes('first\n') || undefined, 30_000);
      const want = Array.from({ length: 100 }, (_, i) => `next ${i}`);
      for (let i = 0; i < want.length; i += 25) {
        appendLogLines(file, want.slice(i, i + 25));
        await new Promise((r) => setTimeout(r, 50));
      }
      await expect
        .poll(() => out.split('\n').filter((l) => l.startsWith('next ')), { timeout: 20_000 })
        .toEqual(want);
      expect(follow.exitCode, errOut).toBeNull();
    } finally {
      follow.kill('SIGTERM');
    }
  }, 90_000);
});

describe('kubectl exec through the platform', () => {
  // kwok runs a fake pod's exec on this machine (the kit's ClusterExec), through its kubelet API
  const runningPod = async (name: string) => {
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name },
        spec: { containers: [{ name: 'c', image: 'registry.example.test/none:1' }] },
      },
    });
    await eventually(
      `pod ${name} running`,
      async () => (await core.readNamespacedPod({ name, namespace: ns })).status?.phase === 'Running',
      30_000,
    );
  };

  it('runs a command in a pod over WebSocket, stdin included, for an edit grant', async () => {
    await runningPod('shell');
    const hi = await run('carol', 'kubectl', ['exec', 'shell', '-n', ns, '--', 'echo', 'hi']);
    expect(hi.code, hi.err).toBe(0);
    expect(hi.out).toBe('hi\n');
    const failed = await run('carol', 'kubectl', [
      'exec',
      'shell',
      '-n',
      ns,
      '--',
      'sh',
      '-c',
      'echo oops >&2; exit 3',
    ]);
    expect(failed.err).toContain('oops');
    // the exit status travels as the API server (kwok) reports it: the same as without Mooring
    const direct = await admin(['exec', 'shell', '-n', ns, '--', 'sh', '-c', 'echo oops >&2; exit 3']);
    expect(direct.code).not.toBe(0);
    expect(failed.code).toBe(direct.code);
    const stdin = await new Promise<Ran>((resolve) => {
      const home = join(work, 'carol');
      const child = execFile(
        join(kit.binDir, 'kubectl'),
        ['exec', '-i', 'shell', '-n', ns, '--', 'sh', '-c', 'read line; echo "got:$line"'],
        {
          env: {
            PATH: `${kit.binDir}:${process.env.PATH}`,
            HOME: home,
            KUBECONFIG: join(home, 'kubeconfig'),
          },
          timeout: 60_000,
        },
        (err, out, errOut) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out, err: errOut }),
      );
      child.stdin!.write('from-stdin\n');
    });
    expect(stdin.code, stdin.err).toBe(0);
    expect(stdin.out).toBe('got:from-stdin\n');
  }, 90_000);

  it('forwards a port of a pod (kubectl port-forward) for an edit grant', async () => {
    await runningPod('forwarded');
    const home = join(work, 'carol');
    const pf: ChildProcess = spawn(
      join(kit.binDir, 'kubectl'),
      ['port-forward', '-n', ns, 'pod/forwarded', ':8080'],
      {
        env: { PATH: `${kit.binDir}:${process.env.PATH}`, HOME: home, KUBECONFIG: join(home, 'kubeconfig') },
      },
    );
    let out = '';
    let errOut = '';
    pf.stdout!.on('data', (d) => {
      out += String(d);
    });
    pf.stderr!.on('data', (d) => {
      errOut += String(d);
    });
    try {
      await eventually('kubectl listening', async () => /Forwarding from 127\.0\.0\.1:\d+/.test(out), 30_000);
      const local = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)![1]);
      // kwok forwards every pod port to an echo: what goes in comes back through both tunnels
      const echoed = await new Promise<string>((resolve, reject) => {
        const sock = tcpConnect(local, '127.0.0.1', () => sock.write('ping through mooring\n'));
        let got = '';
        sock.on('data', (d) => {
          got += String(d);
          if (got.includes('\n')) {
            sock.end();
            resolve(got);
          }
        });
        sock.on('error', reject);
        setTimeout(() => reject(new Error(`no echo; kubectl said: ${out} ${errOut}`)), 20_000);
      });
      expect(echoed).toBe('ping through mooring\n');
    } finally {
      pf.kill('SIGTERM');
    }
  }, 90_000);

  it('attaches to a pod (kubectl attach) for an edit grant: the container’s output streams through', async () => {
    await runningPod('attached');
    // kwok streams what is appended to this file from the moment of the attach (its Attach resource)
    const file = join(work, 'attached.log');
    writeFileSync(file, '');
    await serveAttach(kc, { namespace: ns, pod: 'attached', file });
    const home = join(work, 'carol');
    let out = '';
    let errOut = '';
    let attach: ChildProcess | undefined;
    const start = () => {
      out = '';
      errOut = '';
      attach = spawn(join(kit.binDir, 'kubectl'), ['attach', 'attached', '-n', ns, '-c', 'c'], {
        env: { PATH: `${kit.binDir}:${process.env.PATH}`, HOME: home, KUBECONFIG: join(home, 'kubeconfig') },
      });
      attach.stdout!.on('data', (d) => {
        out += String(d);
      });
      attach.stderr!.on('data', (d) => {
        errOut += String(d);
      });
    };
    try {
      start();
      // the attach is open once a line written after it comes through (kwok picks up a new Attach
      // resource within moments: an attach that ended before that is started again)
      let tick = 0;
      await eventually(
        'a first line through the attach',
        async () => {
          if (attach!.exitCode !== null) start();
          appendLogLines(file, [`tick ${tick++}`]);
          await new Promise((r) => setTimeout(r, 200));
          return /^tick \d+$/m.test(out);
        },
        30_000,
      );
      const want = Array.from({ length: 60 }, (_, i) => `line ${i}`);
      for (let i = 0; i < want.length; i += 20) {
        appendLogLines(file, want.slice(i, i + 20));
        await new Promise((r) => setTimeout(r, 50));
      }
      await expect
        .poll(() => out.split('\n').filter((l) => l.startsWith('line ')), { timeout: 20_000 })
        .toEqual(want);
      expect(attach!.exitCode, errOut).toBeNull();
    } finally {
      attach?.kill('SIGTERM');
    }
    // attaching is pods/attach create: a view grant is refused by the cluster's RBAC
    const view = await run('alice', 'kubectl', ['attach', 'attached', '-n', ns, '-c', 'c']);
    expect(view.code).toBe(1);
    expect(view.out).toBe('');
    expect(view.err).toContain('User "mooring:alice" cannot create resource "pods/attach"');
  }, 90_000);

  it('refuses exec to a view grant (pods/exec create, decided by the cluster’s RBAC) and to no grant', async () => {
    await runningPod('guarded');
    const view = await run('alice', 'kubectl', ['exec', 'guarded', '-n', ns, '--', 'echo', 'hi']);
    expect(view.code).toBe(1);
    expect(view.out).toBe('');
    expect(view.err).toContain('User "mooring:alice" cannot create resource "pods/exec"');
    const none = await run('bob', 'kubectl', ['exec', 'guarded', '-n', ns, '--', 'echo', 'hi']);
    expect(none.code).toBe(1);
    expect(none.out).toBe('');
    expect(none.err).toContain('has no access to cluster');
  }, 90_000);
});

describe('helm through the platform', () => {
  it('installs, upgrades, lists and shows history with a namespace grant', async () => {
    const chart = join(work, 'chart');
    mkdirSync(join(chart, 'templates'), { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: proxied\nversion: 0.1.0\n');
    writeFileSync(
      join(chart, 'templates', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: proxied\ndata:\n  v: {{ .Values.v | default "1" | quote }}\n',
    );
    const install = await run('carol', 'helm', ['install', 'proxied', chart, '-n', ns]);
    expect(install.code, install.err).toBe(0);
    const upgrade = await run('carol', 'helm', ['upgrade', 'proxied', chart, '-n', ns, '--set', 'v=2']);
    expect(upgrade.code, upgrade.err).toBe(0);
    const list = await run('carol', 'helm', ['list', '-n', ns, '-o', 'json']);
    expect(list.code, list.err).toBe(0);
    expect(
      JSON.parse(list.out).map((r: { name: string; revision: string; status: string }) => [
        r.name,
        r.revision,
        r.status,
      ]),
    ).toEqual([['proxied', '2', 'deployed']]);
    const history = await run('carol', 'helm', ['history', 'proxied', '-n', ns, '-o', 'json']);
    expect(history.code, history.err).toBe(0);
    expect(
      JSON.parse(history.out).map((r: { revision: number; status: string }) => [r.revision, r.status]),
    ).toEqual([
      [1, 'superseded'],
      [2, 'deployed'],
    ]);
    // the same release, read directly: it really is in the cluster
    expect((await core.readNamespacedConfigMap({ name: 'proxied', namespace: ns })).data).toEqual({ v: '2' });
    const denied = await run('bob', 'helm', ['list', '-n', ns]);
    expect(denied.code).toBe(1);
    expect(denied.err).toContain('user "mooring:bob" has no access to cluster');
  }, 120_000);
});
