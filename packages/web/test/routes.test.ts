import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../src/api/types.ts';
import { phaseSteps } from '../src/gitops/phases.ts';
import { annotateLines } from '../src/imports/annotate.ts';
import { hrefOf, matchRoute, withQuery } from '../src/router/routes.ts';
import { parseThemeChoice, resolveTheme, toggledTheme } from '../src/theme/theme.ts';

describe('matchRoute and hrefOf', () => {
  it.each([
    ['/', '', { page: 'dashboard' }],
    ['/sign-in', '?next=%2Fclusters%2Fx', { page: 'sign-in', next: '/clusters/x' }],
    ['/sign-in', '?next=https%3A%2F%2Fevil.test', { page: 'sign-in', next: null }],
    ['/sign-in', '?next=%2F%2Fevil.test', { page: 'sign-in', next: null }],
    ['/profile/', '', { page: 'profile' }],
    ['/clusters/import', '', { page: 'import' }],
    ['/clusters/c%201', '', { page: 'cluster', id: 'c 1', tab: 'overview' }],
    ['/clusters/abc/addons', '?q=x', { page: 'cluster', id: 'abc', tab: 'addons' }],
    ['/clusters/abc/operations', '', { page: 'cluster', id: 'abc', tab: 'operations' }],
    ['/clusters/abc/stacks', '', { page: 'cluster', id: 'abc', tab: 'stacks' }],
    ['/clusters/abc/addons/pod%20info', '', { page: 'addon', id: 'abc', name: 'pod info', tab: 'overview' }],
    ['/clusters/abc/addons/podinfo/map', '', { page: 'addon', id: 'abc', name: 'podinfo', tab: 'map' }],
    [
      '/clusters/abc/addons/podinfo/nope',
      '',
      { page: 'not-found', path: '/clusters/abc/addons/podinfo/nope' },
    ],
    ['/clusters/abc/resources', '?kind=Pod', { page: 'cluster', id: 'abc', tab: 'resources' }],
    [
      '/clusters/abc/pods/apps/web-1/logs',
      '',
      { page: 'pod-logs', id: 'abc', namespace: 'apps', name: 'web-1' },
    ],
    ['/members', '?cluster=c1', { page: 'members', cluster: 'c1' }],
    ['/members', '', { page: 'members', cluster: null }],
    ['/clusters/abc/nope', '', { page: 'not-found', path: '/clusters/abc/nope' }],
    ['/clusters/%E0%A4%A', '', { page: 'not-found', path: '/clusters/%E0%A4%A' }],
    ['/elsewhere', '', { page: 'not-found', path: '/elsewhere' }],
  ])('%s%s', (path, search, route) => {
    expect(matchRoute(path, search)).toEqual(route);
  });

  it('makes the paths it matches', () => {
    for (const href of [
      '/',
      '/profile',
      '/clusters/import',
      '/clusters/c%201',
      '/clusters/a/addons',
      '/clusters/a/addons/b%20c',
      '/clusters/a/addons/b/history',
      '/members?cluster=x',
      '/clusters/a/pods/b/c/logs',
      '/sign-in?next=%2Fx',
    ]) {
      const [p, q] = href.split('?');
      expect(hrefOf(matchRoute(p!, q ? `?${q}` : ''))).toBe(href);
    }
  });

  it('changes a query in a stable order', () => {
    expect(withQuery('?b=1&a=2', { c: '3', b: null })).toBe('?a=2&c=3');
    expect(withQuery('?a=1', { a: '' })).toBe('');
  });
});

describe('annotateLines', () => {
  const d = (file: string, line: number, column = 1): Diagnostic => ({
    severity: 'error',
    file,
    line,
    column,
    path: 'spec',
    code: 'x',
    message: `at ${line}:${column}`,
  });

  it('puts each diagnostic under its line, in column order; others apart', () => {
    const { lines, elsewhere } = annotateLines(
      'a\r\nb\nc\n',
      [d('f.yaml', 2, 5), d('f.yaml', 2, 1), d('g.yaml', 1), d('f.yaml', 9)],
      'f.yaml',
    );
    expect(lines.map((l) => l.text)).toEqual(['a', 'b', 'c']);
    expect(lines[1]!.diagnostics.map((x) => x.column)).toEqual([1, 5]);
    expect(elsewhere.map((x) => `${x.file}:${x.line}`)).toEqual(['g.yaml:1', 'f.yaml:9']);
  });
});

describe('theme', () => {
  it('follows the system unless chosen, and the toggle goes to the opposite of what is shown', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('light', true)).toBe('light');
    expect(toggledTheme('system', true)).toBe('light');
    expect(toggledTheme('system', false)).toBe('dark');
    expect(toggledTheme('dark', false)).toBe('light');
    expect(parseThemeChoice('purple')).toBe('system');
  });
});

describe('phaseSteps', () => {
  const states = (status: Parameters<typeof phaseSteps>[0], phase: string | null) =>
    phaseSteps(status, phase).map((s) => s.state);
  it('shows where a sync is and where it failed', () => {
    expect(states('Syncing', 'Validating')).toEqual(['done', 'current', 'todo', 'todo']);
    expect(states('Error', 'Applying')).toEqual(['done', 'done', 'failed', 'todo']);
    expect(states('Synced', 'Completed')).toEqual(['done', 'done', 'done', 'done']);
    expect(states('Synced', null)).toEqual(['done', 'done', 'done', 'done']);
    expect(states('NotConfigured', null)).toEqual(['todo', 'todo', 'todo', 'todo']);
    expect(states('Syncing', 'Unknown')).toEqual(['todo', 'todo', 'todo', 'todo']);
  });
});
