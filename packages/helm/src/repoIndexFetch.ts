import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { type ChartMetadata, metadataOf } from './chartArchive.ts';
import { authorizationHeader, type Credentials } from './credentials.ts';
import { ChartSourceError, RegistryAuthError } from './errors.ts';
import { type HttpAnswer, httpFetch } from './http.ts';

/** One chart version as a repository's index.yaml lists it. */
export interface RepoIndexVersion extends ChartMetadata {
  name: string;
  version: string;
  /** Absolute download URLs. */
  urls: string[];
  /** sha256 of the archive (hex), when the index gives it. */
  digest?: string;
  created?: string;
}

/** The answer of a conditional index fetch. */
export type RepoIndexFetch =
  | { status: 'unchanged' }
  | { status: 'fetched'; versions: RepoIndexVersion[]; etag?: string; lastModified?: string };

/**
 * `GET <repo>/index.yaml`, conditional: with the ETag and Last-Modified of the last
 * fetch (`If-None-Match`, `If-Modified-Since`) a server that has nothing new answers
 * 304 and nothing is downloaded (`unchanged`).
 */
export async function fetchRepoIndex(opts: {
  url: string;
  credentials?: Credentials;
  etag?: string | null;
  lastModified?: string | null;
}): Promise<RepoIndexFetch> {
  const base = opts.url.replace(/\/+$/, '');
  const headers: Record<string, string> = { accept: 'application/x-yaml, text/yaml, */*' };
  const auth = authorizationHeader(opts.credentials);
  if (auth) headers.authorization = auth;
  if (opts.etag) headers['if-none-match'] = opts.etag;
  if (opts.lastModified) headers['if-modified-since'] = opts.lastModified;
  let res: HttpAnswer;
  try {
    res = await httpFetch(`${base}/index.yaml`, { headers });
  } catch (e) {
    throw new ChartSourceError(`${base}: cannot fetch index.yaml: ${causeOf(e)}`, base, e);
  }
  if (res.status === 304) return { status: 'unchanged' };
  if (res.status === 401 || res.status === 403) throw new RegistryAuthError(base, res.status);
  if (!res.ok) throw new ChartSourceError(`${base}/index.yaml: HTTP ${res.status}`, base);
  let doc: { entries?: Record<string, Record<string, unknown>[] | null> } | null;
  try {
    doc = parse(await res.text(), { maxAliasCount: 1000 }) as typeof doc;
  } catch (e) {
    throw new ChartSourceError(`${base}/index.yaml does not parse: ${(e as Error).message}`, base, e);
  }
  const versions: RepoIndexVersion[] = [];
  for (const [name, list] of Object.entries(doc?.entries ?? {})) {
    for (const e of list ?? []) {
      if (!e || e.version === undefined) continue;
      const urls = Array.isArray(e.urls) ? e.urls.map((u) => new URL(String(u), `${base}/`).toString()) : [];
      versions.push({
        ...metadataOf(e),
        name,
        version: String(e.version),
        urls,
        ...(typeof e.digest === 'string' && e.digest ? { digest: e.digest } : {}),
        ...(e.created
          ? { created: String(e.created instanceof Date ? e.created.toISOString() : e.created) }
          : {}),
      });
    }
  }
  return {
    status: 'fetched',
    versions,
    ...(res.headers.get('etag') ? { etag: res.headers.get('etag') as string } : {}),
    ...(res.headers.get('last-modified') ? { lastModified: res.headers.get('last-modified') as string } : {}),
  };
}

/**
 * Downloads a chart archive a repository's index names; credentials go only to the
 * repository's own host. Checked against the index's sha256 digest when there is one.
 */
export async function downloadChartArchive(opts: {
  url: string;
  repoUrl: string;
  credentials?: Credentials;
  digest?: string;
}): Promise<Buffer> {
  const sameHost = new URL(opts.url).host === new URL(opts.repoUrl).host;
  const auth = sameHost ? authorizationHeader(opts.credentials) : undefined;
  let res: HttpAnswer;
  try {
    res = await httpFetch(opts.url, { headers: auth ? { authorization: auth } : {} });
  } catch (e) {
    throw new ChartSourceError(`${opts.url}: ${causeOf(e)}`, opts.repoUrl, e);
  }
  if (res.status === 401 || res.status === 403) throw new RegistryAuthError(opts.repoUrl, res.status);
  if (!res.ok) throw new ChartSourceError(`${opts.url}: HTTP ${res.status}`, opts.repoUrl);
  const data = Buffer.from(await res.arrayBuffer());
  if (opts.digest) {
    const got = createHash('sha256').update(data).digest('hex');
    if (got !== opts.digest.replace(/^sha256:/, ''))
      throw new ChartSourceError(`${opts.url}: digest mismatch (sha256 ${got})`, opts.repoUrl);
  }
  return data;
}

/** fetch() (and httpFetch) failures hide the reason (DNS, refused) in `cause`. */
function causeOf(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  return err.cause?.code ?? err.cause?.message ?? err.message;
}
