import {
  ProviderError,
  type ProviderName,
  ProviderNotFoundError,
  ProviderRefNotFoundError,
  RepoFileNotFoundError,
} from './errors.ts';
import { ApiClient, encodePath, type FetchFn } from './http.ts';
import { type HeaderAuth, headerAuthHeaders, headerAuthSecrets } from './providerAuth.ts';
import { Redactor } from './redact.ts';
import {
  COMMIT_SHA_RE,
  joinRepoPath,
  normaliseRepoPath,
  type RepoEntry,
  type RepoEntryType,
  type RepoReader,
  sortEntries,
} from './repoReader.ts';

/**
 * Credentials for Bitbucket Data Center / Server: an HTTP access token (personal, project or
 * repository; `Authorization: Bearer`) or a user name and password.
 */
export type BitbucketDcAuth = HeaderAuth;

export interface BitbucketDcReaderOptions {
  /** The instance, e.g. `https://bitbucket.example.com` (a context path like `/bitbucket` is kept). */
  instanceUrl: string;
  projectKey: string;
  repoSlug: string;
  auth?: BitbucketDcAuth;
  fetch?: FetchFn;
  timeoutMs?: number;
  /** Page size for directory listings. */
  pageLimit?: number;
}

interface DcErrors {
  errors?: { message?: string; exceptionName?: string | null }[];
}
interface DcPage<T> {
  values?: T[];
  isLastPage?: boolean;
  nextPageStart?: number | null;
  start?: number;
  size?: number;
}
interface DcChild {
  path?: { components?: string[]; name?: string; toString?: string };
  type?: 'FILE' | 'DIRECTORY' | 'SUBMODULE' | string;
}
interface DcBrowse {
  children?: DcPage<DcChild>;
  lines?: unknown[];
}

/**
 * Reads a Bitbucket Data Center repository through REST 1.0:
 * `/commits?until={ref}&limit=1` for the SHA, `/raw/{path}?at=` for files and
 * `/browse/{path}?at=` (paged `children`) for directories, `/files?at=` (paged paths) for a
 * whole commit's file list.
 */
export class BitbucketDcReader implements RepoReader {
  readonly provider: ProviderName = 'bitbucket_data_center';
  readonly projectKey: string;
  readonly repoSlug: string;
  readonly #api: ApiClient;
  readonly #pageLimit: number;

  constructor(opts: BitbucketDcReaderOptions) {
    this.projectKey = opts.projectKey;
    this.repoSlug = opts.repoSlug;
    this.#pageLimit = opts.pageLimit ?? 500;
    const auth = opts.auth ?? { kind: 'none' };
    this.#api = new ApiClient({
      provider: 'bitbucket_data_center',
      baseUrl: opts.instanceUrl,
      authHeaders: async () => headerAuthHeaders(auth),
      redactor: new Redactor(headerAuthSecrets(auth)),
      fetch: opts.fetch,
      timeoutMs: opts.timeoutMs,
      // Bitbucket DC refuses cross-site-request-like calls without this on some endpoints
      headers: { 'X-Atlassian-Token': 'no-check' },
    });
  }

  #repoPath(): string {
    return `rest/api/1.0/projects/${encodeURIComponent(this.projectKey)}/repos/${encodeURIComponent(this.repoSlug)}`;
  }

  async resolveRef(ref: string): Promise<string> {
    const {
      status,
      body,
      res,
      text: raw,
    } = await this.#api.getJson<DcPage<{ id?: string }>>({
      url: `${this.#repoPath()}/commits`,
      query: { until: ref, limit: 1 },
    });
    if (status === 404) {
      const text = errorText(raw);
      if (
        /NoSuchRepository|NoSuchProject|repository .* does not exist|project .* does not exist/i.test(text)
      ) {
        throw new ProviderNotFoundError(
          `Bitbucket Data Center repository ${this.projectKey}/${this.repoSlug} not found (or not visible to these credentials)`,
          this.#api.failureOf(res, text),
        );
      }
      throw new ProviderRefNotFoundError(ref, this.#api.failureOf(res, text));
    }
    const id = body?.values?.[0]?.id;
    if (!id || !COMMIT_SHA_RE.test(id)) {
      if (body?.values && body.values.length === 0) {
        throw new ProviderRefNotFoundError(ref, this.#api.failureOf(res));
      }
      throw new ProviderError(
        `Bitbucket Data Center returned no commit for ${ref}`,
        this.#api.failureOf(res),
      );
    }
    return id.toLowerCase();
  }

  async readFile(path: string, sha: string): Promise<string> {
    const p = normaliseRepoPath(path);
    const text = await this.#api.getText({
      url: `${this.#repoPath()}/raw/${encodePath(p)}`,
      query: { at: sha },
    });
    if (text === undefined) throw new RepoFileNotFoundError(p, sha);
    return text;
  }

  async listFiles(dir: string, sha: string): Promise<RepoEntry[]> {
    const d = normaliseRepoPath(dir);
    const entries: RepoEntry[] = [];
    let start = 0;
    for (let page = 0; ; page++) {
      if (page > 10_000)
        throw new RepoFileNotFoundError(d || '/', sha, { detail: 'pagination does not end' });
      const { status, body } = await this.#api.getJson<DcBrowse>({
        url: `${this.#repoPath()}/browse${d ? `/${encodePath(d)}` : ''}`,
        query: { at: sha, start, limit: this.#pageLimit },
      });
      if (status === 404) throw new RepoFileNotFoundError(d || '/', sha);
      const children = body?.children;
      if (!children || !Array.isArray(children.values)) {
        throw new RepoFileNotFoundError(d || '/', sha, { detail: 'not a directory' });
      }
      for (const c of children.values) {
        // child paths are relative to the browsed directory
        const rel =
          c.path?.components?.join('/') ??
          (typeof c.path?.toString === 'string' ? c.path.toString : undefined) ??
          c.path?.name;
        if (!rel) continue;
        const path = joinRepoPath(d, normaliseRepoPath(rel));
        entries.push({ path, name: path.slice(path.lastIndexOf('/') + 1), type: entryType(c.type) });
      }
      if (children.isLastPage !== false || children.nextPageStart == null) break;
      start = children.nextPageStart;
    }
    return sortEntries(entries);
  }

  /** Every file of the commit from the paged `files?at=` listing (recursive, paths from the root). */
  async listAllFiles(sha: string): Promise<string[]> {
    const out: string[] = [];
    let start = 0;
    for (let page = 0; ; page++) {
      if (page > 10_000) throw new RepoFileNotFoundError('/', sha, { detail: 'pagination does not end' });
      const { status, body } = await this.#api.getJson<DcPage<string>>({
        url: `${this.#repoPath()}/files`,
        query: { at: sha, start, limit: this.#pageLimit },
      });
      if (status === 404 || !body || !Array.isArray(body.values)) throw new RepoFileNotFoundError('/', sha);
      for (const v of body.values) if (typeof v === 'string') out.push(normaliseRepoPath(v));
      if (body.isLastPage !== false || body.nextPageStart == null) break;
      start = body.nextPageStart;
    }
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

function errorText(raw: string): string {
  try {
    const body = JSON.parse(raw) as DcErrors;
    return (body.errors ?? []).map((e) => `${e.exceptionName ?? ''}: ${e.message ?? ''}`).join('; ');
  } catch {
    return '';
  }
}

function entryType(t: string | undefined): RepoEntryType {
  return t === 'DIRECTORY' ? 'dir' : t === 'SUBMODULE' ? 'submodule' : 'file';
}
