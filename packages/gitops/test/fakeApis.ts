import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** An in-memory repository: commits (sha → files), branches and tags. */
export class MemoryRepo {
  readonly commits = new Map<string, Record<string, string>>();
  readonly branches = new Map<string, string>();
  readonly tags = new Map<string, string>();

  commit(branch: string, files: Record<string, string>): string {
    const sha = createHash('sha1').update(JSON.stringify(files)).update(randomBytes(8)).digest('hex');
    this.commits.set(sha, files);
    this.branches.set(branch, sha);
    return sha;
  }

  resolve(ref: string): string | undefined {
    if (this.commits.has(ref)) return ref;
    return this.branches.get(ref) ?? this.tags.get(ref);
  }

  /** Entries directly in `dir` at `sha`; undefined when `dir` is not a directory. */
  list(sha: string, dir: string): { name: string; path: string; type: 'file' | 'dir' }[] | undefined {
    const files = this.commits.get(sha);
    if (!files) return undefined;
    const prefix = dir ? `${dir}/` : '';
    const seen = new Map<string, 'file' | 'dir'>();
    for (const p of Object.keys(files)) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      const i = rest.indexOf('/');
      seen.set(i < 0 ? rest : rest.slice(0, i), i < 0 ? 'file' : 'dir');
    }
    if (seen.size === 0) return undefined;
    return [...seen.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, type]) => ({ name, path: prefix + name, type }));
  }
}

export interface FakeServer {
  url: string;
  /** Every request as `METHOD path?query` with its Authorization header. */
  requests: { line: string; auth: string | undefined }[];
  close(): Promise<void>;
}

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<FakeServer> {
  const requests: FakeServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ line: `${req.method} ${req.url}`, auth: req.headers.authorization });
      try {
        handler(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        res.writeHead(500).end(String(e));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers })
    .end(JSON.stringify(body));
}

function splitPath(url: URL): string[] {
  return url.pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
}

/**
 * GitHub REST v3 shapes: /repos/{o}/{r}, /commits/{ref} (422 for an unknown ref),
 * /contents/{path}?ref= (base64 with line breaks, arrays for directories), /git/blobs/{sha},
 * /git/trees/{sha}?recursive=1 (`tree` entries of type blob/tree, `truncated`).
 * A private repository answers 404 without a token and 401 "Bad credentials" for a wrong one.
 * `pathPrefix` serves the API below a path, as GitHub Enterprise Server does (`/api/v3`).
 */
export function startFakeGitHub(opts: {
  owner: string;
  repo: string;
  data: MemoryRepo;
  token?: string;
  pathPrefix?: string;
  /** Answer `truncated: true` for recursive trees (a repository too large for one answer). */
  truncatedTrees?: boolean;
  /** Paths served like files over 1 MB (content empty, encoding none). */
  largeFiles?: string[];
  rateLimited?: () => boolean;
}): Promise<FakeServer> {
  return serve((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (opts.rateLimited?.()) {
      return json(
        res,
        403,
        { message: 'API rate limit exceeded for 127.0.0.1.' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2000000000' },
      );
    }
    const auth = req.headers.authorization;
    if (opts.token) {
      if (auth && auth !== `Bearer ${opts.token}`) {
        return json(res, 401, {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
        });
      }
      if (!auth) return json(res, 404, { message: 'Not Found' });
    }
    let parts = splitPath(url);
    const prefix = splitPath(new URL(opts.pathPrefix ?? '/', 'http://x'));
    if (prefix.some((p, i) => parts[i] !== p)) return json(res, 404, { message: 'Not Found' });
    parts = parts.slice(prefix.length);
    const [root, owner, repo, kind, ...rest] = parts;
    if (root !== 'repos' || owner !== opts.owner || repo !== opts.repo)
      return json(res, 404, { message: 'Not Found' });
    if (kind === undefined)
      return json(res, 200, { full_name: `${owner}/${repo}`, private: Boolean(opts.token) });
    if (kind === 'commits') {
      const ref = rest.join('/');
      const sha = opts.data.resolve(ref);
      if (!sha) return json(res, 422, { message: `No commit found for SHA: ${ref}` });
      return json(res, 200, { sha, commit: { message: 'x' }, parents: [] });
    }
    if (kind === 'git' && rest[0] === 'trees') {
      const sha = opts.data.resolve(rest.slice(1).join('/'));
      const files = sha ? opts.data.commits.get(sha) : undefined;
      if (!sha || !files) return json(res, 404, { message: 'Not Found' });
      const dirs = new Set<string>();
      for (const p of Object.keys(files)) {
        const segs = p.split('/');
        for (let i = 1; i < segs.length; i++) dirs.add(segs.slice(0, i).join('/'));
      }
      const tree = [
        ...[...dirs].map((path) => ({ path, mode: '040000', type: 'tree', sha: blobSha(path, '') })),
        ...Object.entries(files).map(([path, content]) => ({
          path,
          mode: '100644',
          type: 'blob',
          sha: blobSha(path, content),
          size: content.length,
        })),
      ].sort((a, b) => (a.path < b.path ? -1 : 1));
      const recursive = url.searchParams.get('recursive') !== null;
      return json(res, 200, {
        sha,
        tree: recursive ? tree : tree.filter((e) => !e.path.includes('/')),
        truncated: Boolean(opts.truncatedTrees && recursive),
      });
    }
    if (kind === 'git' && rest[0] === 'blobs') {
      for (const files of opts.data.commits.values()) {
        for (const [p, content] of Object.entries(files)) {
          if (blobSha(p, content) === rest[1]) {
            return json(res, 200, {
              sha: rest[1],
              encoding: 'base64',
              content: base64Lines(content),
              size: content.length,
            });
          }
        }
      }
      return json(res, 404, { message: 'Not Found' });
    }
    if (kind === 'contents') {
      const path = rest.join('/');
      const sha = opts.data.resolve(url.searchParams.get('ref') ?? 'main');
      const files = sha ? opts.data.commits.get(sha) : undefined;
      if (!sha || !files)
        return json(res, 404, { message: `No commit found for the ref ${url.searchParams.get('ref')}` });
      const content = files[path];
      if (content !== undefined) {
        const large = opts.largeFiles?.includes(path);
        return json(res, 200, {
          type: 'file',
          encoding: large ? 'none' : 'base64',
          size: content.length,
          name: path.split('/').pop(),
          path,
          content: large ? '' : base64Lines(content),
          sha: blobSha(path, content),
        });
      }
      const entries = opts.data.list(sha, path);
      if (!entries) return json(res, 404, { message: 'Not Found' });
      return json(
        res,
        200,
        entries.map((e) => ({ type: e.type, name: e.name, path: e.path, sha: 'x', size: 0 })),
      );
    }
    return json(res, 404, { message: 'Not Found' });
  });
}

function blobSha(path: string, content: string): string {
  return createHash('sha1').update(`${path}\0${content}`).digest('hex');
}

function base64Lines(s: string): string {
  return (
    Buffer.from(s)
      .toString('base64')
      .match(/.{1,60}/g) ?? []
  )
    .join('\n')
    .concat('\n');
}

/**
 * Bitbucket Cloud 2.0 shapes plus the OAuth token endpoint (/site/oauth2/access_token):
 * refs/branches/{name} and refs/tags/{name} → target.hash; commit/{sha}; src/{commit}/{path}
 * raw for files and paginated `values` (commit_file / commit_directory) with an absolute `next`.
 * Access tokens can be expired at will (401 "Access token expired.").
 */
export function startFakeBitbucketCloud(opts: {
  workspace: string;
  slug: string;
  data: MemoryRepo;
  clientId: string;
  clientSecret: string;
  /** Valid refresh tokens. */
  refreshTokens?: Set<string>;
}): Promise<FakeServer & { validTokens: Set<string>; issued: string[] }> {
  const validTokens = new Set<string>();
  const issued: string[] = [];
  let self: FakeServer;
  return serve((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && url.pathname === '/site/oauth2/access_token') {
      const basic = Buffer.from(`${opts.clientId}:${opts.clientSecret}`).toString('base64');
      if (req.headers.authorization !== `Basic ${basic}`) {
        return json(res, 400, {
          error: 'invalid_client',
          error_description: 'Invalid OAuth client credentials',
        });
      }
      const form = new URLSearchParams(body);
      const grant = form.get('grant_type');
      if (grant === 'refresh_token') {
        if (!opts.refreshTokens?.has(form.get('refresh_token') ?? '')) {
          return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid refresh_token' });
        }
      } else if (grant !== 'client_credentials') {
        return json(res, 400, {
          error: 'unsupported_grant_type',
          error_description: `Unsupported grant type: ${grant}`,
        });
      }
      const access = `at-${randomBytes(6).toString('hex')}`;
      const refresh = `rt-${randomBytes(6).toString('hex')}`;
      opts.refreshTokens?.add(refresh);
      validTokens.add(access);
      issued.push(access);
      return json(res, 200, {
        access_token: access,
        scopes: 'repository',
        expires_in: 7200,
        refresh_token: refresh,
        token_type: 'bearer',
        state: grant,
      });
    }
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !validTokens.has(auth.slice(7))) {
      return json(res, 401, { type: 'error', error: { message: 'Access token expired.' } });
    }
    const parts = splitPath(url);
    const [v, repos, ws, slug, kind, ...rest] = parts;
    if (v !== '2.0' || repos !== 'repositories' || ws !== opts.workspace || slug !== opts.slug) {
      return json(res, 404, { type: 'error', error: { message: `Repository ${ws}/${slug} not found` } });
    }
    if (kind === undefined) return json(res, 200, { type: 'repository', full_name: `${ws}/${slug}` });
    if (kind === 'refs') {
      const [which, ...name] = rest;
      const map = which === 'branches' ? opts.data.branches : which === 'tags' ? opts.data.tags : undefined;
      const hash = map?.get(name.join('/'));
      if (!hash)
        return json(res, 404, {
          type: 'error',
          error: { message: `${which === 'tags' ? 'Tag' : 'Branch'} not found` },
        });
      return json(res, 200, {
        name: name.join('/'),
        type: which === 'tags' ? 'tag' : 'branch',
        target: { hash, type: 'commit' },
      });
    }
    if (kind === 'commit') {
      const hash = rest[0] && opts.data.commits.has(rest[0]) ? rest[0] : undefined;
      if (!hash) return json(res, 404, { type: 'error', error: { message: `Commit not found` } });
      return json(res, 200, { hash, type: 'commit' });
    }
    if (kind === 'src') {
      const [commit, ...p] = rest;
      const sha = commit ? opts.data.resolve(commit) : undefined;
      const files = sha ? opts.data.commits.get(sha) : undefined;
      if (!sha || !files) return json(res, 404, { type: 'error', error: { message: 'Commit not found' } });
      const path = p.join('/');
      if (!url.pathname.endsWith('/') && files[path] !== undefined) {
        return res.writeHead(200, { 'Content-Type': 'text/plain' }).end(files[path]);
      }
      const entries = opts.data.list(sha, path);
      if (!entries)
        return json(res, 404, { type: 'error', error: { message: `No such file or directory: ${path}` } });
      const pagelen = Math.min(Number(url.searchParams.get('pagelen') ?? 10), 100);
      const page = Number(url.searchParams.get('page') ?? 1);
      const slice = entries.slice((page - 1) * pagelen, page * pagelen);
      const next =
        page * pagelen < entries.length
          ? `${self.url}${url.pathname}?pagelen=${pagelen}&page=${page + 1}`
          : undefined;
      return json(res, 200, {
        pagelen,
        page,
        values: slice.map((e) => ({
          type: e.type === 'dir' ? 'commit_directory' : 'commit_file',
          path: e.path,
          commit: { hash: sha, type: 'commit' },
          ...(e.type === 'file' ? { size: 1, mimetype: null, escaped_path: e.path } : {}),
        })),
        ...(next ? { next } : {}),
      });
    }
    return json(res, 404, { type: 'error', error: { message: 'Resource not found' } });
  }).then((s) => {
    self = s;
    return Object.assign(s, { validTokens, issued });
  });
}

/**
 * Bitbucket Data Center REST 1.0 shapes: commits?until=&limit= (paged `values` with `id`),
 * raw/{path}?at=, files/{path}?at=&start=&limit= (paged paths, recursive), browse/{path}?at=&start=&limit= (`children` pages with relative `path`
 * objects and isLastPage/nextPageStart); errors as `{ errors: [{ message, exceptionName }] }`.
 */
export function startFakeBitbucketDc(opts: {
  projectKey: string;
  slug: string;
  data: MemoryRepo;
  token?: string;
  contextPath?: string;
}): Promise<FakeServer> {
  const err = (res: ServerResponse, status: number, exceptionName: string, message: string) =>
    json(res, status, { errors: [{ context: null, message, exceptionName }] });
  return serve((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) {
      return err(
        res,
        401,
        'com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException',
        'Authentication failed. Please check your credentials and try again.',
      );
    }
    let parts = splitPath(url);
    if (opts.contextPath) {
      if (parts[0] !== opts.contextPath) return err(res, 404, '', 'not found');
      parts = parts.slice(1);
    }
    const [rest_, api, v, projects, p, repos, r, kind, ...rest] = parts;
    if (rest_ !== 'rest' || api !== 'api' || v !== '1.0' || projects !== 'projects' || repos !== 'repos') {
      return err(res, 404, '', 'not found');
    }
    if (p !== opts.projectKey) {
      return err(
        res,
        404,
        'com.atlassian.bitbucket.project.NoSuchProjectException',
        `Project ${p} does not exist.`,
      );
    }
    if (r !== opts.slug) {
      return err(
        res,
        404,
        'com.atlassian.bitbucket.repository.NoSuchRepositoryException',
        `Repository ${p}/${r} does not exist.`,
      );
    }
    const at = url.searchParams.get('at') ?? url.searchParams.get('until') ?? 'main';
    const sha = opts.data.resolve(at.replace(/^refs\/heads\//, ''));
    if (kind === 'commits') {
      if (!sha) {
        return err(
          res,
          404,
          'com.atlassian.bitbucket.commit.NoSuchCommitException',
          `Commit '${at}' does not exist in repository '${r}'.`,
        );
      }
      return json(res, 200, {
        size: 1,
        limit: Number(url.searchParams.get('limit') ?? 25),
        isLastPage: false,
        start: 0,
        nextPageStart: 1,
        values: [{ id: sha, displayId: sha.slice(0, 11), message: 'x', parents: [] }],
      });
    }
    const files = sha ? opts.data.commits.get(sha) : undefined;
    if (!sha || !files) {
      return err(
        res,
        404,
        'com.atlassian.bitbucket.commit.NoSuchCommitException',
        `Commit '${at}' does not exist.`,
      );
    }
    const path = rest.join('/');
    if (kind === 'files') {
      const prefix = path ? `${path}/` : '';
      const all = Object.keys(files)
        .filter((p) => p.startsWith(prefix))
        .map((p) => p.slice(prefix.length))
        .sort();
      const start = Number(url.searchParams.get('start') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 25);
      const slice = all.slice(start, start + limit);
      const isLastPage = start + limit >= all.length;
      return json(res, 200, {
        size: slice.length,
        limit,
        isLastPage,
        start,
        ...(isLastPage ? {} : { nextPageStart: start + limit }),
        values: slice,
      });
    }
    if (kind === 'raw') {
      const content = files[path];
      if (content === undefined) {
        return err(
          res,
          404,
          'com.atlassian.bitbucket.content.NoSuchPathException',
          `The path "${path}" does not exist at revision "${sha}"`,
        );
      }
      return res.writeHead(200, { 'Content-Type': 'text/plain;charset=UTF-8' }).end(content);
    }
    if (kind === 'browse') {
      if (files[path] !== undefined) {
        return json(res, 200, {
          lines: files[path].split('\n').map((text) => ({ text })),
          start: 0,
          size: 1,
          isLastPage: true,
        });
      }
      const entries = opts.data.list(sha, path);
      if (!entries) {
        return err(
          res,
          404,
          'com.atlassian.bitbucket.content.NoSuchPathException',
          `The path "${path}" does not exist at revision "${sha}"`,
        );
      }
      const start = Number(url.searchParams.get('start') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 500);
      const slice = entries.slice(start, start + limit);
      const isLastPage = start + limit >= entries.length;
      return json(res, 200, {
        path: { components: path ? path.split('/') : [], name: path.split('/').pop() ?? '', toString: path },
        revision: at,
        children: {
          size: slice.length,
          limit,
          isLastPage,
          start,
          ...(isLastPage ? {} : { nextPageStart: start + limit }),
          values: slice.map((e) => ({
            path: { components: [e.name], name: e.name, toString: e.name },
            contentId: 'x',
            type: e.type === 'dir' ? 'DIRECTORY' : 'FILE',
            size: 1,
          })),
        },
      });
    }
    return err(res, 404, '', 'not found');
  });
}

/** A webhook delivery as a provider sends it: headers and the exact body bytes. */
export interface FakeDelivery {
  headers: Record<string, string>;
  body: string;
}

/**
 * A push delivery of the provider's documented shape, signed with `secret` as the provider signs
 * it (HMAC-SHA256 of the body: `X-Hub-Signature-256` on GitHub, `X-Hub-Signature` on Bitbucket
 * Cloud and Data Center), with the provider's delivery id header.
 */
export function pushDelivery(
  provider: 'github' | 'bitbucket_cloud' | 'bitbucket_data_center',
  o: {
    repository: string;
    branch: string;
    before: string;
    after: string;
    sender: string;
    deliveryId: string;
  },
  secret: string | undefined,
): FakeDelivery {
  const [owner, slug] = o.repository.split('/');
  let body: string;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (provider === 'github') {
    body = JSON.stringify({
      ref: `refs/heads/${o.branch}`,
      before: o.before,
      after: o.after,
      created: false,
      deleted: false,
      forced: false,
      repository: { name: slug, full_name: o.repository, owner: { login: owner } },
      pusher: { name: o.sender },
      sender: { login: o.sender },
      head_commit: { id: o.after, message: 'change' },
      commits: [{ id: o.after }],
    });
    Object.assign(headers, {
      'x-github-event': 'push',
      'x-github-delivery': o.deliveryId,
      'x-github-hook-id': '1',
      'user-agent': 'GitHub-Hookshot/fake',
    });
    if (secret) headers['x-hub-signature-256'] = signed(secret, body);
  } else if (provider === 'bitbucket_cloud') {
    body = JSON.stringify({
      actor: { nickname: o.sender, type: 'user' },
      repository: { full_name: o.repository, name: slug, type: 'repository', workspace: { slug: owner } },
      push: {
        changes: [
          {
            old: { type: 'branch', name: o.branch, target: { hash: o.before, type: 'commit' } },
            new: { type: 'branch', name: o.branch, target: { hash: o.after, type: 'commit' } },
            created: false,
            closed: false,
            forced: false,
          },
        ],
      },
    });
    Object.assign(headers, {
      'x-event-key': 'repo:push',
      'x-request-uuid': o.deliveryId,
      'x-hook-uuid': '{00000000-0000-0000-0000-000000000001}',
      'user-agent': 'Bitbucket-Webhooks/2.0',
    });
    if (secret) headers['x-hub-signature'] = signed(secret, body);
  } else {
    body = JSON.stringify({
      eventKey: 'repo:refs_changed',
      date: new Date().toISOString(),
      actor: { name: o.sender, type: 'NORMAL' },
      repository: { slug, name: slug, project: { key: owner } },
      changes: [
        {
          ref: { id: `refs/heads/${o.branch}`, displayId: o.branch, type: 'BRANCH' },
          refId: `refs/heads/${o.branch}`,
          fromHash: o.before,
          toHash: o.after,
          type: 'UPDATE',
        },
      ],
    });
    Object.assign(headers, {
      'x-event-key': 'repo:refs_changed',
      'x-request-id': o.deliveryId,
      'user-agent': 'Atlassian HttpClient',
    });
    if (secret) headers['x-hub-signature'] = signed(secret, body);
  }
  return { headers, body };
}

function signed(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Sends a delivery over HTTP as the provider would; answers the status and the body. */
export async function deliver(url: string, d: FakeDelivery): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: 'POST', headers: d.headers, body: d.body });
  return { status: res.status, body: await res.text() };
}
