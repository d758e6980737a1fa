import { describe, expect, it } from 'vitest';
import { valuesText } from '../src/catalogue/charts.ts';
import {
  isExcluded,
  jobState,
  type ListedVersion,
  latestVersion,
  nextIndexAt,
  planVersions,
  registriesDue,
  registryKind,
  type StoredVersion,
  tagToVersion,
  versionRetryDelayMs,
  versionToTag,
} from '../src/catalogue/decide.ts';
import { ValidationError } from '../src/errors.ts';

const now = new Date('2026-01-01T12:00:00Z');
const at = (s: number) => new Date(now.getTime() + s * 1000);
const stored = (chart: string, version: string, o: Partial<StoredVersion> = {}): StoredVersion => ({
  chart,
  version,
  sourceDigest: `sha256:${chart}-${version}`,
  state: 'indexed',
  attempts: 0,
  nextAttemptAt: null,
  ...o,
});
const listed = (chart: string, version: string, o: Partial<ListedVersion> = {}): ListedVersion => ({
  chart,
  version,
  sourceDigest: `sha256:${chart}-${version}`,
  ...o,
});
const ids = (vs: { chart: string; version: string }[]) => vs.map((v) => `${v.chart}@${v.version}`);

describe('planVersions', () => {
  it('first run: every listed version is fetched', () => {
    const p = planVersions([], [listed('a', '1.0.0'), listed('b', '2.0.0')], now);
    expect(ids(p.fetch)).toEqual(['a@1.0.0', 'b@2.0.0']);
    expect(p.remove).toEqual([]);
  });

  it('a second run with nothing new fetches nothing', () => {
    const p = planVersions([stored('a', '1.0.0')], [listed('a', '1.0.0')], now);
    expect(p.fetch).toEqual([]);
    expect(ids(p.unchanged)).toEqual(['a@1.0.0']);
  });

  it('a new version is fetched, a version gone is removed', () => {
    const p = planVersions(
      [stored('a', '1.0.0'), stored('a', '0.9.0')],
      [listed('a', '1.0.0'), listed('a', '1.1.0')],
      now,
    );
    expect(ids(p.fetch)).toEqual(['a@1.1.0']);
    expect(p.remove).toEqual([{ chart: 'a', version: '0.9.0' }]);
  });

  it('a re-published version (another digest) is fetched again', () => {
    const p = planVersions(
      [stored('a', '1.0.0')],
      [listed('a', '1.0.0', { sourceDigest: 'sha256:new' })],
      now,
    );
    expect(ids(p.fetch)).toEqual(['a@1.0.0']);
  });

  it('a failed version waits for its retry time, then is fetched', () => {
    const failed = stored('a', '1.0.0', { state: 'failed', attempts: 2, nextAttemptAt: at(60) });
    expect(ids(planVersions([failed], [listed('a', '1.0.0')], now).waiting)).toEqual(['a@1.0.0']);
    expect(ids(planVersions([failed], [listed('a', '1.0.0')], at(61)).fetch)).toEqual(['a@1.0.0']);
  });

  it('excluded charts are neither fetched nor kept', () => {
    const p = planVersions(
      [stored('b-crds', '1.0.0')],
      [listed('a', '1.0.0'), listed('b-crds', '1.0.0'), listed('c', '1.0.0')],
      now,
      ['*-crds', 'c'],
    );
    expect(ids(p.fetch)).toEqual(['a@1.0.0']);
    expect(p.remove).toEqual([{ chart: 'b-crds', version: '1.0.0' }]);
  });

  it('a version listed twice is planned once', () => {
    expect(planVersions([], [listed('a', '1.0.0'), listed('a', '1.0.0')], now).fetch).toHaveLength(1);
  });
});

describe('backoff and schedule', () => {
  it.each([
    [1, 30_000],
    [2, 60_000],
    [3, 120_000],
    [20, 6 * 3600_000],
  ])('a version failing %i times waits %i ms', (attempts, ms) => {
    expect(versionRetryDelayMs(attempts)).toBe(ms);
  });

  it('next index: the interval, sooner after failures, never without an interval', () => {
    expect(nextIndexAt(now, 3600, 0)).toEqual(at(3600));
    expect(nextIndexAt(now, 3600, 1)).toEqual(at(30));
    expect(nextIndexAt(now, 10, 5)).toEqual(at(10));
    expect(nextIndexAt(now, null, 0)).toBeNull();
  });

  it('due: requested or time come, never while a fresh job runs; a stale job is taken over', () => {
    const base = { intervalSeconds: 60, nextIndexAt: at(-1), indexingSince: null, indexRequested: false };
    expect(
      registriesDue(
        [
          { ...base, id: 'due' },
          { ...base, id: 'later', nextIndexAt: at(30) },
          { ...base, id: 'off', intervalSeconds: null, nextIndexAt: null },
          { ...base, id: 'asked', intervalSeconds: null, nextIndexAt: null, indexRequested: true },
          { ...base, id: 'running', indexingSince: at(-60) },
          { ...base, id: 'stale', indexingSince: at(-3600) },
          { ...base, id: 'never', nextIndexAt: null },
        ],
        now,
      ),
    ).toEqual(['due', 'asked', 'stale', 'never']);
  });

  it('job results', () => {
    expect(jobState({ error: 'x', fetched: 3, failed: 0, removed: 0 })).toBe('failed');
    expect(jobState({ fetched: 3, failed: 1, removed: 0 })).toBe('partial');
    expect(jobState({ fetched: 0, failed: 0, removed: 0 })).toBe('unchanged');
    expect(jobState({ fetched: 0, failed: 0, removed: 2 })).toBe('success');
  });
});

describe('names, tags and URLs', () => {
  it.each([
    ['nginx', ['nginx'], true],
    ['nginx-ingress', ['nginx'], false],
    ['cert-manager-crds', ['*-crds'], true],
    ['a.b', ['a*b'], true],
    ['axb', ['a.b'], false],
  ])('%s excluded by %j: %s', (chart, patterns, want) => {
    expect(isExcluded(chart, patterns)).toBe(want);
  });

  it('OCI tags and chart versions', () => {
    expect(tagToVersion('1.2.3')).toBe('1.2.3');
    expect(tagToVersion('1.2.3_build.1')).toBe('1.2.3+build.1');
    expect(tagToVersion('latest')).toBeUndefined();
    expect(tagToVersion('sha256-abc.sig')).toBeUndefined();
    expect(versionToTag('1.2.3+build.1')).toBe('1.2.3_build.1');
  });

  it('latest: the newest stable, else the newest prerelease', () => {
    expect(latestVersion(['1.0.0', '1.10.0', '1.9.0', '2.0.0-rc.1'])).toBe('1.10.0');
    expect(latestVersion(['2.0.0-rc.1', '2.0.0-rc.2'])).toBe('2.0.0-rc.2');
    expect(latestVersion([])).toBeUndefined();
  });

  it.each([
    ['https://charts.example.com', 'helm'],
    ['http://127.0.0.1:8080/charts', 'helm'],
    ['oci://ghcr.io/org/charts', 'oci'],
    ['oci://registry.example.com', 'oci'],
    ['https://user:pw@charts.example.com', undefined],
    ['ftp://charts.example.com', undefined],
    ['charts.example.com', undefined],
  ])('%s is %s', (url, kind) => {
    expect(registryKind(url)).toBe(kind);
  });
});

describe('template values', () => {
  it('YAML text passes as written, an object as JSON, bad YAML names body.values', () => {
    expect(valuesText('replicaCount: 2\n')).toBe('replicaCount: 2\n');
    expect(valuesText({ replicaCount: 2 })).toBe('{"replicaCount":2}');
    expect(valuesText(undefined)).toBe('');
    for (const bad of ['a: [1, 2', '- 1\n- 2\n']) {
      try {
        valuesText(bad);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        expect((e as ValidationError).fields[0]?.path).toBe('body.values');
      }
    }
  });
});
