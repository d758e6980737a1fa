import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ChartRef, isOci, ociLocation, ociScheme } from './chartRef.ts';
import { authorizationHeader } from './credentials.ts';
import { ChartSourceError, RegistryAuthError } from './errors.ts';
import { type HttpAnswer, httpFetch } from './http.ts';
import { applyMirrors, type Mirror } from './mirrors.ts';
import { pullOciChart } from './oci.ts';
import { RepoIndexCache } from './repoIndex.ts';

export interface ResolvedChart {
  /** Local path of the packaged chart (.tgz). */
  path: string;
  chart: string;
  version: string;
  /** The URL actually used, after mirrors. */
  source: string;
  digest?: string;
}

export interface ChartCacheOptions {
  dir: string;
  mirrors?: Mirror[];
  plainHttpHosts?: string[];
  indexTtlMs?: number;
}

/**
 * Resolves chart references to local .tgz files: Helm repositories through their
 * cached index.yaml, OCI registries through the distribution API. Downloads are
 * cached on disk by source and version and shared between concurrent callers, so
 * helm itself never needs registry credentials.
 */
export class ChartCache {
  readonly index: RepoIndexCache;
  private readonly dir: string;
  private readonly mirrors: Mirror[];
  private readonly plainHttpHosts: string[];
  private readonly inflight = new Map<string, Promise<ResolvedChart>>();
  /** Number of chart archives downloaded (cache misses). */
  downloads = 0;

  constructor(opts: ChartCacheOptions) {
    this.dir = opts.dir;
    this.mirrors = opts.mirrors ?? [];
    this.plainHttpHosts = opts.plainHttpHosts ?? [];
    this.index = new RepoIndexCache({ ttlMs: opts.indexTtlMs });
    mkdirSync(this.dir, { recursive: true });
  }

  resolve(ref: ChartRef): Promise<ResolvedChart> {
    const url = applyMirrors(ref.repoUrl, this.mirrors);
    const key = `${url}|${ref.chart}|${ref.version}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = (isOci(url) ? this.resolveOci(ref, url) : this.resolveRepo(ref, url)).finally(() =>
      this.inflight.delete(key),
    );
    this.inflight.set(key, p);
    return p;
  }

  private fileFor(source: string, chart: string, version: string): string {
    const h = createHash('sha256').update(source).digest('hex').slice(0, 16);
    return join(this.dir, `${chart}-${version}-${h}.tgz`);
  }

  private write(path: string, data: Buffer): void {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  }

  private async resolveOci(ref: ChartRef, url: string): Promise<ResolvedChart> {
    const { host, repository } = ociLocation(url, ref.chart);
    const source = `oci://${host}/${repository}`;
    const path = this.fileFor(source, ref.chart, ref.version);
    if (existsSync(path)) return { path, chart: ref.chart, version: ref.version, source };
    const { data, digest } = await pullOciChart({
      scheme: ociScheme(host, this.plainHttpHosts),
      host,
      repository,
      tag: ref.version,
      credentials: ref.credentials,
    });
    this.downloads++;
    this.write(path, data);
    return { path, chart: ref.chart, version: ref.version, source, digest };
  }

  private async resolveRepo(ref: ChartRef, url: string): Promise<ResolvedChart> {
    const entry = await this.index.find(url, ref.chart, ref.version, ref.credentials);
    const tgzUrl = entry.urls[0];
    if (!tgzUrl) throw new ChartSourceError(`${url}: ${ref.chart}@${entry.version} has no download URL`, url);
    const path = this.fileFor(tgzUrl, ref.chart, entry.version);
    if (existsSync(path))
      return { path, chart: ref.chart, version: entry.version, source: tgzUrl, digest: entry.digest };
    // send credentials only to the repository's own host
    const sameHost = new URL(tgzUrl).host === new URL(url).host;
    const auth = sameHost ? authorizationHeader(ref.credentials) : undefined;
    let res: HttpAnswer;
    try {
      res = await httpFetch(tgzUrl, { headers: auth ? { authorization: auth } : {} });
    } catch (e) {
      throw new ChartSourceError(`${tgzUrl}: ${(e as Error).message}`, url, e);
    }
    if (res.status === 401 || res.status === 403) throw new RegistryAuthError(url, res.status);
    if (!res.ok) throw new ChartSourceError(`${tgzUrl}: HTTP ${res.status}`, url);
    const data = Buffer.from(await res.arrayBuffer());
    if (entry.digest) {
      const got = createHash('sha256').update(data).digest('hex');
      if (got !== entry.digest) throw new ChartSourceError(`${tgzUrl}: digest mismatch`, url);
    }
    this.downloads++;
    this.write(path, data);
    return { path, chart: ref.chart, version: entry.version, source: tgzUrl, digest: entry.digest };
  }
}
