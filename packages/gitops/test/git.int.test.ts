import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GitServer, startGitServer } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  atCommit,
  GitAuthError,
  GitCache,
  GitError,
  GitopsError,
  GitRefNotFoundError,
  GitRepoNotFoundError,
  RepoFileNotFoundError,
  RepoPathError,
  runGit,
} from '../src/index.ts';
import { WorkClone } from './gitFixtures.ts';

const TOKEN = 's3cret-token-value-123';

let work: string;
let open: GitServer;
let secured: GitServer;
let openUrl: string;
let securedUrl: string;
let clone: WorkClone;
let first: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mooring-gitops-git-'));
  open = await startGitServer(join(work, 'open'));
  secured = await startGitServer(join(work, 'secured'), { token: TOKEN });
  openUrl = open.createRepo('defs');
  securedUrl = secured.createRepo('private');
  clone = new WorkClone(openUrl);
  first = clone.commit({
    'cluster.yaml': 'kind: ImportCluster\n',
    'manifests/ns.yaml': 'kind: Namespace\n',
    'manifests/deep/cm.yaml': 'kind: ConfigMap\n',
  });
  await clone.push('main');
  clone.git('tag', 'v1');
  await clone.gitAsync('push', '-q', openUrl, 'refs/tags/v1');
  const priv = new WorkClone(securedUrl.replace('http://', `http://x:${TOKEN}@`));
  priv.commit({ 'secret.yaml': 'a: 1\n' });
  await priv.push('main');
});

afterAll(async () => {
  await open?.stop();
  await secured?.stop();
  rmSync(work, { recursive: true, force: true });
});

function newCache(): GitCache {
  return new GitCache({ dir: mkdtempSync(join(work, 'cache-')) });
}

describe('GitCache over the real git http server', () => {
  it('fetches a branch, reports the SHA and materialises a read-only tree', async () => {
    const cache = newCache();
    const res = await cache.checkout({ url: openUrl, ref: 'main' });
    expect(res.sha).toBe(first);
    expect(res.contactedRemote).toBe(true);
    expect(readFileSync(join(res.dir, 'cluster.yaml'), 'utf8')).toBe('kind: ImportCluster\n');
    expect(statSync(join(res.dir, 'cluster.yaml')).mode & 0o222).toBe(0);
    expect(statSync(join(res.dir, 'manifests')).mode & 0o222).toBe(0);
    expect(existsSync(join(res.dir, '.git'))).toBe(false);
    // a second materialise of the same SHA reuses the directory
    expect(await cache.materialise(openUrl, res.sha)).toBe(res.dir);
    await cache.removeTree(res.sha);
    expect(existsSync(res.dir)).toBe(false);
  });

  it('fetches a tag and a full ref', async () => {
    const cache = newCache();
    expect((await cache.fetch({ url: openUrl, ref: 'v1' })).sha).toBe(first);
    expect((await cache.fetch({ url: openUrl, ref: 'refs/heads/main' })).sha).toBe(first);
  });

  it('fetches a commit by SHA and skips the network when it is already cached', async () => {
    const cache = newCache();
    const a = await cache.fetch({ url: openUrl, ref: first });
    expect(a.sha).toBe(first);
    expect(a.contactedRemote).toBe(true);
    const b = await cache.fetch({ url: openUrl, ref: first });
    expect(b.contactedRemote).toBe(false);
  });

  it('sees a moved branch through an incremental fetch into the same repository', async () => {
    const cache = newCache();
    const before = await cache.fetch({ url: openUrl, ref: 'main' });
    const second = clone.commit({ 'manifests/ns.yaml': 'kind: Namespace\nmetadata: {name: x}\n' }, 'second');
    await clone.push('main');
    const after = await cache.fetch({ url: openUrl, ref: 'main' });
    expect(after.gitDir).toBe(before.gitDir);
    expect(after.sha).toBe(second);
    expect(after.sha).not.toBe(before.sha);
    // the old commit is still readable from the same cache
    const reader = cache.reader(openUrl);
    expect(await reader.readFile('manifests/ns.yaml', before.sha)).toBe('kind: Namespace\n');
    expect(await reader.readFile('manifests/ns.yaml', second)).toContain('name: x');
  });

  it('fetches a feature branch with a slash in its name', async () => {
    const c2 = new WorkClone(openUrl);
    await c2.gitAsync('fetch', '-q', openUrl, 'main');
    c2.git('checkout', '-q', '-b', 'feature/x', 'FETCH_HEAD');
    const sha = c2.commit({ 'feature.txt': 'x' });
    await c2.push('feature/x');
    expect((await newCache().fetch({ url: openUrl, ref: 'feature/x' })).sha).toBe(sha);
  });

  it('throws GitRefNotFoundError for a missing branch and a missing commit', async () => {
    const cache = newCache();
    await expect(cache.fetch({ url: openUrl, ref: 'nope' })).rejects.toBeInstanceOf(GitRefNotFoundError);
    const err = await cache.fetch({ url: openUrl, ref: 'f'.repeat(40) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitRefNotFoundError);
    expect((err as GitRefNotFoundError).code).toBe('ref_not_found');
  });

  it('throws GitRepoNotFoundError for a missing repository', async () => {
    await expect(newCache().fetch({ url: `${open.url}/missing.git`, ref: 'main' })).rejects.toBeInstanceOf(
      GitRepoNotFoundError,
    );
  });

  it('authenticates with a token passed outside argv, and rejects a wrong or missing one', async () => {
    const cache = newCache();
    const ok = await cache.fetch({ url: securedUrl, ref: 'main', auth: { kind: 'token', token: TOKEN } });
    expect(ok.sha).toMatch(/^[0-9a-f]{40}$/);

    const wrong = await newCache()
      .fetch({ url: securedUrl, ref: 'main', auth: { kind: 'token', token: 'wrong-token-xyz' } })
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(GitAuthError);
    const w = wrong as GitAuthError;
    expect(w.code).toBe('auth');
    expect(w.command).toContain('git');
    expect(w.command).not.toContain('wrong-token-xyz');
    expect(w.stderr).not.toContain('wrong-token-xyz');
    expect(JSON.stringify({ m: w.message, c: w.command, s: w.stderr })).not.toContain(
      Buffer.from('x-access-token:wrong-token-xyz').toString('base64'),
    );

    await expect(newCache().fetch({ url: securedUrl, ref: 'main' })).rejects.toBeInstanceOf(GitAuthError);
  });

  it('refuses credentials embedded in the URL and never echoes them', async () => {
    const url = securedUrl.replace('http://', `http://x:${TOKEN}@`);
    const err = await newCache()
      .fetch({ url, ref: 'main' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitopsError);
    expect((err as Error).message).not.toContain(TOKEN);
  });

  it('refuses refs that could inject options or refspecs', async () => {
    for (const ref of ['--upload-pack=evil', 'main:refs/heads/x', 'a..b', 'x y']) {
      await expect(newCache().fetch({ url: openUrl, ref })).rejects.toMatchObject({ code: 'invalid_input' });
    }
  });

  it('fetches over file:// and shallow', async () => {
    const cache = new GitCache({ dir: mkdtempSync(join(work, 'cache-')), depth: 1 });
    const bare = join(open.root, 'defs.git');
    const res = await cache.checkout({ url: `file://${bare}`, ref: 'main' });
    expect(res.sha).toBe(clone.git('rev-parse', 'HEAD'));
    expect(existsSync(join(res.gitDir, 'shallow'))).toBe(true);
    expect(readFileSync(join(res.dir, 'cluster.yaml'), 'utf8')).toContain('ImportCluster');
  });

  it('authenticates over ssh with a key in a 0600 file (ssh stand-in runs the remote command)', async () => {
    // a stand-in for ssh: checks the key file and options, then runs git-upload-pack locally
    const sshStub = join(work, 'fake-ssh.sh');
    const log = join(work, 'fake-ssh.log');
    writeFileSync(
      sshStub,
      `#!/bin/sh
key=""; strict=""
while [ $# -gt 1 ]; do
  case "$1" in
    -i) key="$2"; shift 2;;
    -o) case "$2" in StrictHostKeyChecking=*) strict="$2";; esac; shift 2;;
    -F) shift 2;;
    -*) shift;;
    *) host="$1"; shift;;
  esac
done
printf '%s %s %s\\n' "$(stat -c %a "$key")" "$(cat "$key" | head -c 9)" "$strict" > ${JSON.stringify(log)}
exec sh -c "$1"
`,
    );
    chmodSync(sshStub, 0o755);
    const cache = new GitCache({ dir: mkdtempSync(join(work, 'cache-')), sshProgram: sshStub });
    const url = `ssh://git@example.invalid${join(open.root, 'defs.git')}`;
    const res = await cache.fetch({
      url,
      ref: 'main',
      auth: { kind: 'ssh', privateKey: 'KEYDATA-not-a-real-key' },
    });
    expect(res.sha).toBe(clone.git('rev-parse', 'HEAD'));
    expect(readFileSync(log, 'utf8').trim()).toBe('600 KEYDATA-n StrictHostKeyChecking=accept-new');
  });

  it('reads through the RepoReader interface, pinned to a commit', async () => {
    const cache = newCache();
    const reader = cache.reader(openUrl);
    const sha = await reader.resolveRef('main');
    const files = atCommit(reader, sha);
    expect((await files.listFiles('')).map((e) => `${e.type}:${e.path}`)).toEqual(
      expect.arrayContaining(['file:cluster.yaml', 'dir:manifests']),
    );
    expect(await files.walkFiles('manifests', (p) => p.endsWith('.yaml'))).toEqual([
      'manifests/deep/cm.yaml',
      'manifests/ns.yaml',
    ]);
    await expect(files.readFile('missing.yaml')).rejects.toBeInstanceOf(RepoFileNotFoundError);
    await expect(files.readFile('../etc/passwd')).rejects.toBeInstanceOf(RepoPathError);
  });

  it('does not follow symbolic links out of the tree', async () => {
    const c3 = new WorkClone(openUrl);
    await c3.gitAsync('fetch', '-q', openUrl, 'main');
    c3.git('checkout', '-q', '-b', 'links', 'FETCH_HEAD');
    c3.git('commit', '-q', '--allow-empty', '-m', 'x');
    const { symlinkSync } = await import('node:fs');
    symlinkSync('/etc/hostname', join(c3.dir, 'escape.yaml'));
    symlinkSync('cluster.yaml', join(c3.dir, 'inside.yaml'));
    c3.git('add', '-A');
    c3.git('commit', '-q', '-m', 'links');
    await c3.push('links');
    const reader = newCache().reader(openUrl);
    const sha = await reader.resolveRef('links');
    await expect(reader.readFile('escape.yaml', sha)).rejects.toBeInstanceOf(RepoPathError);
    expect(await reader.readFile('inside.yaml', sha)).toContain('ImportCluster');
  });

  it('runGit wraps failures in GitError with command and exit code', async () => {
    const err = await runGit(['rev-parse', '--verify', 'nothing'], { gitDir: join(work, 'nope.git') }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).exitCode).not.toBe(0);
    expect((err as GitError).command).toContain('rev-parse');
  });

  it('serialises concurrent fetches of one repository and prunes trees', async () => {
    const cache = newCache();
    const results = await Promise.all([
      cache.checkout({ url: openUrl, ref: 'main' }),
      cache.checkout({ url: openUrl, ref: 'main' }),
      cache.checkout({ url: openUrl, ref: first }),
    ]);
    expect(results[0]?.sha).toBe(results[1]?.sha);
    expect(results[2]?.sha).toBe(first);
    const head = results[0]?.sha ?? '';
    const removed = await cache.pruneTrees([head]);
    expect(removed).toEqual(head === first ? [] : [first]);
    expect(existsSync(results[0]?.dir ?? '')).toBe(true);
  });

  it('re-fetches an unchanged repository incrementally and fast', async () => {
    const cache = newCache();
    await cache.fetch({ url: openUrl, ref: 'main' });
    const times: number[] = [];
    for (let i = 0; i < 10; i++) times.push((await cache.fetch({ url: openUrl, ref: 'main' })).durationMs);
    times.sort((a, b) => a - b);
    const median = times[5] ?? 0;
    console.log(
      `incremental re-fetch of an unchanged repo: median ${median.toFixed(1)} ms, min ${times[0]?.toFixed(1)} ms, max ${times[9]?.toFixed(1)} ms (10 runs)`,
    );
    expect(median).toBeLessThan(2000);
  });
});
