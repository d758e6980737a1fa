import {
  type HttpFailure,
  ProviderAuthError,
  ProviderError,
  type ProviderName,
  ProviderRefNotFoundError,
  RepoFileNotFoundError,
} from './errors.ts';
import { ApiClient, encodePath, type FetchFn } from './http.ts';
import { basicAuthorization, type HeaderAuth, headerAuthHeaders, headerAuthSecrets } from './providerAuth.ts';
import { Redactor, truncate } from './redact.ts';
import {
  baseName,
  COMMIT_SHA_RE,
  normaliseRepoPath,
  type RepoEntry,
  type RepoReader,
  sortEntries,
} from './repoReader.ts';

/** A token pair as returned by Bitbucket's OAuth token endpoint. */
export interface BitbucketOAuthTokens {
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms. */
  expiresAt?: number;
}

/**
 * Credentials for Bitbucket Cloud.
 * - `bearer`: a repository, project or workspace access token
 * - `basic`: user name + app password / API token
 * - `oauth`: an OAuth consumer (client id/secret). With a refresh token the reader uses
 *   `grant_type=refresh_token`, otherwise `client_credentials`; it refreshes before expiry and
 *   once more after a 401, and reports new tokens through `onTokens` so they can be stored.
 */
export type BitbucketCloudAuth =
  | HeaderAuth
  | {
      kind: 'oauth';
      clientId: string;
      clientSecret: string;
      accessToken?: string;
      refreshToken?: string;
      expiresAt?: number;
      onTokens?: (tokens: BitbucketOAuthTokens) => void | Promise<void>;
    };

export interface BitbucketCloudReaderOptions {
  workspace: string;
  repoSlug: string;
  auth?: BitbucketCloudAuth;
  /** API root, default `https://api.bitbucket.org` (paths start with `/2.0/`). */
  baseUrl?: string;
  /** OAuth token endpoint, default `https://bitbucket.org/site/oauth2/access_token`. */
  tokenUrl?: string;
  fetch?: FetchFn;
  timeoutMs?: number;
  /** Page size for directory listings (Bitbucket allows up to 100). */
  pageLength?: number;
}

interface SrcEntry {
  type: 'commit_file' | 'commit_directory' | 'commit_link' | string;
  path: string;
}
interface Page<T> {
  values?: T[];
  next?: string;
}

/**
 * Reads a Bitbucket Cloud repository through the 2.0 API: branch or tag → commit via
 * `/refs/branches/{name}` (`/refs/tags/{name}`), files raw from `/src/{commit}/{path}`,
 * directories as paginated `values` (`commit_file` / `commit_directory`) following `next`.
 */
export class BitbucketCloudReader implements RepoReader {
  readonly provider: ProviderName = 'bitbucket_cloud';
  readonly workspace: string;
  readonly repoSlug: string;
  readonly #api: ApiClient;
  readonly #auth: BitbucketCloudAuth;
  readonly #redactor: Redactor;
  readonly #tokenUrl: string;
  readonly #fetch: FetchFn;
  readonly #timeoutMs: number;
  readonly #pageLength: number;
  #tokens: BitbucketOAuthTokens | undefined;
  #refreshing: Promise<void> | undefined;

  constructor(opts: BitbucketCloudReaderOptions) {
    this.workspace = opts.workspace;
    this.repoSlug = opts.repoSlug;
    this.#auth = opts.auth ?? { kind: 'none' };
    this.#tokenUrl = opts.tokenUrl ?? 'https://bitbucket.org/site/oauth2/access_token';
    this.#fetch = opts.fetch ?? fetch;
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
    this.#pageLength = opts.pageLength ?? 100;
    const a = this.#auth;
    this.#redactor = new Redactor(
      a.kind === 'oauth' ? [a.clientSecret, a.accessToken, a.refreshToken] : headerAuthSecrets(a),
    );
    if (a.kind === 'oauth' && a.accessToken) {
      this.#tokens = { accessToken: a.accessToken, refreshToken: a.refreshToken, expiresAt: a.expiresAt };
    } else if (a.kind === 'oauth') {
      this.#tokens = a.refreshToken ? { accessToken: '', refreshToken: a.refreshToken } : undefined;
    }
    this.#api = new ApiClient({
      provider: 'bitbucket_cloud',
      baseUrl: opts.baseUrl ?? 'https://api.bitbucket.org',
      authHeaders: () => this.#authHeaders(),
      onUnauthorized: a.kind === 'oauth' ? () => this.#refreshAfter401() : undefined,
      redactor: this.#redactor,
      fetch: opts.fetch,
      timeoutMs: opts.timeoutMs,
    });
  }

  #repoPath(): string {
    return `/2.0/repositories/${encodeURIComponent(this.workspace)}/${encodeURIComponent(this.repoSlug)}`;
  }

  async resolveRef(ref: string): Promise<string> {
    if (COMMIT_SHA_RE.test(ref)) {
      const { status, body, res } = await this.#api.getJson<{ hash?: string }>({
        url: `${this.#repoPath()}/commit/${encodeURIComponent(ref)}`,
      });
      if (status === 404 || !body?.hash) {
        await this.#assertRepoExists();
        throw new ProviderRefNotFoundError(ref, this.#api.failureOf(res));
      }
      return body.hash.toLowerCase();
    }
    for (const kind of ['branches', 'tags']) {
      const { status, body } = await this.#api.getJson<{ target?: { hash?: string } }>({
        url: `${this.#repoPath()}/refs/${kind}/${encodePath(ref)}`,
      });
      if (status !== 404 && body?.target?.hash) return body.target.hash.toLowerCase();
    }
    await this.#assertRepoExists();
    throw new ProviderRefNotFoundError(ref, {
      ...this.#api.failureBase('GET', `${this.#repoPath()}/refs/branches/${ref}`),
      status: 404,
      body: '',
    });
  }

  async readFile(path: string, sha: string): Promise<string> {
    const p = normaliseRepoPath(path);
    const text = await this.#api.getText({
      url: `${this.#repoPath()}/src/${encodeURIComponent(sha)}/${encodePath(p)}`,
    });
    if (text === undefined) throw new RepoFileNotFoundError(p, sha);
    return text;
  }

  async listFiles(dir: string, sha: string): Promise<RepoEntry[]> {
    const d = normaliseRepoPath(dir);
    const entries: RepoEntry[] = [];
    // the trailing slash asks for the directory listing
    let next: string | undefined =
      `${this.#repoPath()}/src/${encodeURIComponent(sha)}/${d ? `${encodePath(d)}/` : ''}`;
    let query: Record<string, string | number> | undefined = { pagelen: this.#pageLength };
    for (let page = 0; next; page++) {
      if (page > 10_000)
        throw new ProviderError('Bitbucket pagination does not end', {
          ...this.#api.failureBase('GET', next),
          status: null,
          body: '',
        });
      const { status, body }: { status: number; body: Page<SrcEntry> | undefined } = await this.#api.getJson<
        Page<SrcEntry>
      >({ url: next, query });
      if (status === 404) throw new RepoFileNotFoundError(d || '/', sha);
      if (!body || !Array.isArray(body.values)) {
        throw new RepoFileNotFoundError(d || '/', sha, { detail: 'not a directory' });
      }
      for (const v of body.values) {
        const path = normaliseRepoPath(v.path);
        const type = v.type === 'commit_directory' ? 'dir' : v.type === 'commit_link' ? 'submodule' : 'file';
        entries.push({ path, name: baseName(path), type });
      }
      next = body.next;
      query = undefined; // `next` carries its own query
    }
    return sortEntries(entries);
  }

  #assertRepoExists(): Promise<void> {
    return this.#api.assertRepoExists(
      this.#repoPath(),
      `Bitbucket Cloud repository ${this.workspace}/${this.repoSlug} not found (or not visible to these credentials)`,
    );
  }

  async #authHeaders(): Promise<Record<string, string>> {
    const a = this.#auth;
    if (a.kind !== 'oauth') return headerAuthHeaders(a);
    const t = this.#tokens;
    if (!t?.accessToken || (t.expiresAt !== undefined && t.expiresAt - 60_000 < Date.now()))
      await this.#refresh();
    return { Authorization: `Bearer ${this.#tokens?.accessToken ?? ''}` };
  }

  /** The failure of a call to the OAuth token endpoint. */
  #tokenFailure(status: number | null, body: string, cause?: unknown): HttpFailure {
    return { provider: 'bitbucket_cloud', method: 'POST', url: this.#tokenUrl, status, body, cause };
  }

  async #refreshAfter401(): Promise<boolean> {
    await this.#refresh();
    return true;
  }

  /** One refresh at a time; concurrent callers share it. */
  #refresh(): Promise<void> {
    this.#refreshing ??= this.#doRefresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #doRefresh(): Promise<void> {
    const a = this.#auth;
    if (a.kind !== 'oauth') return;
    const refreshToken = this.#tokens?.refreshToken;
    let res = await this.#tokenRequest(
      refreshToken
        ? { grant_type: 'refresh_token', refresh_token: refreshToken }
        : { grant_type: 'client_credentials' },
    );
    if (!res.ok && refreshToken && (res.status === 400 || res.status === 401)) {
      // a revoked or expired refresh token: the consumer's own credentials still work
      await res.body?.cancel();
      res = await this.#tokenRequest({ grant_type: 'client_credentials' });
    }
    const text = await res.text();
    if (!res.ok) {
      throw new ProviderAuthError(
        `Bitbucket OAuth token refresh failed (${res.status})`,
        this.#tokenFailure(res.status, this.#redactor.redact(truncate(text, 1000))),
      );
    }
    let body: { access_token?: string; refresh_token?: string; expires_in?: number };
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw new ProviderAuthError(
        'Bitbucket OAuth token endpoint answered with invalid JSON',
        this.#tokenFailure(res.status, '', e),
      );
    }
    if (!body.access_token) {
      throw new ProviderAuthError(
        'Bitbucket OAuth token endpoint returned no access_token',
        this.#tokenFailure(res.status, ''),
      );
    }
    this.#redactor.add(body.access_token).add(body.refresh_token);
    this.#tokens = {
      accessToken: body.access_token,
      refreshToken: body.refresh_token ?? refreshToken,
      expiresAt: body.expires_in ? Date.now() + body.expires_in * 1000 : undefined,
    };
    await a.onTokens?.({ ...this.#tokens });
  }

  async #tokenRequest(form: Record<string, string>): Promise<Response> {
    const a = this.#auth;
    if (a.kind !== 'oauth') throw new Error('unreachable');
    try {
      return await this.#fetch(this.#tokenUrl, {
        method: 'POST',
        headers: {
          Authorization: basicAuthorization(a.clientId, a.clientSecret),
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (e) {
      throw new ProviderAuthError(
        `Bitbucket OAuth token endpoint unreachable: ${this.#redactor.redact(String((e as Error).message))}`,
        this.#tokenFailure(null, '', e),
      );
    }
  }
}
