import {
  ProviderError,
  type ProviderName,
  ProviderRefNotFoundError,
  RepoFileNotFoundError,
} from './errors.ts';
import { ApiClient, encodePath, type FetchFn } from './http.ts';
import { Redactor } from './redact.ts';
import {
  baseName,
  COMMIT_SHA_RE,
  normaliseRepoPath,
  type RepoEntry,
  type RepoEntryType,
  type RepoReader,
  sortEntries,
  walkFiles,
} from './repoReader.ts';

export interface GitHubReaderOptions {
  /** `owner/repo`, as in `git_repository.repository`. */
  repository: string;
  /** A token (PAT, fine-grained or GitHub App installation token); sent as `Authorization: Bearer`. */
  token?: string;
  /** REST API root: `https://api.github.com` (default) or `https://HOST/api/v3` for GitHub Enterprise Server. */
  baseUrl?: string;
  fetch?: FetchFn;
  timeoutMs?: number;
}

interface ContentItem {
  type: 'file' | 'dir' | 'symlink' | 'submodule';
  name: string;
  path: string;
  sha: string;
  size?: number;
  encoding?: string;
  content?: string;
  target?: string;
}

/**
 * Reads a GitHub repository through the REST API: `GET /repos/{owner}/{repo}/commits/{ref}`
 * for the SHA, `GET /repos/{owner}/{repo}/contents/{path}?ref=` for files (base64) and
 * directories (arrays). Files over 1 MB (content empty, encoding `none`) are read from the
 * Git Blobs API. A whole commit's file list comes from one Git Trees call (`listAllFiles`).
 */
export class GitHubReader implements RepoReader {
  readonly provider: ProviderName = 'github';
  readonly owner: string;
  readonly repo: string;
  readonly #api: ApiClient;

  constructor(opts: GitHubReaderOptions) {
    const [owner, repo, ...rest] = opts.repository.replace(/\.git$/, '').split('/');
    if (!owner || !repo || rest.length > 0) {
      throw new ProviderError(
        `GitHub repository must be owner/repo, got ${JSON.stringify(opts.repository)}`,
        {
          provider: 'github',
          method: '',
          url: '',
          status: null,
          body: '',
        },
        'invalid_input',
      );
    }
    this.owner = owner;
    this.repo = repo;
    const token = opts.token;
    this.#api = new ApiClient({
      provider: 'github',
      baseUrl: opts.baseUrl ?? 'https://api.github.com',
      authHeaders: async (): Promise<Record<string, string>> =>
        token ? { Authorization: `Bearer ${token}` } : {},
      redactor: new Redactor([token]),
      fetch: opts.fetch,
      timeoutMs: opts.timeoutMs,
      headers: { 'X-GitHub-Api-Version': '2022-11-28' },
    });
  }

  #repoPath(): string {
    return `/repos/${encodeURIComponent(this.owner)}/${encodeURIComponent(this.repo)}`;
  }

  async resolveRef(ref: string): Promise<string> {
    const { status, body, res } = await this.#api.getJson<{ sha?: string }>({
      url: `${this.#repoPath()}/commits/${encodePath(ref)}`,
      accept: 'application/vnd.github+json',
      // 422 "No commit found for SHA: …" for an unknown branch or SHA
      acceptStatus: [422],
    });
    if (status === 404 || status === 422) {
      // a missing repository and a missing ref both answer 404; tell them apart once
      await this.#api.assertRepoExists(
        this.#repoPath(),
        `GitHub repository ${this.owner}/${this.repo} not found (or not visible to this token)`,
      );
      throw new ProviderRefNotFoundError(ref, this.#api.failureOf(res));
    }
    if (!body?.sha || !COMMIT_SHA_RE.test(body.sha)) {
      throw new ProviderError(`GitHub returned no commit SHA for ${ref}`, this.#api.failureOf(res));
    }
    return body.sha.toLowerCase();
  }

  async readFile(path: string, sha: string): Promise<string> {
    const p = normaliseRepoPath(path);
    const item = await this.#contents(p, sha);
    if (item === undefined) throw new RepoFileNotFoundError(p, sha);
    if (Array.isArray(item)) throw new RepoFileNotFoundError(p, sha, { detail: 'is a directory' });
    if (item.type !== 'file') throw new RepoFileNotFoundError(p, sha, { detail: `is a ${item.type}` });
    if (item.encoding === 'base64' && typeof item.content === 'string') {
      return Buffer.from(item.content, 'base64').toString('utf8');
    }
    // 1–100 MB: the contents API leaves content empty; the blobs API still serves it
    const blob = await this.#api.getJson<{ content?: string; encoding?: string }>({
      url: `${this.#repoPath()}/git/blobs/${encodeURIComponent(item.sha)}`,
      accept: 'application/vnd.github+json',
    });
    if (blob.status === 404 || blob.body?.encoding !== 'base64' || typeof blob.body.content !== 'string') {
      throw new RepoFileNotFoundError(p, sha, { detail: 'blob not readable' });
    }
    return Buffer.from(blob.body.content, 'base64').toString('utf8');
  }

  async listFiles(dir: string, sha: string): Promise<RepoEntry[]> {
    const d = normaliseRepoPath(dir);
    const items = await this.#contents(d, sha);
    if (items === undefined) throw new RepoFileNotFoundError(d || '/', sha);
    if (!Array.isArray(items)) throw new RepoFileNotFoundError(d || '/', sha, { detail: 'not a directory' });
    return sortEntries(
      items.map((i) => ({
        path: normaliseRepoPath(i.path),
        name: i.name || baseName(i.path),
        type: entryType(i.type),
      })),
    );
  }

  /**
   * Every file of the commit from one call to the Git Trees API (`GET /git/trees/{sha}?recursive=1`);
   * a tree too large for one answer (`truncated`) is walked directory by directory instead.
   */
  async listAllFiles(sha: string): Promise<string[]> {
    const { status, body } = await this.#api.getJson<{
      truncated?: boolean;
      tree?: { path?: string; type?: string }[];
    }>({
      url: `${this.#repoPath()}/git/trees/${encodeURIComponent(sha)}`,
      query: { recursive: 1 },
      accept: 'application/vnd.github+json',
    });
    if (status === 404 || !body || !Array.isArray(body.tree)) throw new RepoFileNotFoundError('/', sha);
    if (body.truncated) return walkFiles(this, '', sha);
    return body.tree
      .filter((e) => e.type === 'blob' && typeof e.path === 'string')
      .map((e) => normaliseRepoPath(e.path!))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  async #contents(path: string, sha: string): Promise<ContentItem | ContentItem[] | undefined> {
    const { status, body } = await this.#api.getJson<ContentItem | ContentItem[]>({
      url: `${this.#repoPath()}/contents${path ? `/${encodePath(path)}` : ''}`,
      query: { ref: sha },
      accept: 'application/vnd.github+json',
    });
    if (status === 404) return undefined;
    return body;
  }
}

function entryType(t: string): RepoEntryType {
  return t === 'dir' ? 'dir' : t === 'symlink' ? 'symlink' : t === 'submodule' ? 'submodule' : 'file';
}
