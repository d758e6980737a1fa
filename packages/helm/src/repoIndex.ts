import { parse } from 'yaml';
import { authorizationHeader, type Credentials } from './credentials.ts';
import { ChartNotFoundError, ChartSourceError, RegistryAuthError } from './errors.ts';
import { type HttpAnswer, httpFetch } from './http.ts';
import { pickVersion } from './versions.ts';

export interface IndexEntry {
  name: string;
  version: string;
  urls: string[];
  digest?: string;
}

interface CachedIndex {
  entries: Map<string, IndexEntry[]>;
  fetchedAt: number;
}

/** Fetches, parses and caches Helm repository index.yaml files; refreshes after a TTL or when a version is missing. */
export class RepoIndexCache {
  private readonly cache = new Map<string, CachedIndex>();
  private readonly inflight = new Map<string, Promise<CachedIndex>>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** Number of index.yaml downloads made (for tests and metrics). */
  fetches = 0;

  constructor(opts: { ttlMs?: number; now?: () => number } = {}) {
    this.ttlMs = opts.ttlMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** The entry of `chart` at `version` (exact, a semver range, or empty/`latest` for the newest). */
  async find(
    repoUrl: string,
    chart: string,
    version: string,
    credentials?: Credentials,
  ): Promise<IndexEntry> {
    const base = repoUrl.replace(/\/+$/, '');
    let idx = await this.get(base, credentials, false);
    let hit = pick(idx.entries.get(chart), version);
    if (!hit && this.now() - idx.fetchedAt > 1000) {
      idx = await this.get(base, credentials, true);
      hit = pick(idx.entries.get(chart), version);
    }
    if (!hit) {
      const known = idx.entries.get(chart);
      throw new ChartNotFoundError(
        known
          ? `chart ${chart} has no version ${version} in ${base} (newest: ${known
              .map((e) => e.version)
              .slice(0, 5)
              .join(', ')})`
          : `chart ${chart} not found in ${base}`,
        base,
      );
    }
    return { ...hit, urls: hit.urls.map((u) => new URL(u, `${base}/`).toString()) };
  }

  /**
   * Every version of `chart` the repository's index lists (undefined when the
   * index has no such chart). Uses the cached index; never forces a refresh,
   * so checking many charts of one repository downloads its index once.
   */
  async versions(repoUrl: string, chart: string, credentials?: Credentials): Promise<string[] | undefined> {
    const idx = await this.get(repoUrl.replace(/\/+$/, ''), credentials, false);
    return idx.entries.get(chart)?.map((e) => e.version);
  }

  private async get(
    base: string,
    credentials: Credentials | undefined,
    force: boolean,
  ): Promise<CachedIndex> {
    const c = this.cache.get(base);
    if (c && !force && this.now() - c.fetchedAt < this.ttlMs) return c;
    const running = this.inflight.get(base);
    if (running) return running;
    const p = this.download(base, credentials).finally(() => this.inflight.delete(base));
    this.inflight.set(base, p);
    return p;
  }

  private async download(base: string, credentials: Credentials | undefined): Promise<CachedIndex> {
    this.fetches++;
    const auth = authorizationHeader(credentials);
    let res: HttpAnswer;
    try {
      res = await httpFetch(`${base}/index.yaml`, { headers: auth ? { authorization: auth } : {} });
    } catch (e) {
      throw new ChartSourceError(`${base}: cannot fetch index.yaml: ${(e as Error).message}`, base, e);
    }
    if (res.status === 401 || res.status === 403) throw new RegistryAuthError(base, res.status);
    if (!res.ok) throw new ChartSourceError(`${base}/index.yaml: HTTP ${res.status}`, base);
    const doc = parse(await res.text()) as { entries?: Record<string, IndexEntry[]> } | null;
    const entries = new Map<string, IndexEntry[]>();
    for (const [name, list] of Object.entries(doc?.entries ?? {})) {
      entries.set(
        name,
        (list ?? []).map((e) => ({ name, version: String(e.version), urls: e.urls ?? [], digest: e.digest })),
      );
    }
    const idx = { entries, fetchedAt: this.now() };
    this.cache.set(base, idx);
    return idx;
  }
}

function pick(list: IndexEntry[] | undefined, version: string): IndexEntry | undefined {
  if (!list) return undefined;
  const v = pickVersion(
    list.map((e) => e.version),
    version,
  );
  return v === undefined ? undefined : list.find((e) => e.version === v);
}
