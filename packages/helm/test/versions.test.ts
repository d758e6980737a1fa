import { describe, expect, it } from 'vitest';
import { closestVersions, pickVersion } from '../src/versions.ts';

const PUBLISHED = ['6.14.1', '6.14.0', '6.13.0', '6.5.4', '7.0.0', '5.2.1', '6.15.0-rc.1', 'latest'];

describe('pickVersion', () => {
  it.each([
    { name: 'exact', wanted: '6.14.1', want: '6.14.1' },
    { name: 'a leading v is ignored', wanted: 'v6.14.0', want: '6.14.0' },
    { name: 'empty means the newest stable', wanted: '', want: '7.0.0' },
    { name: 'latest means the newest stable', wanted: 'latest', want: 'latest' },
    { name: 'a range takes the highest match', wanted: '~6.14.0', want: '6.14.1' },
    { name: 'a caret range', wanted: '^6.0.0', want: '6.14.1' },
    { name: 'a missing version', wanted: '6.14.2', want: undefined },
    { name: 'a range nothing satisfies', wanted: '^8.0.0', want: undefined },
    { name: 'a word that is no version', wanted: 'stable', want: undefined },
  ])('$name', ({ wanted, want }) => {
    expect(pickVersion(PUBLISHED, wanted)).toBe(want);
  });

  it('finds nothing in an empty list', () => {
    expect(pickVersion([], '')).toBeUndefined();
  });
});

describe('closestVersions', () => {
  it.each([
    {
      name: 'a missing patch: same minor first, then the nearest minors',
      wanted: '6.14.2',
      want: ['6.14.1', '6.14.0', '6.13.0'],
    },
    { name: 'a missing minor: the nearest minors', wanted: '6.6.0', want: ['6.5.4', '6.13.0', '6.14.0'] },
    {
      name: 'above every version: the nearest majors, the newest of them, stable first',
      wanted: '8.0.0',
      want: ['7.0.0', '6.14.1', '6.14.0'],
    },
    {
      name: 'below a major: the oldest of the next ones',
      wanted: '4.0.0',
      want: ['5.2.1', '6.5.4', '6.13.0'],
    },
    {
      name: 'a range that matches nothing: the newest',
      wanted: '^9.0.0',
      want: ['7.0.0', '6.15.0-rc.1', '6.14.1'],
    },
    { name: 'a word: the newest', wanted: 'stable', want: ['7.0.0', '6.15.0-rc.1', '6.14.1'] },
    { name: 'a leading v', wanted: 'v5.2.0', want: ['5.2.1', '6.5.4', '6.13.0'] },
  ])('$name', ({ wanted, want }) => {
    expect(closestVersions(wanted, PUBLISHED, 3)).toEqual(want);
  });

  it('puts the one below first on a tie', () => {
    expect(closestVersions('6.14.5', ['6.14.6', '6.14.4'])).toEqual(['6.14.4', '6.14.6']);
  });

  it('leaves out tags that are not versions and gives at most n', () => {
    expect(closestVersions('1.0.0', ['latest', 'sha-abc', '0.2.0', '0.1.0'], 1)).toEqual(['0.2.0']);
    expect(closestVersions('1.0.0', ['latest'])).toEqual([]);
  });
});
