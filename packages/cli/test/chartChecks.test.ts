// The pure part of `validate --check-charts`: lookups per registry, and diagnostics from answers.
import { formatDiagnostic, loadDefinition, MemoryFileSource } from '@mooring/core';
import { describe, expect, it } from 'vitest';
import {
  addonsOf,
  chartDiagnostics,
  displayUrl,
  type RegistryAnswer,
  registryLookups,
} from '../src/checks/chartChecks.ts';

const DEF = `apiVersion: v1
kind: ImportCluster
metadata:
  name: demo
spec:
  helm_registries:
    - name: private
      url: oci://registry.example.com/charts
      credential_name: harbor-pull
  stacks:
    - name: apps
      addons:
        - name: web
          chart_name: podinfo
          chart_version: "6.14.2"
          namespace: apps
          registry_name: podinfo
          registry_url: https://stefanprodan.github.io/podinfo
        - name: api
          chart_name: podinfo
          chart_version: "6.14.1"
          namespace: apps
          registry_name: podinfo
          registry_url: https://stefanprodan.github.io/podinfo
        - name: gone
          chart_name: nothing-here
          chart_version: "1.0.0"
          namespace: apps
          registry_name: podinfo
          registry_url: https://stefanprodan.github.io/podinfo
        - name: queue
          chart_name: rabbit
          chart_version: "2.0.0"
          namespace: apps
          registry_name: private
`;

const def = loadDefinition(new MemoryFileSource({ 'c.yaml': DEF }), 'c.yaml').definition!;
const addons = addonsOf(def);
const PODINFO = 'https://stefanprodan.github.io/podinfo|';
const PRIVATE = 'oci://registry.example.com/charts|harbor-pull';
const listed = (charts: Record<string, string[] | undefined>): RegistryAnswer => ({
  kind: 'listed',
  charts: new Map(Object.entries(charts)),
});
const lines = (answers: Record<string, RegistryAnswer>, mirrors = [] as { from: string; to: string }[]) =>
  chartDiagnostics(addons, mirrors, new Map(Object.entries(answers))).map((d) => formatDiagnostic(d));

describe('registryLookups', () => {
  it('asks each registry once for every chart it holds', () => {
    expect(registryLookups(addons, [])).toEqual([
      {
        key: PODINFO,
        url: 'https://stefanprodan.github.io/podinfo',
        declared: 'https://stefanprodan.github.io/podinfo',
        oci: false,
        charts: ['podinfo', 'nothing-here'],
      },
      {
        key: PRIVATE,
        url: 'oci://registry.example.com/charts',
        declared: 'oci://registry.example.com/charts',
        oci: true,
        credentialName: 'harbor-pull',
        charts: ['rabbit'],
      },
    ]);
  });

  it('applies mirrors, as apply does', () => {
    const [l] = registryLookups(addons, [
      { from: 'https://stefanprodan.github.io', to: 'http://127.0.0.1:8080' },
    ]);
    expect(l).toMatchObject({
      url: 'http://127.0.0.1:8080/podinfo',
      declared: 'https://stefanprodan.github.io/podinfo',
    });
  });
});

describe('chartDiagnostics', () => {
  it('gives nothing when every chart and version exists', () => {
    expect(
      lines({
        [PODINFO]: listed({ podinfo: ['6.14.1', '6.14.2'], 'nothing-here': ['1.0.0'] }),
        [PRIVATE]: listed({ rabbit: ['2.0.0'] }),
      }),
    ).toEqual([]);
  });

  it('reports a missing version at chart_version with the closest ones, and a missing chart at chart_name', () => {
    expect(
      lines({
        [PODINFO]: listed({ podinfo: ['6.14.1', '6.14.0', '6.13.0', '6.0.0'], 'nothing-here': undefined }),
        [PRIVATE]: listed({ rabbit: [] }),
      }),
    ).toEqual([
      'c.yaml:15:26: error: chart "podinfo" has no version "6.14.2" in https://stefanprodan.github.io/podinfo; closest: 6.14.1, 6.14.0, 6.13.0 [spec.stacks[0].addons[0].chart_version]\n  hint: for example: chart_version: "6.14.1"',
      'c.yaml:26:23: error: chart "nothing-here" not found in https://stefanprodan.github.io/podinfo [spec.stacks[0].addons[2].chart_name]',
      'c.yaml:33:26: error: chart "rabbit" has no version "2.0.0" in oci://registry.example.com/charts; it has no published versions [spec.stacks[0].addons[3].chart_version]',
    ]);
  });

  it('matches an OCI version to a tag exactly, as apply pulls it', () => {
    const d = chartDiagnostics(
      addons,
      [],
      new Map<string, RegistryAnswer>([[PRIVATE, listed({ rabbit: ['v2.0.0', '2.0.1'] })]]),
    );
    expect(d.map((x) => [x.code, x.message])).toEqual([
      [
        'chart-version-not-found',
        'chart "rabbit" has no version "2.0.0" in oci://registry.example.com/charts; closest: v2.0.0, 2.0.1',
      ],
    ]);
  });

  it('reports a registry that cannot be read once, at the first add-on using it', () => {
    expect(
      lines({
        [PODINFO]: { kind: 'unreachable', message: 'cannot fetch index.yaml: fetch failed (ECONNREFUSED)' },
        [PRIVATE]: { kind: 'auth-failed', status: 401 },
      }),
    ).toEqual([
      'c.yaml:14:23: error: cannot read chart registry https://stefanprodan.github.io/podinfo: cannot fetch index.yaml: fetch failed (ECONNREFUSED) (used by 3 add-ons: web, api, gone) [spec.stacks[0].addons[0].chart_name]',
      'c.yaml:32:23: error: chart registry oci://registry.example.com/charts refused access (HTTP 401) (used by add-on queue) [spec.stacks[0].addons[3].chart_name]\n  hint: check the credential "harbor-pull": MOORING_CREDENTIAL_HARBOR_PULL_USERNAME and _PASSWORD, or _TOKEN',
    ]);
  });

  it('names the mirror and the URL it stands for', () => {
    const mirrors = [{ from: 'https://stefanprodan.github.io/podinfo', to: 'http://127.0.0.1:8080/charts' }];
    const d = chartDiagnostics(
      addons,
      mirrors,
      new Map([
        ['http://127.0.0.1:8080/charts|', listed({ podinfo: ['6.14.1'], 'nothing-here': ['1.0.0'] })],
      ]),
    );
    expect(d.map((x) => x.message)).toEqual([
      'chart "podinfo" has no version "6.14.2" in http://127.0.0.1:8080/charts (mirror of https://stefanprodan.github.io/podinfo); closest: 6.14.1',
    ]);
  });
});

describe('displayUrl', () => {
  it('drops user information from URLs, also inside a message', () => {
    expect(displayUrl('https://bob:s3cret@charts.example.com/x')).toBe('https://charts.example.com/x');
    expect(displayUrl('oci://u:p@reg.example.com/c: refused')).toBe('oci://reg.example.com/c: refused');
    expect(displayUrl('https://charts.example.com/x')).toBe('https://charts.example.com/x');
  });
});
