import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  credentialsOf,
  ExecCredentialError,
  errorCode,
  KubeApiError,
  KubeConfig,
  LineSplitter,
  loadKubeConfig,
  parseExecCredential,
  parseKubeConfig,
  readBody,
  resourcePath,
  statusBody,
  withQuery,
} from '../src/index.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'lean-kube-'));

const KUBECONFIG = `
apiVersion: v1
kind: Config
current-context: dev
clusters:
  - name: c1
    cluster:
      server: https://10.0.0.1:6443/
      certificate-authority: ca.crt
      tls-server-name: api.internal
  - name: c2
    cluster:
      server: https://example:443
      insecure-skip-tls-verify: true
users:
  - name: u1
    user:
      client-certificate-data: Y2VydA==
      client-key-data: a2V5
  - name: u2
    user:
      token: abc
  - name: u3
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1
        command: ./bin/plugin
        args: [get, token]
        env: [{ name: A, value: b }]
        interactiveMode: Never
contexts:
  - name: dev
    context: { cluster: c1, user: u1, namespace: team }
  - name: prod
    context: { cluster: c2, user: u2 }
  - { context: { cluster: c2 } }
`;

describe('parseKubeConfig', () => {
  it('reads clusters, users and contexts, making file paths absolute against the file’s folder', () => {
    const o = parseKubeConfig(KUBECONFIG, '/etc/kube');
    expect(o.currentContext).toBe('dev');
    expect(o.clusters).toEqual([
      {
        name: 'c1',
        server: 'https://10.0.0.1:6443/',
        caFile: '/etc/kube/ca.crt',
        tlsServerName: 'api.internal',
      },
      { name: 'c2', server: 'https://example:443', skipTLSVerify: true },
    ]);
    expect(o.users[0]).toEqual({ name: 'u1', certData: 'Y2VydA==', keyData: 'a2V5' });
    expect(o.users[2]?.exec).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1',
      command: '/etc/kube/bin/plugin',
      args: ['get', 'token'],
      env: [{ name: 'A', value: 'b' }],
      interactiveMode: 'Never',
    });
    // the context without a name is skipped
    expect(o.contexts.map((c) => c.name)).toEqual(['dev', 'prod']);
    expect(o.contexts[0]).toEqual({ name: 'dev', cluster: 'c1', user: 'u1', namespace: 'team' });
  });

  it('refuses a document that is not a mapping', () => {
    expect(() => parseKubeConfig('- a\n- b\n')).toThrow(/not a kubeconfig/);
  });
});

describe('KubeConfig', () => {
  it('switches contexts and answers the current cluster, user and namespace', () => {
    const kc = new KubeConfig();
    kc.loadFromString(KUBECONFIG);
    expect(kc.getCurrentCluster()?.name).toBe('c1');
    expect(kc.getNamespace()).toBe('team');
    kc.setCurrentContext('prod');
    expect(kc.getCurrentCluster()?.server).toBe('https://example:443');
    expect(kc.getCurrentUser()?.token).toBe('abc');
    expect(kc.getNamespace()).toBe('default');
    kc.setCurrentContext('nope');
    expect(kc.getCurrentCluster()).toBeNull();
  });

  it('merges the files of $KUBECONFIG, the first one winning', () => {
    const d = dir();
    writeFileSync(
      join(d, 'a'),
      'current-context: a\nclusters: [{name: x, cluster: {server: "https://a"}}]\ncontexts: [{name: a, context: {cluster: x, user: u}}]\nusers: [{name: u, user: {token: t}}]\n',
    );
    writeFileSync(
      join(d, 'b'),
      'current-context: b\nclusters: [{name: x, cluster: {server: "https://b"}}, {name: y, cluster: {server: "https://y"}}]\ncontexts: [{name: b, context: {cluster: y, user: u}}]\n',
    );
    const kc = new KubeConfig();
    kc.loadFromDefault({ KUBECONFIG: `${join(d, 'a')}:${join(d, 'missing')}:${join(d, 'b')}` });
    expect(kc.getCurrentContext()).toBe('a');
    expect(kc.getCurrentCluster()?.server).toBe('https://a');
    expect(kc.getContexts().map((c) => c.name)).toEqual(['a', 'b']);
    expect(kc.getClusters().map((c) => c.server)).toEqual(['https://a', 'https://y']);
  });

  it('uses the pod’s service account when there is no kubeconfig, and re-reads its token after a minute', async () => {
    const d = dir();
    writeFileSync(join(d, 'token'), 'first\n');
    writeFileSync(join(d, 'ca.crt'), 'CA');
    writeFileSync(join(d, 'namespace'), 'mooring-system');
    const kc = new KubeConfig();
    kc.loadFromCluster(d, { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' });
    expect(kc.getCurrentCluster()?.server).toBe('https://[fd00::1]:443');
    expect(kc.getNamespace()).toBe('mooring-system');
    const t0 = 1_000_000;
    const c = await credentialsOf(kc, t0);
    expect(c.authorization).toBe('Bearer first');
    expect(c.ca?.toString()).toBe('CA');
    writeFileSync(join(d, 'token'), 'second\n');
    expect((await credentialsOf(kc, t0 + 30_000)).authorization).toBe('Bearer first');
    expect((await credentialsOf(kc, t0 + 61_000)).authorization).toBe('Bearer second');
  });

  it('fails with ENOENT when there is no kubeconfig at all', () => {
    const d = dir();
    expect(() => new KubeConfig().loadFromDefault({ HOME: d })).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
  });
});

describe('credentials', () => {
  it('carries client certificates, a bearer token and insecure-skip-tls-verify', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(KUBECONFIG);
    kc.setCurrentContext('dev');
    kc.clusters[0]!.caFile = undefined;
    const dev = await credentialsOf(kc);
    expect([dev.server, dev.cert?.toString(), dev.key?.toString(), dev.servername]).toEqual([
      'https://10.0.0.1:6443',
      'cert',
      'key',
      'api.internal',
    ]);
    kc.setCurrentContext('prod');
    const prod = await credentialsOf(kc);
    expect([prod.authorization, prod.rejectUnauthorized]).toEqual(['Bearer abc', false]);
  });

  it('runs an exec plugin once and uses its token until it expires', async () => {
    const d = dir();
    const count = join(d, 'count');
    writeFileSync(count, '');
    const plugin = join(d, 'plugin.mjs');
    writeFileSync(
      plugin,
      `#!/usr/bin/env node
import { appendFileSync, readFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(count)}, 'x');
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
const n = readFileSync(${JSON.stringify(count)}, 'utf8').length;
process.stdout.write(JSON.stringify({ apiVersion: info.apiVersion, kind: 'ExecCredential',
  status: { token: process.env.PREFIX + n + '-' + process.argv[2], expirationTimestamp: process.argv[3] } }));
`,
    );
    chmodSync(plugin, 0o755);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const kc = KubeConfig.from({
      clusters: [{ name: 'c', server: 'https://k' }],
      users: [
        { name: 'u', exec: { command: plugin, args: ['a', future], env: [{ name: 'PREFIX', value: 't' }] } },
      ],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    expect((await credentialsOf(kc)).authorization).toBe('Bearer t1-a');
    expect((await credentialsOf(kc)).authorization).toBe('Bearer t1-a');
    // an expired credential runs the plugin again
    const past = KubeConfig.from({
      ...kc,
      users: [
        {
          name: 'u',
          exec: {
            command: plugin,
            args: ['b', new Date(0).toISOString()],
            env: [{ name: 'PREFIX', value: 't' }],
          },
        },
      ],
    });
    expect((await credentialsOf(past)).authorization).toBe('Bearer t2-b');
    expect((await credentialsOf(past)).authorization).toBe('Bearer t3-b');
  });

  it('names the plugin when it fails', async () => {
    const kc = KubeConfig.from({
      clusters: [{ name: 'c', server: 'https://k' }],
      users: [{ name: 'u', exec: { command: '/bin/sh', args: ['-c', 'echo denied >&2; exit 3'] } }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const err = await credentialsOf(kc).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecCredentialError);
    expect((err as Error).message).toBe('exec credential plugin /bin/sh: denied');
  });

  it('reads an ExecCredential’s token, certificate and expiry', () => {
    expect(
      parseExecCredential(
        '{"kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"2030-01-01T00:00:00Z"}}',
      ),
    ).toEqual({
      token: 't',
      expiresAt: Date.parse('2030-01-01T00:00:00Z'),
    });
    expect(
      parseExecCredential(
        '{"kind":"ExecCredential","status":{"clientCertificateData":"C","clientKeyData":"K"}}',
      ),
    ).toEqual({ cert: 'C', key: 'K' });
    expect(() => parseExecCredential('nope')).toThrow(/not JSON/);
    expect(() => parseExecCredential('{"kind":"ExecCredential","status":{}}')).toThrow(/neither a token/);
  });
});

describe('paths', () => {
  it('builds resource paths for the core group, named groups, namespaces and subresources', () => {
    expect(resourcePath('v1', 'pods', 'ns', 'p', 'log')).toBe('/api/v1/namespaces/ns/pods/p/log');
    expect(resourcePath('apps/v1', 'deployments', 'ns')).toBe('/apis/apps/v1/namespaces/ns/deployments');
    expect(resourcePath('apiextensions.k8s.io/v1', 'customresourcedefinitions', undefined, 'a.b')).toBe(
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/a.b',
    );
    expect(resourcePath('v1', 'configmaps', 'a b', 'x/y')).toBe('/api/v1/namespaces/a%20b/configmaps/x%2Fy');
  });

  it('adds the defined query values', () => {
    expect(
      withQuery('/api/v1/pods', { labelSelector: 'a=b,c', limit: 500, continue: undefined, watch: true }),
    ).toBe('/api/v1/pods?labelSelector=a%3Db%2Cc&limit=500&watch=true');
    expect(withQuery('/version', {})).toBe('/version');
  });
});

describe('LineSplitter', () => {
  it('gives whole lines, keeping a partial one for the next chunk', () => {
    const s = new LineSplitter();
    expect(s.push('{"a":1}\n{"b"')).toEqual(['{"a":1}']);
    expect(s.push(':2}\n\n{"c":')).toEqual(['{"b":2}']);
    expect(s.push('3}')).toEqual([]);
    expect(s.end()).toEqual(['{"c":3}']);
    expect(s.end()).toEqual([]);
  });
});

describe('errors', () => {
  it('carries the HTTP code and the Status', () => {
    const status = statusBody(
      '{"kind":"Status","reason":"NotFound","message":"configmaps \\"x\\" not found","code":404}',
    );
    const e = new KubeApiError('GET', '/api/v1/namespaces/a/configmaps/x', 404, status);
    expect(e.code).toBe(404);
    expect(e.reason).toBe('NotFound');
    expect(e.message).toBe('GET /api/v1/namespaces/a/configmaps/x: HTTP 404: configmaps "x" not found');
    expect(errorCode(e)).toBe(404);
    expect(errorCode(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    const text = new KubeApiError('GET', '/x', 502, statusBody('bad gateway\nmore'));
    expect([text.body, text.reason, text.message]).toEqual([
      'bad gateway\nmore',
      undefined,
      'GET /x: HTTP 502: bad gateway',
    ]);
  });
});

describe('loadKubeConfig', () => {
  it('says in one line why a kubeconfig cannot be used', () => {
    const d = dir();
    const garbage = join(d, 'garbage');
    writeFileSync(garbage, 'this: is: [not a kubeconfig\n\x00\x01');
    expect(() => loadKubeConfig({ kubeconfig: garbage })).toThrow(
      new RegExp(`^cannot load kubeconfig ${garbage}: not a kubeconfig: .+$`),
    );
    expect(() => loadKubeConfig({ kubeconfig: join(d, 'missing') })).toThrow(
      `cannot load kubeconfig ${join(d, 'missing')}: no such file`,
    );
    const ok = join(d, 'ok');
    writeFileSync(ok, KUBECONFIG);
    expect(() => loadKubeConfig({ kubeconfig: ok, context: 'staging' })).toThrow(
      `kubeconfig ${ok} has no context staging (it has: dev, prod)`,
    );
    expect(loadKubeConfig({ kubeconfig: ok, context: 'prod', http2: true })).toMatchObject({
      currentContext: 'prod',
      http2: true,
    });
    const empty = join(d, 'empty');
    writeFileSync(empty, 'apiVersion: v1\nkind: Config\n');
    expect(() => loadKubeConfig({ kubeconfig: empty })).toThrow(/names no cluster/);
  });
});

describe('readBody', () => {
  it('reads the whole answer and leaves no listener of its own on it (a pooled socket keeps its first answer)', async () => {
    const { createServer, get } = await import('node:http');
    const srv = createServer((_q, r) => r.end('x'.repeat(100_000)));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as import('node:net').AddressInfo).port;
    try {
      const res = await new Promise<import('node:http').IncomingMessage>((r) =>
        get(`http://127.0.0.1:${port}/`, r),
      );
      const counts = () => ['data', 'end', 'error', 'aborted'].map((e) => res.listenerCount(e));
      const before = counts();
      const text = await readBody(res);
      expect(text.length).toBe(100_000);
      // only a no-op 'error' listener is added, so a late error is not an unhandled event
      expect(counts()).toEqual([before[0], before[1], before[2]! + 1, before[3]]);
    } finally {
      srv.close();
    }
  });
});
