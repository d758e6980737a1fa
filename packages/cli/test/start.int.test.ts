// `mooring start` against the kit's cluster: the platform on an embedded
// database, an agent in the same process on the in-process bus, a cluster
// imported from a file and deployed as an operation; a second start reuses
// the cluster and its stored agent token; Ctrl-C (abort) stops everything.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kitClients, testNamespace } from '@mooring/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Io } from '../src/io.ts';
import { main } from '../src/main.ts';

const kit = inject('kit');
const { core } = kitClients(kit);
const work = mkdtempSync(join(tmpdir(), 'mooring-start-'));
const ns = testNamespace('start');
afterAll(async () => {
  await core.deleteNamespace({ name: ns }).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

function io(signal: AbortSignal): Io & { out: () => string } {
  let out = '';
  return {
    cwd: work,
    env: { ...process.env, MOORING_LOG_LEVEL: 'info', MOORING_SWEEP_INTERVAL_SECONDS: '3600' },
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      out += t;
    },
    signal,
    out: () => out,
  };
}

async function until(what: string, f: () => boolean, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('mooring start', () => {
  const repo = join(work, 'repo');
  mkdirSync(join(repo, 'values'), { recursive: true });
  writeFileSync(
    join(repo, 'cluster.yaml'),
    `apiVersion: v1
kind: ImportCluster
metadata:
  name: local
spec:
  stacks:
    - name: apps
      addons:
        - name: web
          chart_name: slow-rollout
          chart_version: "0.1.0"
          registry_name: charts
          registry_url: https://charts.example.invalid/demo
          namespace: ${ns}
          configuration:
            from_file: values/web.yaml
          settings:
            sync_policy:
              sync_options: [CreateNamespace=true]
`,
  );
  writeFileSync(join(repo, 'values/web.yaml'), 'minReadySeconds: 0\nreplicas: 1\n');
  const args = [
    'start',
    '--data-dir',
    join(work, 'data'),
    '--port',
    '0',
    '--kubeconfig',
    kit.kubeconfig!,
    '--helm',
    kit.helm,
    '--import',
    join(repo, 'cluster.yaml'),
    '--mirror',
    `https://charts.example.invalid/demo=${kit.chartRepoUrl}`,
  ];

  it('imports, connects its agent and deploys; stops on abort', async () => {
    const stop = new AbortController();
    const o = io(stop.signal);
    const run = main(args, o);
    await until('the deploy to end', () => /operation \S+: (success|failed|timeout)/.test(o.out()));
    expect(o.out()).toMatch(/operation \S+: success/);
    expect(o.out()).toContain('Mooring: first start.');
    expect(o.out()).toMatch(/imported cluster local \(\S+\) from /);
    expect(o.out()).toContain('agent connected for local');
    const releases = JSON.parse(
      execFileSync(kit.helm, ['list', '-n', ns, '-o', 'json'], {
        env: { ...process.env, ...kit.env, KUBECONFIG: kit.kubeconfig! },
        encoding: 'utf8',
      }),
    ) as { name: string; status: string }[];
    expect(releases.map((r) => [r.name, r.status])).toEqual([['web', 'deployed']]);
    stop.abort();
    expect(await run).toBe(0);
    expect(o.out()).toContain('stopping');
    const creds = join(work, 'data', 'initial-admin-credentials.txt');
    expect(statSync(creds).mode & 0o777).toBe(0o600);
    // the agent token is kept for the next start, readable by the owner only, and never printed
    const tokens = join(work, 'data', 'agents');
    const tokenFile = join(
      tokens,
      readFileSync(join(work, 'data', 'mooring.log'), 'utf8').match(/"cluster_id":"([0-9a-f-]{36})"/)![1]! +
        '.token',
    );
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(o.out()).not.toContain(readFileSync(tokenFile, 'utf8').trim());
  });

  it('a second start reuses the cluster and its token; the deploy changes nothing', async () => {
    const stop = new AbortController();
    const o = io(stop.signal);
    const run = main(args, o);
    await until('the deploy to end', () => /operation \S+: (success|failed|timeout)/.test(o.out()));
    expect(o.out()).toMatch(/cluster local \(\S+\) was imported before/);
    expect(o.out()).toMatch(/operation \S+: success/);
    expect(o.out()).not.toContain('Mooring: first start.');
    stop.abort();
    expect(await run).toBe(0);
  });

  it('refuses an invalid definition before starting anything', async () => {
    writeFileSync(
      join(repo, 'bad.yaml'),
      'apiVersion: v1\nkind: ImportCluster\nmetadata: { name: bad }\nspec:\n  stacks:\n    - name: s\n      addons:\n        - name: x\n',
    );
    const stop = new AbortController();
    const o = io(stop.signal);
    const code = await main([...args.slice(0, -4), '--import', join(repo, 'bad.yaml')], o);
    expect(code).toBe(1);
    expect(o.out()).toMatch(/bad\.yaml:8:\d+: error: missing required field "chart_name"/);
    expect(o.out()).toContain('nothing imported');
  });
});
