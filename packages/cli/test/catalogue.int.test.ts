import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mooring, startTestPlatform, type TestPlatform } from './support/platform.ts';

// `mooring registries` and `mooring charts` against a real platform indexing the kit's
// chart repository and OCI registry, rendering with the kit's helm.
const kit = inject('kit');
let p: TestPlatform;
let cwd: string;

beforeAll(async () => {
  p = await startTestPlatform({ MOORING_HELM: kit.helm });
  cwd = mkdtempSync(join(tmpdir(), 'mooring-cli-catalogue-'));
  const login = await mooring(['login', p.url, '--username', p.username, '--password-stdin'], {
    cwd,
    stdin: p.password,
  });
  expect(login.code).toBe(0);
});
afterAll(async () => {
  await p?.close();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe('mooring registries and charts against a real platform', () => {
  it('registries add|index|list|jobs|remove', async () => {
    const bad = await mooring(['registries', 'add', 'x', 'ftp://nope'], { cwd });
    expect(bad.code).toBe(6);
    expect(bad.err).toContain('body.url');
    const interval = await mooring(
      ['registries', 'add', 'x', 'https://x.example.com', '--interval', 'often'],
      { cwd },
    );
    expect(interval.code).toBe(2);

    const add = await mooring(['registries', 'add', 'kit', kit.chartRepoUrl!, '--interval', 'off'], { cwd });
    expect(add.code, add.err).toBe(0);
    expect(add.out).toMatch(/^added kit \(helm, http:\/\/127\.0\.0\.1:\d+\), indexed every off/);
    const oci = await mooring(
      ['registries', 'add', 'kit-oci', `oci://${kit.ociHost}/charts`, '--interval', '1h', '-o', 'json'],
      { cwd },
    );
    expect(oci.code, oci.err).toBe(0);
    expect(JSON.parse(oci.out)).toMatchObject({ name: 'kit-oci', kind: 'oci', interval_seconds: 3600 });

    for (const name of ['kit', 'kit-oci']) {
      const idx = await mooring(['registries', 'index', name, '--watch'], { cwd });
      expect(idx.code, idx.out + idx.err).toBe(0);
      expect(idx.out).toMatch(new RegExp(`^${name}: (success|unchanged): `));
    }
    const list = await mooring(['registries', 'list'], { cwd });
    expect(list.out).toMatch(/^NAME +KIND +URL +CHARTS +VERSIONS +INTERVAL +INDEXED +ERROR\n/);
    expect(list.out).toMatch(
      new RegExp(
        `\\nkit +helm +http://\\S+ +${new Set(kit.charts!.map((c) => c.name)).size} +${kit.charts!.length} +off +`,
      ),
    );
    const jobs = await mooring(['registries', 'jobs', 'kit', '-o', 'json'], { cwd });
    expect(JSON.parse(jobs.out).length).toBeGreaterThanOrEqual(1);
  });

  it('charts search|info|values|template', async () => {
    const search = await mooring(['charts', 'search', 'podinfo'], { cwd });
    expect(search.code).toBe(0);
    expect(search.out).toMatch(/^CHART +VERSION +APP VERSION +DESCRIPTION\n/);
    expect(search.out).toMatch(/\nkit\/podinfo +6\.14\.1 +6\.14\.1 +Podinfo/);
    expect(search.out).toMatch(/\nkit-oci\/podinfo +6\.14\.1/);
    const json = JSON.parse(
      (await mooring(['charts', 'search', '--registry', 'kit', '-o', 'json'], { cwd })).out,
    );
    expect(json.every((c: { registry: string }) => c.registry === 'kit')).toBe(true);

    const info = await mooring(['charts', 'info', 'kit/slow-rollout'], { cwd });
    expect(info.code).toBe(0);
    expect(info.out).toMatch(/latest version: +0\.2\.0/);
    expect(info.out).toMatch(/\n0\.2\.0 +\S+ +indexed +yes/);
    expect(info.out).toMatch(/\n0\.1\.0 +/);
    expect((await mooring(['charts', 'info', 'podinfo'], { cwd })).code).toBe(2);
    expect((await mooring(['charts', 'info', 'kit/nope'], { cwd })).code).toBe(5);

    const values = await mooring(['charts', 'values', 'kit/podinfo'], { cwd });
    expect(values.code).toBe(0);
    expect(values.out).toMatch(/^replicaCount: 1$/m);
    const readme = await mooring(['charts', 'values', 'kit-oci/podinfo', '--version', '6.14.1', '--readme'], {
      cwd,
    });
    expect(readme.out).toMatch(/podinfo/i);
    const noSchema = await mooring(['charts', 'values', 'kit/podinfo', '--schema'], { cwd });
    expect(noSchema.code).toBe(1);
    expect(noSchema.err).toContain('has no values.schema.json');

    writeFileSync(join(cwd, 'a.yaml'), 'replicaCount: 2\nservice:\n  type: NodePort\n');
    writeFileSync(join(cwd, 'b.yaml'), 'replicaCount: 4\n');
    const rendered = await mooring(
      [
        'charts',
        'template',
        'kit/podinfo',
        '-f',
        'a.yaml',
        '-f',
        'b.yaml',
        '--set',
        'service.httpPort=9999',
        '--release',
        'web',
        '-n',
        'apps',
      ],
      { cwd },
    );
    expect(rendered.code, rendered.err).toBe(0);
    expect(rendered.out).toMatch(/replicas: 4/);
    expect(rendered.out).toMatch(/type: NodePort/);
    expect(rendered.out).toMatch(/containerPort: 9999/);
    expect(rendered.out).toMatch(/namespace: apps/);
    const broken = await mooring(['charts', 'template', 'kit/podinfo', '--set', 'hpa=1'], { cwd });
    expect(broken.code).toBe(6);
    expect(broken.err).toContain('body.values');
  });

  it('--help lists the subcommands', async () => {
    const charts = await mooring(['charts', '--help'], { cwd });
    expect(charts.out).toMatch(/usage: mooring charts <search\|info\|values\|template>/);
    const registries = await mooring(['registries', '--help'], { cwd });
    expect(registries.out).toMatch(/usage: mooring registries <list\|add\|remove\|index\|jobs>/);
    const removed = await mooring(['registries', 'remove', 'kit-oci'], { cwd });
    expect(removed.code).toBe(0);
    expect((await mooring(['charts', 'info', 'kit-oci/podinfo'], { cwd })).code).toBe(5);
  });
});
