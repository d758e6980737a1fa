import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allFiles,
  atCommit,
  BitbucketCloudReader,
  BitbucketDcReader,
  GitHubReader,
  ProviderAuthError,
  ProviderNotFoundError,
  ProviderRateLimitError,
  ProviderRefNotFoundError,
  RepoFileNotFoundError,
  RepoPathError,
  type RepoReader,
  readAllFiles,
} from '../src/index.ts';
import {
  type FakeServer,
  MemoryRepo,
  startFakeBitbucketCloud,
  startFakeBitbucketDc,
  startFakeGitHub,
} from './fakeApis.ts';

const FILES = {
  'cluster.yaml': 'kind: ImportCluster\nmetadata:\n  name: c\n',
  'manifests/a.yaml': 'kind: Namespace\n',
  'manifests/b.yml': 'kind: ConfigMap\n',
  'manifests/sub/c.yaml': 'kind: Secret\n',
  'manifests/readme.md': '# x\n',
  'addons/one.yaml': 'name: one\n',
  'dir with space/ü.yaml': 'x: ü\n',
};

function repo(): { data: MemoryRepo; main: string; old: string } {
  const data = new MemoryRepo();
  const old = data.commit('main', { 'cluster.yaml': 'old\n' });
  const main = data.commit('main', FILES);
  data.branches.set('feature/x', old);
  data.tags.set('v1', old);
  return { data, main, old };
}

/** The same behaviour, whatever the provider. */
function contract(name: string, make: () => { reader: RepoReader; main: string; old: string }) {
  describe(`${name}: RepoReader contract`, () => {
    it('resolves a branch, a branch with a slash, a tag and a SHA', async () => {
      const { reader, main, old } = make();
      expect(await reader.resolveRef('main')).toBe(main);
      expect(await reader.resolveRef('feature/x')).toBe(old);
      expect(await reader.resolveRef('v1')).toBe(old);
      expect(await reader.resolveRef(main)).toBe(main);
    });

    it('reads files at a commit, not at the branch tip', async () => {
      const { reader, main, old } = make();
      expect(await reader.readFile('cluster.yaml', main)).toBe(FILES['cluster.yaml']);
      expect(await reader.readFile('./cluster.yaml', old)).toBe('old\n');
      expect(await reader.readFile('dir with space/ü.yaml', main)).toBe('x: ü\n');
    });

    it('lists directories and walks them recursively in a stable order', async () => {
      const { reader, main } = make();
      const root = await reader.listFiles('', main);
      expect(root.map((e) => `${e.type}:${e.path}`)).toEqual([
        'dir:addons',
        'file:cluster.yaml',
        'dir:dir with space',
        'dir:manifests',
      ]);
      const files = atCommit(reader, main);
      expect(await files.walkFiles('manifests', (p) => /\.ya?ml$/.test(p))).toEqual([
        'manifests/a.yaml',
        'manifests/b.yml',
        'manifests/sub/c.yaml',
      ]);
      const all = await readAllFiles(reader, main);
      expect(Object.fromEntries(all)).toEqual(FILES);
    });

    it('lists every file of a commit (one call where the provider has one), sorted', async () => {
      const { reader, main, old } = make();
      expect(await allFiles(reader, main)).toEqual(Object.keys(FILES).sort());
      expect(await allFiles(reader, old)).toEqual(['cluster.yaml']);
    });

    it('reports a missing file, a missing directory and a missing ref with typed errors', async () => {
      const { reader, main } = make();
      await expect(reader.readFile('nope.yaml', main)).rejects.toBeInstanceOf(RepoFileNotFoundError);
      await expect(reader.listFiles('nope', main)).rejects.toBeInstanceOf(RepoFileNotFoundError);
      const err = await reader.resolveRef('no-such-branch').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderRefNotFoundError);
      expect((err as ProviderRefNotFoundError).code).toBe('ref_not_found');
      await expect(reader.readFile('../x', main)).rejects.toBeInstanceOf(RepoPathError);
    });
  });
}

const servers: FakeServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

// ---------------------------------------------------------------- GitHub
let gh: FakeServer;
let ghRepo: ReturnType<typeof repo>;
let rateLimited = false;
beforeAll(async () => {
  ghRepo = repo();
  gh = await startFakeGitHub({
    owner: 'my-org',
    repo: 'gitops',
    data: ghRepo.data,
    token: 'ghp_abcdefghijklmnopqrstuvwxyz012345',
    largeFiles: ['manifests/sub/c.yaml'],
    rateLimited: () => rateLimited,
  });
  servers.push(gh);
});

contract('GitHub', () => ({
  reader: new GitHubReader({
    repository: 'my-org/gitops',
    token: 'ghp_abcdefghijklmnopqrstuvwxyz012345',
    baseUrl: gh.url,
  }),
  main: ghRepo.main,
  old: ghRepo.old,
}));

describe('GitHub specifics', () => {
  it('sends a Bearer token, the API version and asks contents at ?ref=SHA', async () => {
    const r = new GitHubReader({
      repository: 'my-org/gitops',
      token: 'ghp_abcdefghijklmnopqrstuvwxyz012345',
      baseUrl: gh.url,
    });
    gh.requests.length = 0;
    await r.readFile('cluster.yaml', ghRepo.main);
    expect(gh.requests[0]?.line).toBe(`GET /repos/my-org/gitops/contents/cluster.yaml?ref=${ghRepo.main}`);
    expect(gh.requests[0]?.auth).toBe('Bearer ghp_abcdefghijklmnopqrstuvwxyz012345');
  });

  it('wrong token → ProviderAuthError without the token in it', async () => {
    const r = new GitHubReader({
      repository: 'my-org/gitops',
      token: 'ghp_wrongwrongwrongwrongwrong0000',
      baseUrl: gh.url,
    });
    const err = await r.resolveRef('main').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderAuthError);
    expect((err as ProviderAuthError).status).toBe(401);
    expect(JSON.stringify({ ...(err as object), m: (err as Error).message })).not.toContain('wrongwrong');
  });

  it('no token on a private repository → repository not found', async () => {
    const r = new GitHubReader({ repository: 'my-org/gitops', baseUrl: gh.url });
    await expect(r.resolveRef('main')).rejects.toBeInstanceOf(ProviderNotFoundError);
  });

  it('a rate limit → ProviderRateLimitError with the reset time', async () => {
    rateLimited = true;
    try {
      const r = new GitHubReader({
        repository: 'my-org/gitops',
        token: 'ghp_abcdefghijklmnopqrstuvwxyz012345',
        baseUrl: gh.url,
      });
      const err = await r.resolveRef('main').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderRateLimitError);
      expect((err as ProviderRateLimitError).resetAt).toBe(2_000_000_000_000);
    } finally {
      rateLimited = false;
    }
  });

  it('lists a commit with one recursive Git Trees call; a truncated tree is walked instead', async () => {
    const token = 'ghp_abcdefghijklmnopqrstuvwxyz012345';
    const r = new GitHubReader({ repository: 'my-org/gitops', token, baseUrl: gh.url });
    gh.requests.length = 0;
    expect(await r.listAllFiles(ghRepo.main)).toEqual(Object.keys(FILES).sort());
    expect(gh.requests.map((q) => q.line)).toEqual([
      `GET /repos/my-org/gitops/git/trees/${ghRepo.main}?recursive=1`,
    ]);
    const big = await startFakeGitHub({
      owner: 'my-org',
      repo: 'gitops',
      data: ghRepo.data,
      pathPrefix: '/api/v3',
      truncatedTrees: true,
    });
    servers.push(big);
    const ghes = new GitHubReader({ repository: 'my-org/gitops', baseUrl: `${big.url}/api/v3` });
    expect(await ghes.listAllFiles(ghRepo.main)).toEqual(Object.keys(FILES).sort());
    expect(big.requests[0]?.line).toBe(
      `GET /api/v3/repos/my-org/gitops/git/trees/${ghRepo.main}?recursive=1`,
    );
    expect(big.requests.some((q) => q.line.includes('/contents/manifests/sub?'))).toBe(true);
  });

  it('rejects a repository that is not owner/repo', () => {
    expect(() => new GitHubReader({ repository: 'just-a-name' })).toThrow(/owner\/repo/);
  });
});

// ---------------------------------------------------------------- Bitbucket Cloud
let bbc: Awaited<ReturnType<typeof startFakeBitbucketCloud>>;
let bbcRepo: ReturnType<typeof repo>;
const refreshTokens = new Set(['rt-initial']);
beforeAll(async () => {
  bbcRepo = repo();
  bbc = await startFakeBitbucketCloud({
    workspace: 'ws',
    slug: 'gitops',
    data: bbcRepo.data,
    clientId: 'client-id',
    clientSecret: 'client-secret-value',
    refreshTokens,
  });
  servers.push(bbc);
});

function cloudReader(extra: Partial<ConstructorParameters<typeof BitbucketCloudReader>[0]> = {}) {
  return new BitbucketCloudReader({
    workspace: 'ws',
    repoSlug: 'gitops',
    baseUrl: bbc.url,
    tokenUrl: `${bbc.url}/site/oauth2/access_token`,
    auth: { kind: 'oauth', clientId: 'client-id', clientSecret: 'client-secret-value' },
    pageLength: 2,
    ...extra,
  });
}

contract('Bitbucket Cloud', () => ({ reader: cloudReader(), main: bbcRepo.main, old: bbcRepo.old }));

describe('Bitbucket Cloud specifics', () => {
  it('follows `next` across pages of a directory listing', async () => {
    bbc.requests.length = 0;
    const entries = await cloudReader().listFiles('manifests', bbcRepo.main);
    expect(entries.map((e) => e.name)).toEqual(['a.yaml', 'b.yml', 'readme.md', 'sub']);
    const pages = bbc.requests.filter((r) => r.line.includes('/src/'));
    expect(pages).toHaveLength(2);
    expect(pages[1]?.line).toContain('page=2');
  });

  it('gets a token with client_credentials, then refreshes with the refresh token after a 401', async () => {
    const seen: string[] = [];
    const r = cloudReader({
      auth: {
        kind: 'oauth',
        clientId: 'client-id',
        clientSecret: 'client-secret-value',
        onTokens: (t) => {
          seen.push(t.accessToken);
        },
      },
    });
    expect(await r.resolveRef('main')).toBe(bbcRepo.main);
    expect(seen).toHaveLength(1);
    // the server forgets the token (expiry): the next call gets 401, refreshes once and retries
    bbc.validTokens.clear();
    bbc.requests.length = 0;
    expect(await r.readFile('cluster.yaml', bbcRepo.main)).toBe(FILES['cluster.yaml']);
    expect(seen).toHaveLength(2);
    const lines = bbc.requests.map((q) => q.line.split('?')[0]);
    expect(lines).toEqual([
      `GET /2.0/repositories/ws/gitops/src/${bbcRepo.main}/cluster.yaml`,
      'POST /site/oauth2/access_token',
      `GET /2.0/repositories/ws/gitops/src/${bbcRepo.main}/cluster.yaml`,
    ]);
    expect(bbc.requests[2]?.auth).toBe(`Bearer ${seen[1]}`);
  });

  it('uses a stored refresh token (grant_type=refresh_token) and falls back to client_credentials when it is revoked', async () => {
    const r = cloudReader({
      auth: {
        kind: 'oauth',
        clientId: 'client-id',
        clientSecret: 'client-secret-value',
        accessToken: 'at-stale',
        refreshToken: 'rt-initial',
      },
    });
    expect(await r.resolveRef('main')).toBe(bbcRepo.main);
    const revoked = cloudReader({
      auth: {
        kind: 'oauth',
        clientId: 'client-id',
        clientSecret: 'client-secret-value',
        refreshToken: 'rt-revoked',
      },
    });
    expect(await revoked.resolveRef('main')).toBe(bbcRepo.main);
  });

  it('wrong client secret → ProviderAuthError without the secret', async () => {
    const r = cloudReader({
      auth: { kind: 'oauth', clientId: 'client-id', clientSecret: 'wrong-secret-value' },
    });
    const err = await r.resolveRef('main').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderAuthError);
    expect(JSON.stringify({ ...(err as object), m: (err as Error).message })).not.toContain(
      'wrong-secret-value',
    );
  });

  it('a static bearer token that is refused → ProviderAuthError (no refresh possible)', async () => {
    const r = cloudReader({ auth: { kind: 'bearer', token: 'repo-access-token-x' } });
    await expect(r.resolveRef('main')).rejects.toBeInstanceOf(ProviderAuthError);
  });

  it('a missing repository → ProviderNotFoundError', async () => {
    const r = cloudReader({ repoSlug: 'nope' });
    await expect(r.resolveRef('main')).rejects.toBeInstanceOf(ProviderNotFoundError);
  });

  it('never follows a `next` link to another host with the token', async () => {
    const { ApiClient, Redactor } = await import('../src/index.ts');
    const api = new ApiClient({
      provider: 'bitbucket_cloud',
      baseUrl: bbc.url,
      authHeaders: async () => ({ Authorization: 'Bearer t' }),
      redactor: new Redactor(),
    });
    expect(() => api.url({ url: 'https://evil.example/2.0/x' })).toThrow(/refusing to send credentials/);
  });
});

// ---------------------------------------------------------------- Bitbucket Data Center
let dc: FakeServer;
let dcRepo: ReturnType<typeof repo>;
beforeAll(async () => {
  dcRepo = repo();
  dc = await startFakeBitbucketDc({
    projectKey: 'OPS',
    slug: 'gitops',
    data: dcRepo.data,
    token: 'dc-http-token',
    contextPath: 'bitbucket',
  });
  servers.push(dc);
});

function dcReader(extra: Partial<ConstructorParameters<typeof BitbucketDcReader>[0]> = {}) {
  return new BitbucketDcReader({
    instanceUrl: `${dc.url}/bitbucket`,
    projectKey: 'OPS',
    repoSlug: 'gitops',
    auth: { kind: 'bearer', token: 'dc-http-token' },
    pageLimit: 2,
    ...extra,
  });
}

contract('Bitbucket Data Center', () => ({ reader: dcReader(), main: dcRepo.main, old: dcRepo.old }));

describe('Bitbucket Data Center specifics', () => {
  it('uses commits?until=REF&limit=1, raw?at=SHA and paged browse under a context path', async () => {
    dc.requests.length = 0;
    const r = dcReader();
    const sha = await r.resolveRef('main');
    await r.readFile('cluster.yaml', sha);
    const entries = await r.listFiles('manifests', sha);
    expect(entries.map((e) => `${e.type}:${e.path}`)).toEqual([
      'file:manifests/a.yaml',
      'file:manifests/b.yml',
      'file:manifests/readme.md',
      'dir:manifests/sub',
    ]);
    const lines = dc.requests.map((q) => q.line);
    expect(lines[0]).toBe('GET /bitbucket/rest/api/1.0/projects/OPS/repos/gitops/commits?until=main&limit=1');
    expect(lines[1]).toBe(`GET /bitbucket/rest/api/1.0/projects/OPS/repos/gitops/raw/cluster.yaml?at=${sha}`);
    expect(lines.filter((l) => l.includes('/browse/'))).toHaveLength(2);
  });

  it('lists a commit through the paged files?at= listing', async () => {
    dc.requests.length = 0;
    expect(await dcReader().listAllFiles(dcRepo.main)).toEqual(Object.keys(FILES).sort());
    const lines = dc.requests.map((q) => q.line);
    expect(lines[0]).toBe(
      `GET /bitbucket/rest/api/1.0/projects/OPS/repos/gitops/files?at=${dcRepo.main}&start=0&limit=2`,
    );
    expect(lines).toHaveLength(4); // 7 files, 2 a page
  });

  it('wrong token → ProviderAuthError; missing repository → ProviderNotFoundError', async () => {
    await expect(
      dcReader({ auth: { kind: 'bearer', token: 'nope-nope' } }).resolveRef('main'),
    ).rejects.toBeInstanceOf(ProviderAuthError);
    await expect(dcReader({ repoSlug: 'missing' }).resolveRef('main')).rejects.toBeInstanceOf(
      ProviderNotFoundError,
    );
  });
});
