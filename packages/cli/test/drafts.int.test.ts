import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GitServer, startGitServer } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkClone } from '../../gitops/test/gitFixtures.ts';
import { mooring, startTestPlatform, type TestPlatform } from './support/platform.ts';

// `mooring drafts` against a real platform and the kit's Git server: a draft created, a stack
// and an add-on added from a values file, validated, published as one commit, seen in Git.
let p: TestPlatform;
let cwd: string;
let git: GitServer;
let clone: WorkClone;
const path = 'clusters/cli/cluster.yaml';

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'mooring-cli-drafts-'));
  git = await startGitServer(join(cwd, 'git'));
  const url = git.createRepo('acme/cli');
  clone = new WorkClone(url);
  const definition = `apiVersion: v1
kind: ImportCluster
metadata:
  name: cli
spec:
  git_repository: {provider: git, repository: ${url}, branch: main}
  stacks:
    - name: base # the first stack
      manifests:
        - name: ns
          manifest: |
            apiVersion: v1
            kind: Namespace
            metadata:
              name: cli-apps
`;
  clone.commit({ [path]: definition }, 'the cluster');
  await clone.push();
  p = await startTestPlatform({ MOORING_GIT_POLL_SECONDS: '3600' });
  const login = await mooring(['login', p.url, '--username', p.username, '--password-stdin'], {
    cwd,
    stdin: p.password,
  });
  expect(login.code, login.err).toBe(0);
  mkdirSync(join(cwd, 'clusters/cli'), { recursive: true });
  writeFileSync(join(cwd, path), definition);
  const imported = await mooring(['cluster', 'import', '-f', path, '--root', '.', '-o', 'json'], { cwd });
  expect(imported.code, imported.err).toBe(0);
}, 120_000);

afterAll(async () => {
  await p?.close();
  await git?.stop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe('mooring drafts', () => {
  it('create, stack, addon, validate, show, publish: one commit in Git', async () => {
    const created = await mooring(['drafts', 'create', 'cli', '--title', 'Add apps', '-o', 'json'], { cwd });
    expect(created.code, created.err).toBe(0);
    const id = (JSON.parse(created.out) as { id: string }).id;

    expect((await mooring(['drafts', 'stack', 'cli', id, 'apps', '--wave', '2'], { cwd })).out).toBe(
      'stack apps added\n',
    );
    writeFileSync(join(cwd, 'web.yaml'), 'replicaCount: 2\n');
    const addon = await mooring(
      [
        'drafts',
        'addon',
        'cli',
        id,
        'apps',
        'web',
        '--chart-name',
        'podinfo',
        '--repository-url',
        'https://stefanprodan.github.io/podinfo',
        '--version',
        '6.5.0',
        '-n',
        'cli-apps',
        '-f',
        'web.yaml',
      ],
      { cwd },
    );
    expect(addon.code, addon.err).toBe(0);
    expect(addon.out).toBe('add-on web added\n');
    // a parent that does not exist: invalid, exit 1, located
    await mooring(['drafts', 'addon', 'cli', id, 'apps', 'web', '--parent', 'manifest/nope'], { cwd });
    const invalid = await mooring(['drafts', 'validate', 'cli', id], { cwd });
    expect(invalid.code).toBe(1);
    expect(invalid.out).toMatch(new RegExp(`^${path}:\\d+:\\d+: error: .*nope`, 'm'));
    expect(invalid.out).toMatch(/invalid\n$/);
    await mooring(['drafts', 'addon', 'cli', id, 'apps', 'web', '--parent', 'manifest/ns'], { cwd });
    // a parent in another stack deploys in an earlier wave
    expect((await mooring(['drafts', 'stack', 'cli', id, 'base', '--wave', '1'], { cwd })).out).toBe(
      'stack base changed\n',
    );
    const valid = await mooring(['drafts', 'validate', 'cli', id], { cwd });
    expect(valid.code, valid.out).toBe(0);

    const show = await mooring(['drafts', 'show', 'cli', id], { cwd });
    expect(show.out).toContain('stack apps (wave 2)');
    expect(show.out).toContain('addon web podinfo@6.5.0 <- manifest/ns  (clusters/cli/values/web.yaml)');
    expect(show.out).toMatch(/added +clusters\/cli\/values\/web\.yaml/);

    const published = await mooring(['drafts', 'publish', 'cli', id, '--author-email', 'bob@example.com'], {
      cwd,
    });
    expect(published.code, published.err).toBe(0);
    expect(published.out).toMatch(/^published [0-9a-f]{12} to main\n/);
    await clone.gitAsync('fetch', '-q', clone.remote, 'main');
    expect(clone.git('log', '-1', '--format=%ae %s', 'FETCH_HEAD')).toBe('bob@example.com Add apps');
    expect(clone.git('show', `FETCH_HEAD:${path}`)).toContain('- name: base # the first stack');
    expect(clone.git('show', 'FETCH_HEAD:clusters/cli/values/web.yaml')).toBe('replicaCount: 2');

    const list = await mooring(['drafts', 'list', 'cli'], { cwd });
    expect(list.out).toMatch(new RegExp(`${id} +Add apps +published [0-9a-f]{12}`));
    const again = await mooring(['drafts', 'stack', 'cli', id, 'more'], { cwd });
    expect(again.code).toBe(6);
    expect(again.err).toContain('was published');
  }, 120_000);
});
