import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type GitServer, startGitServer } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { WorkClone } from '../../gitops/test/gitFixtures.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { type RunningPlatform, startPlatform } from '../src/platform.ts';

// POST /clusters/:id/addons/:name/values/encrypt: the add-on's values with chosen keys encrypted
// by the real sops for the age recipients of the repository's `.sops.yaml` (a real Git server),
// the other keys readable; what the kit's age key decrypts back; nothing stored; refusals.

const kit = inject('kit');
const run = promisify(execFile);

let work: string;
let git: GitServer;
let url: string;
let clone: WorkClone;
let platform: RunningPlatform;
let baseUrl: string;
let adminToken: string;
let clusterId: string;
const name = `enc-${Date.now().toString(36)}`;
const dir = `clusters/${name}`;
const path = `${dir}/cluster.yaml`;
const SECRET = 'correct-horse-battery';
const OLD_SECRET = 'old-token-3141';

const clusterFile = () => `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
spec:
  git_repository:
    provider: git
    repository: ${url}
    branch: main
  stacks:
    - name: web
      addons:
        - name: shop
          chart_name: podinfo
          chart_version: "6.0.0"
          repository_url: https://charts.example.com
          namespace: shop
          encrypted_paths:
            - api.token
          configuration:
            values: |
              replicaCount: 2
              auth:
                user: alice
                password: ${SECRET}
              api:
                token: ${OLD_SECRET}
        - name: plain
          chart_name: podinfo
          chart_version: "6.0.0"
          repository_url: https://charts.example.com
          namespace: plain
          configuration:
            values: |
              replicaCount: 1
`;

async function api<T = Record<string, unknown>>(
  method: string,
  p: string,
  body?: unknown,
  token = adminToken,
) {
  const res = await fetch(`${baseUrl}/api/v1${p}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, text };
}

interface Encrypted {
  file: string;
  text: string;
  encrypted_paths: string[];
  chosen: string[];
  recipients: string[];
  commit: string;
}

const encrypt = (addon: string, paths: string[]) =>
  api<Encrypted>('POST', `/clusters/${clusterId}/addons/${addon}/values/encrypt`, { paths });

beforeAll(async () => {
  // the platform encrypts with the kit's sops (on PATH, as in production)
  process.env.PATH = `${dirname(kit.sops)}:${process.env.PATH ?? ''}`;
  work = mkdtempSync(join(tmpdir(), 'mooring-values-encrypt-'));
  git = await startGitServer(join(work, 'git'));
  url = git.createRepo('acme/encrypt');
  clone = new WorkClone(url);
  clone.commit(
    {
      [path]: clusterFile(),
      '.sops.yaml': `creation_rules:\n  - path_regex: ^clusters/.*\\.yaml$\n    age: ${kit.agePublicKey}\n`,
    },
    'the cluster',
  );
  await clone.push();
  platform = await startPlatform({
    config: loadConfig({
      MOORING_DATA_DIR: join(work, 'platform'),
      MOORING_PORT: '0',
      MOORING_LOG_LEVEL: 'silent',
      MOORING_GIT_POLL_SECONDS: '3600',
      MOORING_SWEEP_INTERVAL_SECONDS: '3600',
    }),
    logger: createLogger('silent'),
    print: () => {},
  });
  baseUrl = platform.address!.replace('[::1]', '127.0.0.1');
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: platform.firstCredentials!.username,
      password: platform.firstCredentials!.password,
    }),
  });
  adminToken = ((await login.json()) as { token: string }).token;
  const imported = await api<{ cluster: { id: string } }>('POST', '/clusters', {
    definition: clusterFile(),
    path,
  });
  expect(imported.status, imported.text).toBe(201);
  clusterId = imported.body.cluster.id;
}, 120_000);

afterAll(async () => {
  await platform?.close();
  await git?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('values encryption preview (real sops, real Git server)', () => {
  it('encrypts the chosen key (and the add-on’s encrypted_paths) for .sops.yaml’s recipient; other keys stay readable', async () => {
    const r = await encrypt('shop', ['auth.password']);
    expect(r.status, r.text).toBe(200);
    expect(r.body.chosen).toEqual(['auth.password']);
    expect(r.body.recipients).toEqual([kit.agePublicKey]);
    expect(r.body.encrypted_paths.sort()).toEqual(['api.token', 'auth.password']);
    // inline values move to a file of their own, as a draft does: that file is what sops encrypts
    expect(r.body.file).toMatch(/^clusters\/.+\.yaml$/);
    expect(r.body.file).not.toBe(path);
    expect(r.body.commit).toMatch(/^[0-9a-f]{40}$/);
    // neither secret is anywhere in the answer
    expect(r.text).not.toContain(SECRET);
    expect(r.text).not.toContain(OLD_SECRET);
    const doc = parseYaml(r.body.text) as {
      replicaCount: number;
      auth: { user: string; password: string };
      api: { token: string };
      sops: { age: { recipient: string }[] };
    };
    expect(doc.replicaCount).toBe(2);
    expect(doc.auth.user).toBe('alice');
    expect(doc.auth.password).toMatch(/^ENC\[AES256_GCM,data:.+,type:str\]$/);
    expect(doc.api.token).toMatch(/^ENC\[AES256_GCM,/);
    expect(doc.sops.age.map((a) => a.recipient)).toEqual([kit.agePublicKey]);
    // real ciphertext: the kit's age key decrypts it back
    const f = join(work, 'preview.yaml');
    writeFileSync(f, r.body.text);
    const { stdout } = await run(kit.sops, ['decrypt', f], { env: { ...process.env, ...kit.env } });
    const plain = parseYaml(stdout) as { auth: { password: string }; api: { token: string } };
    expect(plain.auth.password).toBe(SECRET);
    expect(plain.api.token).toBe(OLD_SECRET);
  });

  it('stores nothing: no draft, the detail still masks only the definition’s encrypted paths', async () => {
    expect((await api<{ items: unknown[] }>('GET', `/clusters/${clusterId}/drafts`)).body.items).toEqual([]);
    const d = await api<{ values: { auth: { password: string } }; encrypted_paths: string[] }>(
      'GET',
      `/clusters/${clusterId}/addons/shop`,
    );
    expect(d.body.encrypted_paths).toEqual(['api.token']);
    expect(d.body.values.auth.password).toBe(SECRET);
  });

  it('refuses a key the values do not have (400), one already encrypted (409), an unknown add-on (404), a viewer (403)', async () => {
    const missing = await encrypt('shop', ['auth.pin']);
    expect(missing.status, missing.text).toBe(400);
    expect(missing.text).toContain('auth.pin');
    const again = await encrypt('shop', ['api.token']);
    expect(again.status, again.text).toBe(409);
    expect(again.text).toContain('already encrypted');
    expect((await encrypt('nope', ['a'])).status).toBe(404);
    expect(
      (await api('POST', `/clusters/${clusterId}/addons/shop/values/encrypt`, { paths: [] })).status,
    ).toBe(400);
    const user = await api<{ password?: string }>('POST', '/users', {
      username: `viewer-${name}`,
      role: 'viewer',
      password: 'viewer-password-123',
    });
    expect(user.status, user.text).toBe(201);
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `viewer-${name}`, password: 'viewer-password-123' }),
    });
    const viewer = ((await login.json()) as { token: string }).token;
    const denied = await api(
      'POST',
      `/clusters/${clusterId}/addons/shop/values/encrypt`,
      {
        paths: ['auth.password'],
      },
      viewer,
    );
    expect(denied.status, denied.text).toBe(403);
  });

  it('says so when .sops.yaml names no recipient for the values file (409)', async () => {
    const r = await encrypt('plain', ['replicaCount']);
    // the rule matches clusters/**.yaml: `plain` is covered too, so it encrypts
    expect(r.status, r.text).toBe(200);
    clone.commit(
      { '.sops.yaml': `creation_rules:\n  - path_regex: ^other/.*\n    age: ${kit.agePublicKey}\n` },
      'narrow',
    );
    await clone.push();
    const refused = await encrypt('plain', ['replicaCount']);
    expect(refused.status, refused.text).toBe(409);
    expect(refused.text).toContain('.sops.yaml names no age recipient');
  });
});
