// `mooring validate --check-charts` against the kit's real Helm repository and OCI registry.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefinition } from '@mooring/core';
import { LocalFileSource } from '@mooring/gitops';
import { RepoIndexCache } from '@mooring/helm';
import { describe, expect, inject, it } from 'vitest';
import { checkCharts } from '../src/checks/checkCharts.ts';
import type { Io } from '../src/io.ts';
import { main } from '../src/main.ts';

const kit = inject('kit');
const REPO = kit.chartRepoUrl!;
const OCI = `oci://${kit.ociHost!}/charts`;

function fakeIo(cwd: string): Io & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    cwd,
    env: { XDG_CACHE_HOME: join(cwd, '.cache') },
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
  };
  return io;
}

const addon = (name: string, chart: string, version: string, registry: string) => `        - name: ${name}
          chart_name: ${chart}
          chart_version: "${version}"
          namespace: apps
          registry_name: ${registry}
`;

const definition = (addons: string) => `apiVersion: v1
kind: ImportCluster
metadata:
  name: charts
spec:
  helm_registries:
    - name: kit
      url: ${REPO}
    - name: kit-oci
      url: ${OCI}
  stacks:
    - name: apps
      addons:
${addons}`;

/** A repository holding `cluster.yaml`. */
function repoWith(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'check-charts-'));
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, 'cluster.yaml'), text);
  return dir;
}

const GOOD =
  addon('web', 'podinfo', '6.14.1', 'kit') +
  addon('rollout', 'slow-rollout', '0.2.0', 'kit') +
  addon('oci-web', 'podinfo', '6.14.1', 'kit-oci') +
  addon('oci-rollout', 'slow-rollout', '0.1.0', 'kit-oci');

const BAD =
  addon('web', 'podinfo', '6.14.1', 'kit') + // lines 14-18
  addon('old', 'slow-rollout', '0.3.0', 'kit') + // 19-23
  addon('ghost', 'no-such-chart', '1.0.0', 'kit') + // 24-28
  addon('oci-web', 'podinfo', '6.14.1', 'kit-oci') + // 29-33
  addon('oci-old', 'slow-rollout', '0.1.5', 'kit-oci') + // 34-38
  addon('oci-ghost', 'no-such-chart', '1.0.0', 'kit-oci'); // 39-43

describe('mooring validate --check-charts', () => {
  it('passes when every chart and version exists, in the Helm repository and the OCI registry', async () => {
    const dir = repoWith(definition(GOOD));
    const io = fakeIo(dir);
    expect(await main(['validate', '-f', 'cluster.yaml', '--check-charts'], io), io.out + io.err).toBe(0);
    expect(io.out).toBe(
      'cluster.yaml: valid (cluster charts: 1 stack, 4 members, 1 file read), the charts of 4 add-ons found in 2 registries\n',
    );
  });

  it('reports a missing version with the closest ones and a missing chart, at their fields', async () => {
    const dir = repoWith(definition(BAD));
    const io = fakeIo(dir);
    expect(await main(['validate', '-f', 'cluster.yaml', '--check-charts'], io)).toBe(1);
    expect(io.out.split('\n')).toEqual([
      `cluster.yaml:21:26: error: chart "slow-rollout" has no version "0.3.0" in ${REPO}; closest: 0.2.0, 0.1.0 [spec.stacks[0].addons[1].chart_version]`,
      '  hint: for example: chart_version: "0.2.0"',
      `cluster.yaml:25:23: error: chart "no-such-chart" not found in ${REPO} [spec.stacks[0].addons[2].chart_name]`,
      `cluster.yaml:36:26: error: chart "slow-rollout" has no version "0.1.5" in ${OCI}; closest: 0.1.0, 0.2.0 [spec.stacks[0].addons[4].chart_version]`,
      '  hint: for example: chart_version: "0.1.0"',
      `cluster.yaml:40:23: error: chart "no-such-chart" not found in ${OCI} [spec.stacks[0].addons[5].chart_name]`,
      'cluster.yaml: 4 errors, 0 warnings; nothing would be applied',
      '',
    ]);
  });

  it('gives the same in JSON', async () => {
    const dir = repoWith(definition(BAD));
    const io = fakeIo(dir);
    expect(await main(['validate', '-f', 'cluster.yaml', '--check-charts', '-o', 'json'], io)).toBe(1);
    const j = JSON.parse(io.out);
    expect(j).toMatchObject({ valid: false, errors: 4, warnings: 0, chartsChecked: 6, registriesChecked: 2 });
    expect(
      j.diagnostics.map((d: { code: string; line: number; path: string }) => [d.code, d.line, d.path]),
    ).toEqual([
      ['chart-version-not-found', 21, 'spec.stacks[0].addons[1].chart_version'],
      ['chart-not-found', 25, 'spec.stacks[0].addons[2].chart_name'],
      ['chart-version-not-found', 36, 'spec.stacks[0].addons[4].chart_version'],
      ['chart-not-found', 40, 'spec.stacks[0].addons[5].chart_name'],
    ]);
  });

  it('without --check-charts, asks no registry', async () => {
    const dir = repoWith(definition(BAD));
    const io = fakeIo(dir);
    expect(await main(['validate', '-f', 'cluster.yaml'], io)).toBe(0);
  });

  it('reads public chart sources from their mirrors, as apply does', async () => {
    const dir = repoWith(`apiVersion: v1
kind: ImportCluster
metadata:
  name: mirrored
spec:
  stacks:
    - name: apps
      addons:
        - name: web
          chart_name: podinfo
          chart_version: "6.14.0"
          namespace: apps
          registry_name: podinfo
          registry_url: https://stefanprodan.github.io/podinfo
`);
    const io = fakeIo(dir);
    const args = ['validate', '-f', 'cluster.yaml', '--check-charts'];
    expect(await main([...args, '--mirror', `https://stefanprodan.github.io/podinfo=${REPO}`], io)).toBe(1);
    expect(io.out.split('\n')[0]).toBe(
      `cluster.yaml:11:26: error: chart "podinfo" has no version "6.14.0" in ${REPO} (mirror of https://stefanprodan.github.io/podinfo); closest: 6.14.1 [spec.stacks[0].addons[0].chart_version]`,
    );
  });

  it('downloads each repository index once, however many add-ons use it', async () => {
    const dir = repoWith(definition(GOOD + addon('again', 'slow-rollout', '0.1.0', 'kit')));
    const def = loadDefinition(new LocalFileSource(dir), 'cluster.yaml').definition!;
    const index = new RepoIndexCache();
    expect(await checkCharts(def, { mirrors: [], credentials: () => undefined, index })).toEqual([]);
    expect(index.fetches).toBe(1);
  });
});
