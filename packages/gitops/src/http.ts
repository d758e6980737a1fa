import {
  type HttpFailure,
  ProviderAuthError,
  ProviderError,
  type ProviderName,
  ProviderNetworkError,
  ProviderNotFoundError,
  ProviderRateLimitError,
} from './errors.ts';
import { type Redactor, truncate } from './redact.ts';

export type FetchFn = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  provider: ProviderName;
  /** API root; absolute URLs passed to `request` must share its origin (credentials never leave it). */
  baseUrl: string;
  /** Headers carrying credentials, computed per request (tokens may be refreshed). */
  authHeaders: () => Promise<Record<string, string>>;
  /** Called once after a 401; return true to retry the request with fresh authHeaders. */
  onUnauthorized?: () => Promise<boolean>;
  redactor: Redactor;
  fetch?: FetchFn;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  userAgent?: string;
  /** Extra headers on every request (e.g. GitHub's API version). */
  headers?: Record<string, string>;
}

export interface ApiRequest {
  /** A path below baseUrl (`/repos/o/r`) or an absolute URL on the same origin (pagination links). */
  url: string;
  query?: Record<string, string | number | undefined>;
  accept?: string;
  /** Statuses (besides 2xx and 404) returned to the caller instead of thrown. */
  acceptStatus?: number[];
}

/** Small HTTP client shared by the provider readers: auth, one retry on 401, typed errors. */
export class ApiClient {
  readonly #o: ApiClientOptions;
  readonly #base: URL;

  constructor(opts: ApiClientOptions) {
    this.#o = opts;
    this.#base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
  }

  get provider(): ProviderName {
    return this.#o.provider;
  }

  url(req: ApiRequest): URL {
    const u = /^https?:\/\//i.test(req.url)
      ? new URL(req.url)
      : new URL(req.url.replace(/^\/+/, ''), this.#base);
    if (u.origin !== this.#base.origin) {
      throw new ProviderError(`refusing to send credentials to ${u.origin} (API is ${this.#base.origin})`, {
        provider: this.#o.provider,
        method: 'GET',
        url: this.#o.redactor.redact(u.toString()),
        status: null,
        body: '',
      });
    }
    for (const [k, v] of Object.entries(req.query ?? {}))
      if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  /**
   * GET with auth. Returns the response for 2xx and 404 (callers decide what a 404 means);
   * throws typed errors for everything else.
   */
  async get(req: ApiRequest): Promise<Response> {
    const url = this.url(req);
    let res = await this.#send(url, req);
    if (res.status === 401 && this.#o.onUnauthorized) {
      await res.body?.cancel();
      if (await this.#o.onUnauthorized()) res = await this.#send(url, req);
    }
    if (res.ok || res.status === 404 || req.acceptStatus?.includes(res.status)) return res;
    throw await this.errorFor(res, 'GET', url);
  }

  /** GET a JSON document. For 404 (and accepted statuses) `body` is undefined and `text` holds the answer. */
  async getJson<T>(
    req: ApiRequest,
  ): Promise<{ status: number; body: T | undefined; text: string; res: Response }> {
    const res = await this.get({ accept: 'application/json', ...req });
    const text = await res.text();
    if (!res.ok) return { status: res.status, body: undefined, text, res };
    try {
      return { status: res.status, body: JSON.parse(text) as T, text, res };
    } catch (e) {
      throw new ProviderError(`${this.#o.provider} answered with invalid JSON`, {
        ...this.failureBase('GET', res.url || this.url(req).toString()),
        status: res.status,
        body: this.#o.redactor.redact(truncate(text, 500)),
        cause: e,
      });
    }
  }

  /**
   * GET a raw file; undefined for 404. For providers that serve file contents as they are
   * (Bitbucket `src` / `raw`).
   */
  async getText(req: ApiRequest): Promise<string | undefined> {
    const res = await this.get({ accept: '*/*', ...req });
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    return res.text();
  }

  /** Throws `ProviderNotFoundError` with `message` when GET `url` (the repository) answers 404. */
  async assertRepoExists(url: string, message: string): Promise<void> {
    const { status, res } = await this.getJson<unknown>({ url });
    if (status === 404) throw new ProviderNotFoundError(message, this.failureOf(res));
  }

  failureBase(method: string, url: string): Omit<HttpFailure, 'status' | 'body'> {
    return { provider: this.#o.provider, method, url: this.#o.redactor.redact(url) };
  }

  /** The failure of a GET that answered `res` (its body already read or not worth keeping). */
  failureOf(res: Response, body = ''): HttpFailure {
    return { ...this.failureBase('GET', res.url), status: res.status, body };
  }

  /** Builds the typed error for a non-2xx response (consumes its body). */
  async errorFor(res: Response, method: string, url: URL): Promise<ProviderError> {
    const body = this.#o.redactor.redact(truncate(await res.text().catch(() => ''), 2000));
    const failure: HttpFailure = { ...this.failureBase(method, url.toString()), status: res.status, body };
    const where = `${method} ${failure.url}`;
    const remaining = res.headers.get('x-ratelimit-remaining');
    if (res.status === 429 || (res.status === 403 && remaining === '0')) {
      const reset = res.headers.get('x-ratelimit-reset');
      const retryAfter = res.headers.get('retry-after');
      const resetAt = reset
        ? Number(reset) * 1000
        : retryAfter
          ? Date.now() + Number(retryAfter) * 1000
          : undefined;
      return new ProviderRateLimitError(`${this.#o.provider} rate limit reached: ${where}`, failure, resetAt);
    }
    if (res.status === 401 || res.status === 403) {
      return new ProviderAuthError(
        `${this.#o.provider} refused the credentials (${res.status}): ${where}`,
        failure,
      );
    }
    return new ProviderError(`${this.#o.provider} answered ${res.status}: ${where}`, failure);
  }

  async #send(url: URL, req: ApiRequest): Promise<Response> {
    const headers: Record<string, string> = {
      'User-Agent': this.#o.userAgent ?? 'mooring',
      Accept: req.accept ?? 'application/json',
      ...this.#o.headers,
      ...(await this.#o.authHeaders()),
    };
    const doFetch = this.#o.fetch ?? fetch;
    try {
      return await doFetch(url, {
        method: 'GET',
        headers,
        redirect: 'follow',
        signal: AbortSignal.timeout(this.#o.timeoutMs ?? 30_000),
      });
    } catch (e) {
      throw new ProviderNetworkError(
        `${this.#o.provider} unreachable: GET ${this.#o.redactor.redact(url.toString())}: ${this.#o.redactor.redact(String((e as Error).message))}`,
        { ...this.failureBase('GET', url.toString()), status: null, body: '', cause: e },
      );
    }
  }
}

/** Encodes each segment of a repository path for use in a URL path. */
export function encodePath(path: string): string {
  return path
    .split('/')
    .filter((s) => s.length > 0)
    .map(encodeURIComponent)
    .join('/');
}
