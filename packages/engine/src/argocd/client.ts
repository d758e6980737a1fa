import { httpFetch } from '@mooring/helm';
import type { Application, AppProject, Repository, ResourceTree } from './types.ts';

/** An Argo CD API call failed: the method, path and status, never the token. */
export class ArgoCdApiError extends Error {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  constructor(method: string, path: string, status: number, message: string) {
    super(`Argo CD ${method} ${path}: ${status} ${message}`);
    this.name = 'ArgoCdApiError';
    this.status = status;
    this.method = method;
    this.path = path;
  }
}

export type DeletionMode = 'foreground' | 'background' | 'non-cascading';

export interface ArgoCdClientOptions {
  /** The API server, e.g. `https://argocd.example` or `http://127.0.0.1:8080`. */
  url: string;
  /** A Bearer token: the local account's API token, or an admin session for setup. */
  token: string;
  timeoutMs?: number;
}

/**
 * The only code that talks to the Argo CD API (REST under `/api/v1`). Every
 * request with a body, DELETE included, sends `Content-Type: application/json`
 * (the API answers 415 otherwise). The API answers 403 rather than 404 for an
 * Application that does not exist, so reads of one Application treat both as absent.
 */
export class ArgoCdClient {
  readonly url: string;
  #token: string;
  readonly #timeoutMs: number;
  requests = 0;

  constructor(o: ArgoCdClientOptions) {
    this.url = o.url.replace(/\/+$/, '');
    this.#token = o.token;
    this.#timeoutMs = o.timeoutMs ?? 30_000;
  }

  /** Uses another token from now on (after a rotation). */
  setToken(token: string): void {
    this.#token = token;
  }

  async #call<T>(method: string, path: string, body?: unknown, withJson = body !== undefined): Promise<T> {
    this.requests++;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    if (withJson) headers['content-type'] = 'application/json';
    const r = await httpFetch(`${this.url}${path}`, {
      method,
      headers,
      body: body !== undefined ? JSON.stringify(body) : withJson ? '{}' : undefined,
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const text = await r.text();
    if (!r.ok) {
      let message = text.slice(0, 500);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        /* not JSON */
      }
      throw new ArgoCdApiError(method, path.split('?')[0]!, r.status, message);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** A session token for a user (admin credentials at setup). */
  async login(username: string, password: string): Promise<string> {
    const r = await this.#call<{ token: string }>('POST', '/api/v1/session', { username, password });
    return r.token;
  }

  version(): Promise<{ Version: string }> {
    return this.#call('GET', '/api/version');
  }

  account(name: string): Promise<{
    name: string;
    enabled: boolean;
    capabilities?: string[];
    tokens?: { id: string; issuedAt: string; expiresAt?: string }[];
  }> {
    return this.#call('GET', `/api/v1/account/${encodeURIComponent(name)}`);
  }

  /** A new API token for a local account (`expiresIn` seconds, 0 = never). */
  async createToken(account: string, id: string, expiresIn = 0): Promise<string> {
    const r = await this.#call<{ token: string }>(
      'POST',
      `/api/v1/account/${encodeURIComponent(account)}/token`,
      {
        name: account,
        id,
        expiresIn,
      },
    );
    return r.token;
  }

  async deleteToken(account: string, id: string): Promise<void> {
    await this.#call(
      'DELETE',
      `/api/v1/account/${encodeURIComponent(account)}/token/${encodeURIComponent(id)}`,
      undefined,
      true,
    );
  }

  /** One Application, or undefined when it does not exist (403 or 404). */
  async getApplication(name: string, namespace?: string): Promise<Application | undefined> {
    try {
      return await this.#call<Application>(
        'GET',
        `/api/v1/applications/${encodeURIComponent(name)}${ns(namespace, '?')}`,
      );
    } catch (e) {
      if (e instanceof ArgoCdApiError && (e.status === 403 || e.status === 404)) return undefined;
      throw e;
    }
  }

  async listApplications(selector?: string): Promise<Application[]> {
    const q = selector ? `?selector=${encodeURIComponent(selector)}` : '';
    const r = await this.#call<{ items?: Application[] | null }>('GET', `/api/v1/applications${q}`);
    return r.items ?? [];
  }

  /** Creates or replaces an Application (`upsert`), validated by the server unless `validate: false`. */
  upsertApplication(app: Application, o: { validate?: boolean } = {}): Promise<Application> {
    return this.#call('POST', `/api/v1/applications?upsert=true&validate=${o.validate ?? true}`, app);
  }

  /** Asks for a refresh (`normal` re-reads the cluster, `hard` also the source). */
  refresh(name: string, kind: 'normal' | 'hard' = 'normal', namespace?: string): Promise<Application> {
    return this.#call(
      'GET',
      `/api/v1/applications/${encodeURIComponent(name)}?refresh=${kind}${ns(namespace, '&')}`,
    );
  }

  /** Starts a sync now (the same as the automated policy would, without waiting for it). */
  sync(name: string, o: { prune?: boolean; revision?: string } = {}): Promise<Application> {
    return this.#call('POST', `/api/v1/applications/${encodeURIComponent(name)}/sync`, {
      name,
      prune: o.prune ?? false,
      ...(o.revision ? { revision: o.revision } : {}),
    });
  }

  /** Ends a running operation (a sync stuck in progress). */
  async terminateOperation(name: string): Promise<void> {
    await this.#call('DELETE', `/api/v1/applications/${encodeURIComponent(name)}/operation`, undefined, true);
  }

  /**
   * Deletes an Application: `foreground` and `background` cascade to its
   * resources (Argo CD's `resources-finalizer.argocd.argoproj.io`), `non-cascading`
   * removes the finalizer so the resources stay. Absent already: nothing to do.
   */
  async deleteApplication(name: string, mode: DeletionMode, namespace?: string): Promise<boolean> {
    const q = mode === 'non-cascading' ? 'cascade=false' : `cascade=true&propagationPolicy=${mode}`;
    try {
      await this.#call(
        'DELETE',
        `/api/v1/applications/${encodeURIComponent(name)}?${q}${ns(namespace, '&')}`,
        undefined,
        true,
      );
      return true;
    } catch (e) {
      if (e instanceof ArgoCdApiError && (e.status === 403 || e.status === 404)) return false;
      throw e;
    }
  }

  /** A JSON merge patch of an Application (e.g. its finalizers cleared). */
  patchApplication(name: string, patch: object): Promise<Application> {
    return this.#call('PATCH', `/api/v1/applications/${encodeURIComponent(name)}`, {
      name,
      patch: JSON.stringify(patch),
      patchType: 'merge',
    });
  }

  /** Creates or replaces a repository connection (credentials travel in the body, never in an error). */
  async upsertRepository(repo: Repository): Promise<void> {
    await this.#call('POST', '/api/v1/repositories?upsert=true', repo);
  }

  async getProject(name: string): Promise<AppProject | undefined> {
    try {
      return await this.#call<AppProject>('GET', `/api/v1/projects/${encodeURIComponent(name)}`);
    } catch (e) {
      if (e instanceof ArgoCdApiError && (e.status === 403 || e.status === 404)) return undefined;
      throw e;
    }
  }

  /** Creates or replaces an AppProject. */
  upsertProject(project: AppProject): Promise<AppProject> {
    return this.#call('POST', '/api/v1/projects', { project, upsert: true });
  }

  /** Deletes an AppProject; absent already: false. */
  async deleteProject(name: string): Promise<boolean> {
    try {
      await this.#call('DELETE', `/api/v1/projects/${encodeURIComponent(name)}`, undefined, true);
      return true;
    } catch (e) {
      if (e instanceof ArgoCdApiError && (e.status === 403 || e.status === 404)) return false;
      throw e;
    }
  }

  resourceTree(name: string, namespace?: string): Promise<ResourceTree> {
    return this.#call(
      'GET',
      `/api/v1/applications/${encodeURIComponent(name)}/resource-tree${ns(namespace, '?')}`,
    );
  }
}

function ns(namespace: string | undefined, sep: '?' | '&'): string {
  return namespace ? `${sep}appNamespace=${encodeURIComponent(namespace)}` : '';
}
