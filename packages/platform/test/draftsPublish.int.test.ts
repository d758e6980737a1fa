import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GitServer, startGitServer } from '@mooring/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WorkClone } from '../../gitops/test/gitFixtures.ts';
import { importCluster, seedRepository } from './support/gitopsFleet.ts';
import {
  apiClient,
  firstPassword,
  type PlatformProcess,
  startPlatformProcess,
} from './support/platformProcess.ts';

// Publishing Stack Builder drafts through two platforms as real child processes on the kit's
// PostgreSQL, with a real Git server (git http-backend) as every remote:
// - two publishes of one draft at once, to one platform or one each: one commit, the other a 409
//   ("draft is being published"); a publish that fails leaves the draft open; a draft held by a
//   publish refuses edits and removal, and is taken over when its publish died 15 minutes ago;
// - a publish to a new branch with a pull request on GitHub (Enterprise Server: Git and the REST
//   API under /api/v3 on one host) and on Bitbucket Cloud (its 2.0 API; Git on the host set by
//   MOORING_BITBUCKET_CLOUD_GIT_URL). The providers' APIs are servers of their documented shapes
//   that read the same Git repositories (`git` on the bare repository), so what the platform
//   reads through the API is what it pushes to; Git itself is never faked.

const kit = inject('kit');
const GIT_TOKEN = `git-token-${randomBytes(6).toString('hex')}`;
const BB_USER = 'alice-bb';

let workDir: string;
let git: GitServer;
let dbName: string;
let db: pg.Client;
let a: PlatformProcess;
let b: PlatformProcess;
let apiA: ReturnType<typeof apiClient>;
let apiB: ReturnType<typeof apiClient>;
let github: ProviderFake;
let bitbucket: ProviderFake;
const processes: PlatformProcess[] = [];

// ---- the real Git repositories, read as the providers' APIs read them ----------------------

const bare = (name: string) => join(git.root, `${name}.git`);
const gitIn = (name: string, ...args: string[]) =>
  execFileSync('git', ['--git-dir', bare(name), ...args], { encoding: 'utf8' }).trim();
function resolve(name: string, ref: string): string | undefined {
  try {
    return gitIn(name, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
  } catch {
    return undefined;
  }
}
function snapshot(name: string, sha: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const p of gitIn(name, 'ls-tree', '-r', '--name-only', sha).split('\n').filter(Boolean))
    files[p] = execFileSync('git', ['--git-dir', bare(name), 'show', `${sha}:${p}`], { encoding: 'utf8' });
  return files;
}
function entries(files: Record<string, string>, dir: string) {
  const prefix = dir ? `${dir}/` : '';
  const seen = new Map<string, 'file' | 'dir'>();
  for (const p of Object.keys(files)) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    const i = rest.indexOf('/');
    seen.set(i < 0 ? rest : rest.slice(0, i), i < 0 ? 'file' : 'dir');
  }
  return [...seen]
    .sort(([x], [y]) => (x < y ? -1 : 1))
    .map(([n, type]) => ({ name: n, path: prefix + n, type }));
}
const blobSha = (name: string, sha: string, path: string) => gitIn(name, 'rev-parse', `${sha}:${path}`);

interface Seen {
  method: string;
  path: string;
  auth: string | undefined;
  body: Record<string, unknown> | undefined;
  /** For pull requests: the head of the source branch in Git when the request arrived. */
  branchHead?: string | undefined;
}
interface ProviderFake {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse, body: string, seen: Seen[]) => void,
  passThrough?: (req: IncomingMessage) => boolean,
): Promise<ProviderFake> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    if (passThrough?.(req)) {
      // GitHub Enterprise Server serves Git over HTTP on the same host: the real Git server answers
      const target = new URL(req.url ?? '/', git.url);
      const upstream = httpRequest(
        target,
        { method: req.method, headers: { ...req.headers, host: target.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
      return;
    }
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      try {
        handler(req, res, text, seen);
      } catch (e) {
        send(res, 500, { message: String(e) });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const parts = (url: URL) => url.pathname.split('/').filter(Boolean).map(decodeURIComponent);

/**
 * GitHub REST v3 under /api/v3 (GitHub Enterprise Server): GET /repos/{o}/{r}, /commits/{ref}
 * (422 for an unknown ref), /git/trees/{sha}?recursive=1, /git/blobs/{sha}, /contents/{path}?ref=,
 * and POST /repos/{o}/{r}/pulls ("Create a pull request": title, head, base, body → 201 with
 * number, html_url, state; 422 "Validation Failed" when head is not a branch).
 */
function startGitHub(owner: string, repo: string): Promise<ProviderFake> {
  const name = `${owner}/${repo}`;
  let pulls = 0;
  return listen(
    (req, res, text, seen) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      seen.push({ method: req.method ?? '', path: url.pathname, auth: req.headers.authorization, body });
      if (req.headers.authorization !== `Bearer ${GIT_TOKEN}`)
        return send(res, 401, {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
        });
      const [api, v3, root, o, r, kind, ...rest] = parts(url);
      if (api !== 'api' || v3 !== 'v3' || root !== 'repos' || `${o}/${r}` !== name)
        return send(res, 404, { message: 'Not Found' });
      if (kind === undefined)
        return send(res, 200, { full_name: name, private: true, default_branch: 'main' });
      if (kind === 'pulls' && req.method === 'POST') {
        const head = String(body?.head ?? '');
        const sha = resolve(name, `refs/heads/${head}`);
        seen.at(-1)!.branchHead = sha;
        if (!sha || !resolve(name, `refs/heads/${String(body?.base ?? '')}`))
          return send(res, 422, {
            message: 'Validation Failed',
            errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }],
          });
        pulls++;
        return send(res, 201, {
          id: 1000 + pulls,
          number: pulls,
          state: 'open',
          title: body?.title,
          body: body?.body,
          html_url: `${github.url}/${name}/pull/${pulls}`,
          head: { ref: head, sha },
          base: { ref: body?.base },
        });
      }
      if (req.method !== 'GET') return send(res, 404, { message: 'Not Found' });
      if (kind === 'commits') {
        const sha = resolve(name, rest.join('/'));
        if (!sha) return send(res, 422, { message: `No commit found for SHA: ${rest.join('/')}` });
        return send(res, 200, { sha, commit: { message: 'x' }, parents: [] });
      }
      if (kind === 'git' && rest[0] === 'trees') {
        const sha = resolve(name, rest[1] ?? '');
        if (!sha) return send(res, 404, { message: 'Not Found' });
        const tree = gitIn(name, 'ls-tree', '-r', '-t', sha)
          .split('\n')
          .filter(Boolean)
          .map((l) => {
            const [meta, path] = l.split('\t') as [string, string];
            const [mode, type, obj] = meta.split(' ') as [string, string, string];
            return { path, mode, type, sha: obj };
          });
        return send(res, 200, { sha, tree, truncated: false });
      }
      if (kind === 'git' && rest[0] === 'blobs') {
        const content = execFileSync('git', ['--git-dir', bare(name), 'cat-file', 'blob', rest[1] ?? ''], {
          encoding: 'utf8',
        });
        return send(res, 200, {
          sha: rest[1],
          encoding: 'base64',
          content: Buffer.from(content).toString('base64'),
        });
      }
      if (kind === 'contents') {
        const path = rest.join('/');
        const sha = resolve(name, url.searchParams.get('ref') ?? 'main');
        if (!sha) return send(res, 404, { message: 'No commit found for the ref' });
        const files = snapshot(name, sha);
        const content = files[path];
        if (content !== undefined)
          return send(res, 200, {
            type: 'file',
            encoding: 'base64',
            size: content.length,
            name: path.split('/').pop(),
            path,
            content: Buffer.from(content).toString('base64'),
            sha: blobSha(name, sha, path),
          });
        const list = entries(files, path);
        if (list.length === 0) return send(res, 404, { message: 'Not Found' });
        return send(
          res,
          200,
          list.map((e) => ({ ...e, sha: 'x', size: 0 })),
        );
      }
      return send(res, 404, { message: 'Not Found' });
    },
    (req) => !(req.url ?? '').startsWith('/api/'),
  );
}

/**
 * Bitbucket Cloud 2.0: GET /2.0/repositories/{ws}/{slug}, refs/branches/{name}, commit/{sha},
 * src/{commit}/{path} (raw for a file, `values` of commit_file/commit_directory for a folder),
 * and POST .../pullrequests ("Create a pull request": title, description, source.branch.name,
 * destination.branch.name → 201 with id, state OPEN, links.html.href; 400 when the source branch
 * is not found). App passwords: HTTP Basic user:password.
 */
function startBitbucketCloud(workspace: string, slug: string): Promise<ProviderFake> {
  const name = `${workspace}/${slug}`;
  let pulls = 0;
  const err = (res: ServerResponse, status: number, message: string) =>
    send(res, status, { type: 'error', error: { message } });
  return listen((req, res, text, seen) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    seen.push({ method: req.method ?? '', path: url.pathname, auth: req.headers.authorization, body });
    if (req.headers.authorization !== `Basic ${Buffer.from(`${BB_USER}:${GIT_TOKEN}`).toString('base64')}`)
      return err(res, 401, 'Invalid credentials');
    const [v, repos, ws, s, kind, ...rest] = parts(url);
    if (v !== '2.0' || repos !== 'repositories' || `${ws}/${s}` !== name)
      return err(res, 404, `Repository ${ws}/${s} not found`);
    if (kind === undefined) return send(res, 200, { type: 'repository', full_name: name });
    if (kind === 'pullrequests' && req.method === 'POST') {
      const source = (body?.source as { branch?: { name?: string } } | undefined)?.branch?.name ?? '';
      const destination =
        (body?.destination as { branch?: { name?: string } } | undefined)?.branch?.name ?? '';
      const sha = resolve(name, `refs/heads/${source}`);
      seen.at(-1)!.branchHead = sha;
      if (!sha) return err(res, 400, `Source branch not found: ${source}`);
      pulls++;
      return send(res, 201, {
        type: 'pullrequest',
        id: pulls,
        title: body?.title,
        description: body?.description,
        state: 'OPEN',
        source: { branch: { name: source }, commit: { hash: sha.slice(0, 12) } },
        destination: { branch: { name: destination } },
        links: {
          html: { href: `https://bitbucket.org/${name}/pull-requests/${pulls}` },
          self: { href: `${bitbucket.url}/2.0/repositories/${name}/pullrequests/${pulls}` },
        },
      });
    }
    if (req.method !== 'GET') return err(res, 404, 'Resource not found');
    if (kind === 'refs' && rest[0] === 'branches') {
      const sha = resolve(name, `refs/heads/${rest.slice(1).join('/')}`);
      if (!sha) return err(res, 404, 'Branch not found');
      return send(res, 200, {
        name: rest.slice(1).join('/'),
        type: 'branch',
        target: { hash: sha, type: 'commit' },
      });
    }
    if (kind === 'refs') return err(res, 404, 'Tag not found');
    if (kind === 'commit') {
      const sha = resolve(name, rest[0] ?? '');
      if (!sha) return err(res, 404, 'Commit not found');
      return send(res, 200, { hash: sha, type: 'commit' });
    }
    if (kind === 'src') {
      const [commit, ...p] = rest;
      const sha = resolve(name, commit ?? '');
      if (!sha) return err(res, 404, 'Commit not found');
      const files = snapshot(name, sha);
      const path = p.join('/');
      if (!url.pathname.endsWith('/') && files[path] !== undefined)
        return res.writeHead(200, { 'content-type': 'text/plain' }).end(files[path]);
      const list = entries(files, path);
      if (list.length === 0) return err(res, 404, `No such file or directory: ${path}`);
      return send(res, 200, {
        pagelen: 100,
        page: 1,
        values: list.map((e) => ({
          type: e.type === 'dir' ? 'commit_directory' : 'commit_file',
          path: e.path,
          commit: { hash: sha, type: 'commit' },
        })),
      });
    }
    return err(res, 404, 'Resource not found');
  });
}

// ---- the platforms ----------------------------------------------------------------------------

const NS = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n';
const clusterFile = (name: string, gitRepository: string) => `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
spec:
  git_repository:
${gitRepository}  stacks:
    - name: base
      manifests:
        - name: ns
          from_file: manifests/ns.yaml
`;
const configMap = (n: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${n}\n  namespace: apps\ndata:\n  greeting: hello\n`;

interface Draft {
  id: string;
  title: string;
  state: string;
  created_by: string;
  base_commit: string;
  published: { commit: string; branch: string; pull_request_url: string | null } | null;
}
interface Published {
  commit: string;
  branch: string;
  unchanged: boolean;
  sync_requested: boolean;
  pull_request: { number: number; url: string } | null;
  pull_request_error: string | null;
}
type ErrorBody = { error: { code: string; message: string } };

/** The Git server's URL of `repo` with the token in it. */
const remoteOf = (repo: string) => `${git.url}/${repo}.git`.replace('http://', `http://x:${GIT_TOKEN}@`);

/** A repository on the Git server with one cluster in it, imported into the platforms. */
async function cluster(repo: string, gitRepository: string) {
  const name = `drafts-${repo.replace(/\W/g, '-')}-${Date.now().toString(36)}`;
  const dir = `clusters/${name}`;
  const path = `${dir}/cluster.yaml`;
  const text = clusterFile(name, gitRepository);
  git.createRepo(repo);
  const { commit: base } = await seedRepository(remoteOf(repo), {
    [path]: text,
    [`${dir}/manifests/ns.yaml`]: NS,
    'README.md': '# fleet\n',
  });
  const { id } = await importCluster(apiA.call, {
    definition: text,
    path,
    files: { [`${dir}/manifests/ns.yaml`]: NS },
  });
  return { id, name, path, base, dir };
}

async function draftWithConfigMap(clusterId: string, title: string, cm: string): Promise<Draft> {
  const d = await apiA.call<Draft>('POST', `/clusters/${clusterId}/drafts`, { title });
  expect(d.status, JSON.stringify(d.body)).toBe(201);
  const m = await apiA.call('POST', `/clusters/${clusterId}/drafts/${d.body.id}/stacks/base/manifests`, {
    name: cm,
    manifest: configMap(cm),
  });
  expect(m.status, JSON.stringify(m.body)).toBe(201);
  return d.body;
}

beforeAll(async () => {
  const url = kit.postgresUrl;
  if (!url) throw new Error('the kit did not start PostgreSQL');
  workDir = mkdtempSync(join(tmpdir(), 'mooring-drafts-publish-'));
  git = await startGitServer(join(workDir, 'git'), { token: GIT_TOKEN });
  github = await startGitHub('acme', 'fleet');
  bitbucket = await startBitbucketCloud('acme', 'fleet-cloud');
  dbName = `drafts_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${dbName}`;
  db = new pg.Client({ connectionString: dbUrl.toString() });
  const env = {
    MOORING_DATABASE_URL: dbUrl.toString(),
    MOORING_SECRET_KEY: randomBytes(32).toString('base64'),
    MOORING_GIT_POLL_SECONDS: '86400',
    MOORING_LOG_LEVEL: 'warn',
    MOORING_BITBUCKET_CLOUD_API_URL: bitbucket.url,
    MOORING_BITBUCKET_CLOUD_GIT_URL: git.url,
  };
  a = await startPlatformProcess({ ...env, MOORING_DATA_DIR: join(workDir, 'a') });
  processes.push(a);
  b = await startPlatformProcess({ ...env, MOORING_DATA_DIR: join(workDir, 'b') });
  processes.push(b);
  await db.connect();
  apiA = apiClient(a.url);
  await apiA.login('admin', firstPassword(join(workDir, 'a')));
  // one database: a session made on one replica is valid on the other
  apiB = apiClient(b.url, apiA.token());
  for (const credential of [
    { name: 'git-token', kind: 'token', token: GIT_TOKEN },
    { name: 'bb-app', kind: 'token', token: GIT_TOKEN, username: BB_USER },
  ]) {
    const r = await apiA.call('POST', '/credentials', credential);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
}, 180_000);

afterAll(async () => {
  for (const p of processes) await p.kill('SIGKILL').catch(() => undefined);
  await db?.end().catch(() => undefined);
  await github?.close();
  await bitbucket?.close();
  await git?.stop();
  if (kit.postgresUrl && dbName) {
    const c = new pg.Client({ connectionString: kit.postgresUrl });
    await c.connect();
    await c.query(`drop database if exists ${dbName} with (force)`);
    await c.end();
  }
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('publishing one draft twice at once', () => {
  it('to one platform and across two: one commit, the other publish a 409; a failed publish leaves the draft open', async () => {
    const repo = 'acme/race';
    const c = await cluster(
      repo,
      `    provider: git\n    repository: ${git.url}/${repo}.git\n    credential_name: git-token\n`,
    );

    // a publish that fails after it held the draft (the branch exists with other commits) reopens it
    const failing = await draftWithConfigMap(c.id, 'Taken branch', 'taken');
    const other = new WorkClone(remoteOf(repo));
    await other.gitAsync('fetch', '-q', other.remote, 'main');
    other.git('reset', '-q', '--hard', 'FETCH_HEAD');
    other.commit({ 'notes.md': 'someone else\n' }, 'elsewhere');
    await other.push('taken');
    const taken = await apiA.call<ErrorBody>('POST', `/clusters/${c.id}/drafts/${failing.id}/publish`, {
      branch: 'taken',
    });
    expect(taken.status, JSON.stringify(taken.body)).toBe(409);
    expect(taken.body.error.message).toContain('already exists');
    expect((await apiB.call<Draft>('GET', `/clusters/${c.id}/drafts/${failing.id}`)).body.state).toBe('open');

    for (const [label, first, second] of [
      ['one platform', apiA, apiA],
      ['two platforms', apiA, apiB],
    ] as const) {
      const before = resolve(repo, 'refs/heads/main')!;
      const d = await draftWithConfigMap(c.id, `Race on ${label}`, `race-${label.replace(' ', '-')}`);
      const publish = (api: typeof apiA) =>
        api.call<Published & ErrorBody>('POST', `/clusters/${c.id}/drafts/${d.id}/publish`, {
          author_email: 'alice@example.com',
        });
      const answers = await Promise.all([publish(first), publish(second)]);
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses, `${label}: ${JSON.stringify(answers.map((r) => r.body))}`).toEqual([200, 409]);
      const won = answers.find((r) => r.status === 200)!.body;
      const lost = answers.find((r) => r.status === 409)!.body;
      expect(lost.error.message).toContain('draft is being published');
      // exactly one commit on the branch, the winner's
      const after = resolve(repo, 'refs/heads/main')!;
      expect(after).toBe(won.commit);
      expect(gitIn(repo, 'rev-list', '--count', `${before}..${after}`)).toBe('1');
      const seen = await apiB.call<Draft>('GET', `/clusters/${c.id}/drafts/${d.id}`);
      expect(seen.body).toMatchObject({ state: 'published', published: { commit: won.commit } });
      // and a third publish afterwards is refused as published
      const again = await publish(second);
      expect(again.status).toBe(409);
      expect(again.body.error.message).toContain('published already');
    }
  }, 180_000);
});

describe('a draft held by a publish', () => {
  it('refuses edits, removal and another publish; a publish whose process died is taken over after 15 minutes', async () => {
    const repo = 'acme/held';
    const c = await cluster(
      repo,
      `    provider: git\n    repository: ${git.url}/${repo}.git\n    credential_name: git-token\n`,
    );
    const d = await draftWithConfigMap(c.id, 'Held', 'held');
    const url = `/clusters/${c.id}/drafts/${d.id}`;
    // as a publish in another replica leaves it while it works (or when that replica died)
    await db.query(`update stack_drafts set state = 'publishing', publishing_since = now() where id = $1`, [
      d.id,
    ]);
    expect((await apiB.call<Draft>('GET', url)).body.state).toBe('publishing');
    for (const [method, path, body] of [
      ['PATCH', url, { title: 'renamed' }],
      ['PATCH', `${url}/stacks/base/manifests/held`, { manifest: configMap('other') }],
      ['DELETE', url, undefined],
      ['POST', `${url}/publish`, {}],
    ] as const) {
      const r = await apiA.call<ErrorBody>(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(409);
      expect(r.body.error.message).toContain('draft is being published');
    }
    expect(resolve(repo, 'refs/heads/main')).toBe(c.base);
    // 16 minutes later nobody finished it: the next publish takes it over and commits
    await db.query(`update stack_drafts set publishing_since = now() - interval '16 minutes' where id = $1`, [
      d.id,
    ]);
    const p = await apiB.call<Published>('POST', `${url}/publish`, {});
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(resolve(repo, 'refs/heads/main')).toBe(p.body.commit);
    const row = await db.query('select state, publishing_since from stack_drafts where id = $1', [d.id]);
    expect(row.rows[0]).toEqual({ state: 'published', publishing_since: null });
  }, 120_000);
});

describe('a draft published to a new branch with a pull request', () => {
  for (const provider of ['github', 'bitbucket_cloud'] as const) {
    it(`${provider}: the branch in Git with one commit by the person, the base unchanged, the pull request named both`, async () => {
      const repo = provider === 'github' ? 'acme/fleet' : 'acme/fleet-cloud';
      const fake = provider === 'github' ? github : bitbucket;
      const gitRepository =
        provider === 'github'
          ? `    provider: github\n    repository: acme/fleet\n    instance_url: ${github.url}\n    credential_name: git-token\n`
          : '    provider: bitbucket_cloud\n    workspace: acme\n    repo_slug: fleet-cloud\n    credential_name: bb-app\n';
      const c = await cluster(repo, gitRepository);
      const reads = fake.seen.length;
      const d = await draftWithConfigMap(c.id, 'Add the greeting', 'greeting');
      expect(d.base_commit).toBe(c.base);
      // the draft was read through the provider's API
      expect(fake.seen.slice(reads).some((s) => s.method === 'GET')).toBe(true);

      const branch = `mooring/greeting-${d.id.slice(0, 8)}`;
      const p = await apiB.call<Published & ErrorBody>('POST', `/clusters/${c.id}/drafts/${d.id}/publish`, {
        branch,
        author_email: 'alice@example.com',
      });
      expect(p.status, JSON.stringify(p.body)).toBe(200);
      expect(p.body).toMatchObject({
        branch,
        unchanged: false,
        sync_requested: false,
        pull_request_error: null,
      });

      // Git: the new branch holds one commit by the person on the draft's base; main is unchanged
      expect(resolve(repo, `refs/heads/${branch}`)).toBe(p.body.commit);
      expect(resolve(repo, 'refs/heads/main')).toBe(c.base);
      expect(gitIn(repo, 'rev-parse', `${p.body.commit}~1`)).toBe(c.base);
      expect(gitIn(repo, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', p.body.commit)).toBe(
        `${d.created_by} <alice@example.com>|${d.created_by} <alice@example.com>`,
      );
      expect(gitIn(repo, 'show', '--name-status', '--format=', p.body.commit).split('\n').sort()).toEqual([
        `A\t${c.dir}/manifests/greeting.yaml`,
        `M\t${c.path}`,
      ]);

      // the pull request: one request, naming the branch (pushed before it) and the base
      const prs = fake.seen.filter((s) => s.method === 'POST');
      expect(prs).toHaveLength(1);
      const pr = prs[0]!;
      expect(pr.branchHead).toBe(p.body.commit);
      if (provider === 'github') {
        expect(pr.path).toBe('/api/v3/repos/acme/fleet/pulls');
        expect(pr.auth).toBe(`Bearer ${GIT_TOKEN}`);
        expect(pr.body).toEqual({
          title: 'Add the greeting',
          head: branch,
          base: 'main',
          body: expect.any(String),
        });
        expect(p.body.pull_request).toEqual({ number: 1, url: `${github.url}/acme/fleet/pull/1` });
      } else {
        expect(pr.path).toBe('/2.0/repositories/acme/fleet-cloud/pullrequests');
        expect(pr.auth).toBe(`Basic ${Buffer.from(`${BB_USER}:${GIT_TOKEN}`).toString('base64')}`);
        expect(pr.body).toEqual({
          title: 'Add the greeting',
          description: expect.any(String),
          source: { branch: { name: branch } },
          destination: { branch: { name: 'main' } },
        });
        expect(p.body.pull_request).toEqual({
          number: 1,
          url: 'https://bitbucket.org/acme/fleet-cloud/pull-requests/1',
        });
      }
      expect(String(pr.body?.body ?? pr.body?.description)).toContain(
        `added: ${c.dir}/manifests/greeting.yaml`,
      );
      const seen = await apiA.call<Draft>('GET', `/clusters/${c.id}/drafts/${d.id}`);
      expect(seen.body).toMatchObject({
        state: 'published',
        published: { commit: p.body.commit, branch, pull_request_url: p.body.pull_request!.url },
      });
      // nothing secret in the answers
      expect(JSON.stringify([p.body, seen.body])).not.toContain(GIT_TOKEN);
    }, 120_000);
  }
});
