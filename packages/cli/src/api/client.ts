import { createHash } from 'node:crypto';
/**
 * The platform's HTTP API (`/api/v1`) over fetch. Every failure is a typed
 * error: the answer's status and `{error:{code,message,...}}` body, or the
 * platform could not be reached. `exitCodeOf` (src/exits.ts) maps them.
 */

/** One diagnostic of a 422 `invalid_definition` answer. */
export interface RemoteDiagnostic {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  column: number;
  path: string;
  code: string;
  message: string;
  hint?: string;
}

/** The body of every error answer. */
export interface ApiErrorBody {
  code: string;
  message: string;
  fields?: { path: string; message: string }[];
  diagnostics?: RemoteDiagnostic[];
}

/** The platform answered with an error status. */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly body: ApiErrorBody;
  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.status = status;
    this.code = body.code;
    this.body = body;
  }
}

/** The platform could not be reached (connection refused, DNS, timeout, not an API answer). */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
  readonly url: string;
  constructor(url: string, detail: string, options?: ErrorOptions) {
    super(`the platform at ${url} cannot be reached: ${detail}`, options);
    this.url = url;
  }
}

/** No platform URL or no token: nothing to ask. */
export class NotLoggedInError extends Error {
  override readonly name = 'NotLoggedInError';
}

/** Something named on the command line does not exist (a cluster by name, an add-on). */
export class NotFoundLocallyError extends Error {
  override readonly name = 'NotFoundLocallyError';
}

export interface Page<T> {
  items: T[];
  page: number;
  page_size: number;
  total: number;
}

export interface ClientOptions {
  /** The platform's base URL, e.g. `https://mooring.example.com` (without `/api/v1`). */
  url: string;
  token?: string;
  fetch?: typeof fetch;
  /** Milliseconds before a request is abandoned (default 30 s). */
  timeoutMs?: number;
}

export const API_PREFIX = '/api/v1';

/** The innermost message of an error chain: `fetch failed` says little, its cause says why. */
function innermost(e: unknown): string {
  let cur = e;
  let message = e instanceof Error ? e.message : String(e);
  for (let i = 0; i < 5 && cur instanceof Error && cur.cause !== undefined; i++) {
    cur = cur.cause;
    const m = cur instanceof Error ? cur.message : String(cur);
    if (m) message = m;
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && !m.includes(code)) message = `${m} (${code})`;
  }
  return message;
}

/** Reads an error body; anything else (a proxy's HTML page) becomes a generic one. */
function errorBody(status: number, text: string): ApiErrorBody {
  try {
    const parsed = JSON.parse(text) as { error?: Partial<ApiErrorBody> };
    if (parsed.error && typeof parsed.error.code === 'string')
      return { ...parsed.error, code: parsed.error.code, message: String(parsed.error.message ?? '') };
  } catch {
    // not JSON
  }
  return { code: `http_${status}`, message: `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}` };
}

/** Normalises a base URL: a scheme is required, `/api/v1` and trailing slashes are dropped. */
export function baseUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError(`not a URL: ${JSON.stringify(url)} (for example http://127.0.0.1:8400)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new TypeError(`not an http(s) URL: ${JSON.stringify(url)}`);
  return `${u.origin}${u.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '')}`;
}

export class ApiClient {
  readonly url: string;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(o: ClientOptions) {
    this.url = baseUrl(o.url);
    this.#token = o.token;
    this.#fetch = o.fetch ?? fetch;
    this.#timeoutMs = o.timeoutMs ?? 30_000;
  }

  /** sha256 of the token it sends (to key what is kept per login), never the token itself. */
  get identity(): string {
    return createHash('sha256')
      .update(this.#token ?? '')
      .digest('hex');
  }

  /** A request under `/api/v1`; resolves to the parsed JSON answer (undefined for 204). */
  async request<T>(
    method: string,
    path: string,
    o: { body?: unknown; query?: Record<string, string | number | undefined> } = {},
  ): Promise<T> {
    const url = new URL(`${this.url}${API_PREFIX}${path}`);
    for (const [k, v] of Object.entries(o.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.#fetch(url, {
        method,
        headers,
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (e) {
      throw new UnreachableError(this.url, innermost(e), { cause: e });
    }
    const text = await res.text();
    if (!res.ok) throw new ApiError(res.status, errorBody(res.status, text));
    if (res.status === 204 || text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new UnreachableError(this.url, `answered ${res.status} with something other than JSON`, {
        cause: e,
      });
    }
  }

  /**
   * A GET under `/api/v1` whose answer is read as it comes (a followed log): resolves with
   * the response once its status is known (an error status throws `ApiError`); no timeout
   * once it has started, `signal` ends it.
   */
  async stream(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    signal?: AbortSignal,
  ): Promise<Response> {
    const url = new URL(`${this.url}${API_PREFIX}${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'text/plain, application/json' };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    let res: Response;
    try {
      res = await this.#fetch(url, { method: 'GET', headers, ...(signal ? { signal } : {}) });
    } catch (e) {
      throw new UnreachableError(this.url, innermost(e), { cause: e });
    }
    if (!res.ok) throw new ApiError(res.status, errorBody(res.status, await res.text()));
    return res;
  }

  get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, { body });
  }

  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body });
  }

  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path);
  }

  /** Every item of a paginated list, page by page (100 at a time); a plain array as it is. */
  async all<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const p = await this.get<Page<T> | T[]>(path, { ...query, page, page_size: 100 });
      if (Array.isArray(p)) return p;
      items.push(...p.items);
      if (p.items.length === 0 || items.length >= p.total) return items;
    }
  }
}
