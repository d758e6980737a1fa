import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mooring, startTestPlatform, type TestPlatform } from './support/platform.ts';

let p: TestPlatform;
let cwd: string;

const DEFINITION = `apiVersion: v1
kind: ImportCluster
metadata:
  name: shop
spec:
  stacks:
    - name: apps
      addons:
        - name: podinfo
          chart_name: podinfo
          chart_version: "6.7.1"
          repository_url: https://stefanprodan.github.io/podinfo
          namespace: apps
        - name: web
          chart_name: slow-rollout
          chart_version: "0.2.0"
          repository_url: https://charts.example.test
          namespace: apps
`;

beforeAll(async () => {
  p = await startTestPlatform();
  cwd = mkdtempSync(join(tmpdir(), 'mooring-cli-addons-'));
  mkdirSync(join(cwd, 'repo'));
  writeFileSync(join(cwd, 'repo', 'import-cluster.yaml'), DEFINITION);
  expect(
    (
      await mooring(['login', p.url, '--username', p.username, '--password-stdin'], {
        cwd,
        stdin: p.password,
      })
    ).code,
  ).toBe(0);
  expect((await mooring(['cluster', 'import', '-f', 'repo/import-cluster.yaml'], { cwd })).code).toBe(0);
});
afterAll(async () => {
  await p?.close();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe('mooring addons against a real platform (no agent connected)', () => {
  it('list: the definition’s add-ons as a table and as json', async () => {
    const r = await mooring(['addons', 'list', '--cluster', 'shop'], { cwd });
    expect(r.code).toBe(0);
    const [head, ...rows] = r.out.trimEnd().split('\n');
    expect(head).toMatch(/^NAME +STACK +CHART +VERSION +NAMESPACE +STATE +HEALTH +REVISION +UPDATED$/);
    expect(rows[0]).toMatch(/^podinfo +apps +podinfo +6\.7\.1 +apps +\S+ +\S+ +- +/);
    expect(rows[1]).toMatch(/^web +apps +slow-rollout +0\.2\.0 +apps +/);
    const json = JSON.parse((await mooring(['addons', 'list', '-c', 'shop', '-o', 'json'], { cwd })).out);
    expect(json.map((a: { name: string }) => a.name)).toEqual(['podinfo', 'web']);
  });

  it('get: one add-on; an unknown add-on is 5, an unknown cluster is 5', async () => {
    const r = await mooring(['addons', 'get', 'podinfo', '--cluster', 'shop', '-o', 'json'], { cwd });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ name: 'podinfo', chart: 'podinfo', version: '6.7.1' });
    const text = await mooring(['addons', 'get', 'podinfo', '--cluster', 'shop'], { cwd });
    expect(text.out).toMatch(/^name: +podinfo\n/);
    expect((await mooring(['addons', 'get', 'nope', '--cluster', 'shop'], { cwd })).code).toBe(5);
    const noCluster = await mooring(['addons', 'list', '--cluster', 'nope'], { cwd });
    expect(noCluster.code).toBe(5);
    expect(noCluster.err).toBe('mooring addons list: no cluster named or with id "nope"\n');
  });

  it('rollback starts an operation; without --revision and no known history it says what to give (2)', async () => {
    const r = await mooring(['addons', 'rollback', 'podinfo', '--cluster', 'shop', '--revision', '1'], {
      cwd,
    });
    expect(r.code).toBe(0);
    const m =
      /^rolling podinfo on shop back to revision 1: operation (\S+) \((\w+)\); follow it with: mooring operations watch \1\n$/.exec(
        r.out,
      );
    expect(m, r.out).not.toBeNull();
    const op = JSON.parse((await mooring(['operations', 'get', m![1]!, '-o', 'json'], { cwd })).out);
    expect(op).toMatchObject({ type: 'rollback' });
    await mooring(['operations', 'cancel', op.id], { cwd });

    const none = await mooring(['addons', 'rollback', 'podinfo', '--cluster', 'shop'], { cwd });
    expect(none.code).toBe(2);
    expect(none.err).toContain('give --revision N');
    expect(
      (await mooring(['addons', 'rollback', 'podinfo', '--cluster', 'shop', '--revision', 'x'], { cwd }))
        .code,
    ).toBe(2);
  });
});
