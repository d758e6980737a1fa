import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { memberChanges } from '../src/gitops/changes.ts';
import { commitUrl, locateRepository, providerApiOf } from '../src/gitops/location.ts';
import { SecretBox, SecretDecryptError, secretKeyFrom } from '../src/gitops/secretBox.ts';
import { loadSecretBox, SECRET_KEY_FILE } from '../src/gitops/secretKeyFile.ts';
import { mismatchWarnings } from '../src/gitops/views.ts';

const key = () => randomBytes(32).toString('base64');

describe('secrets at rest (AES-256-GCM)', () => {
  it('round-trips, never holds the plaintext, and is bound to its purpose', () => {
    const box = new SecretBox(secretKeyFrom(key()));
    const sealed = box.encrypt('ghp_verysecret', 'row-1');
    expect(sealed).toMatch(/^v1:[0-9a-f]{16}:/);
    expect(sealed).not.toContain('ghp_verysecret');
    expect(box.encrypt('ghp_verysecret', 'row-1')).not.toBe(sealed); // a fresh nonce each time
    expect(box.decrypt(sealed, 'row-1')).toBe('ghp_verysecret');
    expect(() => box.decrypt(sealed, 'row-2')).toThrow(SecretDecryptError);
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}A`;
    expect(() => box.decrypt(tampered, 'row-1')).toThrow(SecretDecryptError);
  });

  it('rotation: the previous key still decrypts, reseal moves a value to the current key', () => {
    const old = secretKeyFrom(key());
    const sealed = new SecretBox(old).encrypt('pw', 'x');
    const rotated = new SecretBox(secretKeyFrom(key()), [old]);
    expect(rotated.isStale(sealed)).toBe(true);
    const resealed = rotated.reseal(sealed, 'x');
    expect(rotated.isStale(resealed)).toBe(false);
    expect(rotated.decrypt(resealed, 'x')).toBe('pw');
    expect(() => new SecretBox(secretKeyFrom(key())).decrypt(sealed, 'x')).toThrow(/not configured/);
  });

  it('without a configured key, one is generated once into the data directory (0600)', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mooring-key-'));
    const config = loadConfig({ MOORING_DATA_DIR: dataDir });
    const first = loadSecretBox(config);
    expect(first.source).toBe('file');
    const file = join(dataDir, SECRET_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadSecretBox(config);
    expect(again.box.current.id).toBe(first.box.current.id);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    const configured = loadSecretBox(loadConfig({ MOORING_DATA_DIR: dataDir, MOORING_SECRET_KEY: key() }));
    expect(configured.source).toBe('config');
  });

  it('the settings refuse a key that is not 32 bytes, without showing it', () => {
    expect(() => loadConfig({ MOORING_SECRET_KEY: 'c2hvcnQta2V5' })).toThrow(
      /MOORING_SECRET_KEY: must be 32 bytes/,
    );
    try {
      loadConfig({ MOORING_SECRET_KEY: 'c2hvcnQta2V5' });
    } catch (e) {
      expect((e as Error).message).not.toContain('c2hvcnQta2V5');
    }
    expect(loadConfig({}).gitPollSeconds).toBe(60);
    expect(loadConfig({ MOORING_GIT_POLL_SECONDS: '15' }).gitPollSeconds).toBe(15);
  });
});

describe('repository locations', () => {
  it.each([
    {
      name: 'git over http',
      git: { provider: 'git' as const, repository: 'http://127.0.0.1:9/acme/fleet.git' },
      url: 'http://127.0.0.1:9/acme/fleet.git',
      fullName: 'acme/fleet',
      branch: 'main',
    },
    {
      name: 'git over ssh, scp-like',
      git: { provider: 'git' as const, repository: 'git@git.example.com:ops/fleet.git', branch: 'prod' },
      url: 'git@git.example.com:ops/fleet.git',
      fullName: 'ops/fleet',
      branch: 'prod',
    },
    {
      name: 'github owner/repo',
      git: { provider: 'github' as const, repository: 'acme/fleet', credentialName: 'gh' },
      url: 'https://github.com/acme/fleet.git',
      fullName: 'acme/fleet',
      branch: 'main',
    },
    {
      name: 'bitbucket cloud workspace and slug',
      git: { provider: 'bitbucket_cloud' as const, workspace: 'acme', repoSlug: 'fleet' },
      url: 'https://bitbucket.org/acme/fleet.git',
      fullName: 'acme/fleet',
      branch: 'main',
    },
    {
      name: 'bitbucket data center',
      git: {
        provider: 'bitbucket_data_center' as const,
        instanceUrl: 'https://bb.example.com/',
        projectKey: 'OPS',
        repoSlug: 'fleet',
      },
      url: 'https://bb.example.com/scm/ops/fleet.git',
      fullName: 'OPS/fleet',
      branch: 'main',
    },
  ])('$name', (c) => {
    const r = locateRepository(c.git);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.location).toMatchObject({ url: c.url, fullName: c.fullName, branch: c.branch });
  });

  it.each([
    ['no git_repository', undefined, /no spec.git_repository/],
    [
      'a git provider without a URL',
      { provider: 'git' as const, repository: 'mooring/examples' },
      /must be a Git URL/,
    ],
    [
      'credentials in the URL',
      { provider: 'git' as const, repository: 'https://u:p@h/x.git' },
      /credential_name/,
    ],
    [
      'data center without a project',
      { provider: 'bitbucket_data_center' as const, instanceUrl: 'https://bb' },
      /project_key/,
    ],
  ])('not configured: %s', (_n, git, reason) => {
    const r = locateRepository(git);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('links a commit to its provider page', () => {
    const sha = 'f'.repeat(40);
    expect(commitUrl('github', 'https://github.com/acme/fleet.git', sha)).toBe(
      `https://github.com/acme/fleet/commit/${sha}`,
    );
    expect(commitUrl('bitbucket_cloud', 'https://bitbucket.org/acme/fleet.git', sha)).toBe(
      `https://bitbucket.org/acme/fleet/commits/${sha}`,
    );
    expect(commitUrl('bitbucket_data_center', 'https://bb.example.com/scm/ops/fleet.git', sha)).toBe(
      `https://bb.example.com/projects/OPS/repos/fleet/commits/${sha}`,
    );
    expect(commitUrl('git', 'git@github.com:acme/fleet.git', sha)).toBe(
      `https://github.com/acme/fleet/commit/${sha}`,
    );
    expect(commitUrl('git', 'http://127.0.0.1:9/acme/fleet.git', sha)).toBeUndefined();
    expect(commitUrl('git', 'file:///srv/fleet.git', sha)).toBeUndefined();
    expect(commitUrl('github', 'http://127.0.0.1:9/acme/fleet.git', sha)).toBe(
      `http://127.0.0.1:9/acme/fleet/commit/${sha}`,
    );
  });

  it('reads github and bitbucket through their APIs, git through the git CLI', () => {
    const at = (git: Parameters<typeof locateRepository>[0]) => {
      const r = locateRepository(git);
      if (!r.ok) throw new Error(r.reason);
      return providerApiOf(r.location);
    };
    expect(at({ provider: 'github', repository: 'acme/fleet' })).toEqual({
      provider: 'github',
      apiUrl: 'https://api.github.com',
      repository: 'acme/fleet',
    });
    expect(
      at({ provider: 'github', repository: 'acme/fleet', instanceUrl: 'https://ghe.example.com/' }),
    ).toEqual({ provider: 'github', apiUrl: 'https://ghe.example.com/api/v3', repository: 'acme/fleet' });
    expect(at({ provider: 'bitbucket_cloud', workspace: 'acme', repoSlug: 'fleet' })).toEqual({
      provider: 'bitbucket_cloud',
      workspace: 'acme',
      repoSlug: 'fleet',
    });
    expect(
      at({
        provider: 'bitbucket_data_center',
        instanceUrl: 'https://bb.example.com/bitbucket',
        projectKey: 'OPS',
        repoSlug: 'fleet',
      }),
    ).toEqual({
      provider: 'bitbucket_data_center',
      instanceUrl: 'https://bb.example.com/bitbucket',
      projectKey: 'OPS',
      repoSlug: 'fleet',
    });
    expect(at({ provider: 'git', repository: 'https://github.com/acme/fleet.git' })).toBeUndefined();
  });
});

describe('changed members', () => {
  it('only new or changed hashes are sent; removed members are named', () => {
    const planned = new Map([
      ['manifest/ns', 'h1'],
      ['addon/podinfo', 'h2-new'],
      ['addon/redis', 'h3'],
    ]);
    expect(memberChanges({ 'manifest/ns': 'h1', 'addon/podinfo': 'h2', 'addon/old': 'h9' }, planned)).toEqual(
      {
        changed: ['addon/podinfo', 'addon/redis'],
        removed: ['addon/old'],
        unchanged: ['manifest/ns'],
      },
    );
    expect(memberChanges({}, planned).changed).toHaveLength(3);
  });
});

describe('observed versus configured', () => {
  const configured = { url: 'http://h/acme/fleet.git', branch: 'main', fullName: 'acme/fleet' };
  const observed = {
    provider: 'git',
    url: configured.url,
    branch: 'main',
    path: 'clusters/a/cluster.yaml',
    commit: 'a'.repeat(40),
    definition: { cluster: 'a', provider: 'git', repository: configured.url, branch: 'main' },
  };
  it('no warning when what was read is what is configured', () => {
    expect(mismatchWarnings(configured, observed, observed.commit, observed.commit, 'a')).toEqual([]);
  });
  it('warns about another branch, another repository, another cluster name, and a head not synced', () => {
    const w = mismatchWarnings(
      configured,
      { ...observed, definition: { cluster: 'b', repository: 'other/repo', branch: 'dev' } },
      'b'.repeat(40),
      observed.commit,
      'a',
    );
    expect(w).toHaveLength(4);
    expect(w.join('\n')).toMatch(/names branch "dev"; the cluster follows "main"/);
    expect(w.join('\n')).toMatch(/the branch head is bbbbbbb but the cluster is synced to aaaaaaa/);
  });
});
