import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createNamespace, eventually, kitClients, testNamespace } from '../src/index.ts';

const run = promisify(execFile);
const kit = inject('kit');
const { core, apps } = kitClients(kit);
const ns = testNamespace('helm');
let cleanup: () => Promise<void>;

async function helm(...args: string[]): Promise<string> {
  const { stdout } = await run(kit.helm, args, { env: { ...process.env, ...kit.env } });
  return stdout;
}

beforeAll(async () => {
  cleanup = await createNamespace(core, ns);
});
afterAll(async () => cleanup?.());

describe('helm against the kit cluster', () => {
  it('serves podinfo from the HTTP repository and the OCI registry', () => {
    expect(kit.charts?.map((c) => `${c.name}@${c.version}`)).toContain('podinfo@6.14.1');
    expect(kit.ociHost).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('installs podinfo from the repository; list, history, rollback work; storage is helm.sh/release.v1', async () => {
    await helm(
      'upgrade',
      '--install',
      'web',
      'podinfo',
      '--repo',
      kit.chartRepoUrl!,
      '--version',
      '6.14.1',
      '-n',
      ns,
      '--wait',
      '--timeout',
      '120s',
    );
    const list = JSON.parse(await helm('list', '-n', ns, '-o', 'json')) as {
      name: string;
      status: string;
      chart: string;
    }[];
    expect(list).toEqual([
      expect.objectContaining({ name: 'web', status: 'deployed', chart: 'podinfo-6.14.1' }),
    ]);
    const dep = await apps.readNamespacedDeployment({ name: 'web-podinfo', namespace: ns });
    expect(dep.status?.availableReplicas).toBeGreaterThan(0);

    await helm(
      'upgrade',
      'web',
      'podinfo',
      '--repo',
      kit.chartRepoUrl!,
      '--version',
      '6.14.1',
      '-n',
      ns,
      '--set',
      'replicaCount=2',
      '--wait',
      '--timeout',
      '120s',
    );
    const history = JSON.parse(await helm('history', 'web', '-n', ns, '-o', 'json')) as {
      revision: number;
      status: string;
    }[];
    expect(history.map((h) => [h.revision, h.status])).toEqual([
      [1, 'superseded'],
      [2, 'deployed'],
    ]);
    await helm('rollback', 'web', '1', '-n', ns, '--wait', '--timeout', '120s');
    await eventually(
      'replicas back to 1',
      async () =>
        (await apps.readNamespacedDeployment({ name: 'web-podinfo', namespace: ns })).spec?.replicas === 1,
    );
    const secrets = await core.listNamespacedSecret({ namespace: ns, labelSelector: 'owner=helm,name=web' });
    expect(secrets.items.map((s) => s.type)).toEqual([
      'helm.sh/release.v1',
      'helm.sh/release.v1',
      'helm.sh/release.v1',
    ]);
    expect(secrets.items.map((s) => s.metadata?.name).sort()).toEqual([
      'sh.helm.release.v1.web.v1',
      'sh.helm.release.v1.web.v2',
      'sh.helm.release.v1.web.v3',
    ]);
  });

  it('installs podinfo from the OCI registry', async () => {
    await helm(
      'upgrade',
      '--install',
      'oci-web',
      `oci://${kit.ociHost}/charts/podinfo`,
      '--version',
      '6.14.1',
      '--plain-http',
      '-n',
      ns,
      '--wait',
      '--timeout',
      '120s',
    );
    const status = JSON.parse(await helm('status', 'oci-web', '-n', ns, '-o', 'json')) as {
      info: { status: string };
    };
    expect(status.info.status).toBe('deployed');
  });
});
