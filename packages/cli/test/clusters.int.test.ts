import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mooring, startTestPlatform, type TestPlatform } from './support/platform.ts';

let p: TestPlatform;
let cwd: string;
let token: string;

const cluster = (name: string) => `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
  description: imported by the CLI
spec:
  helm_registries:
    - name: podinfo
      url: https://stefanprodan.github.io/podinfo
  stacks:
    - name: base
      manifests:
        - name: ns
          from_file: manifests/ns.yaml
      addons:
        - name: podinfo
          chart_name: podinfo
          chart_version: "6.7.1"
          registry_name: podinfo
          namespace: apps
          parents:
            - manifest: ns
`;

const BROKEN = `apiVersion: v1
kind: ImportCluster
metadata:
  name: broken
spec:
  stacks:
    - name: base
      addons:
        - name: podinfo
          chart_name: podinfo
          chart_version: 6.7
          repository_url: https://stefanprodan.github.io/podinfo
          namespcae: apps
`;

beforeAll(async () => {
  p = await startTestPlatform();
  cwd = mkdtempSync(join(tmpdir(), 'mooring-cli-clusters-'));
  mkdirSync(join(cwd, 'defs', 'manifests'), { recursive: true });
  writeFileSync(join(cwd, 'defs', 'one.yaml'), cluster('one'));
  writeFileSync(join(cwd, 'defs', 'two.yaml'), cluster('two'));
  writeFileSync(
    join(cwd, 'defs', 'manifests', 'ns.yaml'),
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n',
  );
  writeFileSync(join(cwd, 'defs', 'broken.yaml'), BROKEN);
  const r = await mooring(['login', p.url, '--username', p.username, '--password-stdin'], {
    cwd,
    stdin: p.password,
  });
  expect(r.code).toBe(0);
  token = JSON.parse(readFileSync(join(cwd, '.config', 'mooring', 'config.json'), 'utf8')).token;
});
afterAll(async () => {
  await p?.close();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe('mooring cluster against a real platform', () => {
  let oneId: string;
  let installCommand: string;

  it('import sends the definition and the files it reads; prints the install command once', async () => {
    const r = await mooring(['cluster', 'import', '-f', 'defs/one.yaml'], { cwd });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const m =
      /^imported cluster one \(id ([^)]+)\)\n\n.*shown only now:\n\n {2}(helm upgrade --install .+)\n$/s.exec(
        r.out,
      );
    expect(m, r.out).not.toBeNull();
    oneId = m![1]!;
    installCommand = m![2]!;
    expect(installCommand).toContain('https://mooring.example.test');
    expect(p.logs()).not.toContain(installCommand);
    // the platform stored the manifest read through from_file
    const def = await fetch(`${p.url}/api/v1/clusters/${oneId}/definition`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((x) => x.json());
    expect(def.path).toBe('one.yaml');
    expect(Object.keys(def.files).sort()).toEqual(['manifests/ns.yaml', 'one.yaml']);

    const json = await mooring(['cluster', 'import', '-f', 'defs/two.yaml', '-o', 'json'], { cwd });
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.out);
    expect(doc.cluster.name).toBe('two');
    expect(doc.install_command).toContain(doc.agent_token);
  });

  it('the same name again is a conflict (6)', async () => {
    const r = await mooring(['cluster', 'import', '-f', 'defs/one.yaml'], { cwd });
    expect(r.code).toBe(6);
    expect(r.err).toMatch(/^mooring cluster import: .+ \(HTTP 409\)\n$/);
  });

  it('an invalid definition prints the platform’s diagnostics like validate, exit 6; nothing is stored', async () => {
    const r = await mooring(['cluster', 'import', '-f', 'defs/broken.yaml'], { cwd });
    expect(r.code).toBe(6);
    expect(r.out).toBe('');
    const lines = r.err.split('\n');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^defs\/broken\.yaml:11:26: error: .+ \[spec\.stacks\[0\]\.addons\[0\]\.chart_version\]$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^defs\/broken\.yaml:13:11: error: .+ \[spec\.stacks\[0\]\.addons\[0\]\.namespcae\]$/,
      ),
    );
    expect(r.err).toMatch(/defs\/broken\.yaml: \d+ errors?, \d+ warnings?; nothing imported\n$/);
    const json = await mooring(['cluster', 'import', '-f', 'defs/broken.yaml', '-o', 'json'], { cwd });
    expect(json.code).toBe(6);
    const err = JSON.parse(json.out).error;
    expect(err).toMatchObject({ status: 422, code: 'invalid_definition' });
    expect(err.diagnostics.length).toBeGreaterThanOrEqual(2);
    const list = JSON.parse((await mooring(['cluster', 'list', '-o', 'json'], { cwd })).out);
    expect(list.map((c: { name: string }) => c.name)).toEqual(['one', 'two']);
  });

  it('list: an aligned table, json and yaml', async () => {
    const r = await mooring(['cluster', 'list'], { cwd });
    expect(r.code).toBe(0);
    const [head, ...rows] = r.out.trimEnd().split('\n');
    expect(head).toMatch(/^NAME +ID +STATE +NODES +KUBERNETES +AGENT +REGION +LAST CHECK-IN$/);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(new RegExp(`^one +${oneId} +offline +- +- +- +- +-$`));
    expect(head!.indexOf('STATE')).toBe(rows[1]!.indexOf('offline'));
    const yaml = await mooring(['cluster', 'list', '-o', 'yaml', '--sort=-name'], { cwd });
    expect(yaml.out).toMatch(/^- id: .+\n {2}name: two\n/);
  });

  it('get by name or id; an unknown one is 5', async () => {
    const byName = await mooring(['cluster', 'get', 'one'], { cwd });
    expect(byName.code).toBe(0);
    expect(byName.out).toContain(`id:             ${oneId}\n`);
    expect(byName.out).toContain('description:    imported by the CLI\n');
    const byId = await mooring(['cluster', 'get', oneId, '-o', 'json'], { cwd });
    expect(JSON.parse(byId.out)).toMatchObject({ id: oneId, name: 'one', state: 'offline' });
    const missing = await mooring(['cluster', 'get', 'nope'], { cwd });
    expect(missing.code).toBe(5);
    expect(missing.err).toBe('mooring cluster get: no cluster named or with id "nope"\n');
  });

  it('token: a new install command, shown once', async () => {
    const r = await mooring(['cluster', 'token', 'one'], { cwd });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^new agent token for cluster one \(id .+\)\n/);
    const fresh = /\n {2}(helm upgrade --install .+)\n$/.exec(r.out)![1]!;
    expect(fresh).not.toBe(installCommand);
  });

  it('a viewer is forbidden (4) to import or delete, and may list', async () => {
    const created = await fetch(`${p.url}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'viewer', password: 'a-viewer-password', role: 'viewer' }),
    });
    expect(created.status).toBe(201);
    const home = join(cwd, 'viewer-home');
    mkdirSync(home);
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
    expect(
      (
        await mooring(['login', p.url, '--username', 'viewer', '--password-stdin'], {
          cwd,
          env,
          stdin: 'a-viewer-password',
        })
      ).code,
    ).toBe(0);
    expect((await mooring(['cluster', 'list'], { cwd, env })).code).toBe(0);
    const imp = await mooring(['cluster', 'import', '-f', 'defs/one.yaml'], { cwd, env });
    expect(imp.code).toBe(4);
    expect(imp.err).toMatch(/^mooring cluster import: forbidden: /);
    const del = await mooring(['cluster', 'delete', 'one', '-o', 'json'], { cwd, env });
    expect(del.code).toBe(4);
    expect(JSON.parse(del.out).error).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('delete forgets the cluster; deleting it again is 5', async () => {
    const r = await mooring(['cluster', 'delete', 'two'], { cwd });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^deleted cluster two \(id .+\); nothing in the cluster was changed\n$/);
    expect((await mooring(['cluster', 'get', 'two'], { cwd })).code).toBe(5);
    expect((await mooring(['cluster', 'delete', 'two'], { cwd })).code).toBe(5);
  });

  it('usage errors are 2 and print the usage', async () => {
    const r = await mooring(['cluster', 'get'], { cwd });
    expect(r.code).toBe(2);
    expect(r.err).toContain('expected NAME|ID, got nothing');
    expect(r.err).toMatch(/usage: mooring cluster <list\|[a-z|-]*get\|import\|delete\|token>/);
    expect((await mooring(['cluster', 'frob'], { cwd })).code).toBe(2);
    expect((await mooring(['cluster', 'list', '-o', 'xml'], { cwd })).code).toBe(2);
  });
});
