import { createHash } from 'node:crypto';
/**
 * The catalogue's edge: what a registry lists now (conditional requests), and one
 * version's archive read for its files. Everything here does I/O through @mooring/helm.
 */
import {
  type ChartFiles,
  type Credentials,
  downloadChartArchive,
  fetchRepoIndex,
  listOciRepositories,
  listOciTags,
  ociManifestDigest,
  ociScheme,
  pullOciChart,
  readChartFiles,
} from '@mooring/helm';
import type { ResolvedCredential } from '../gitops/credentials.ts';
import { isExcluded, type ListedVersion, type RegistryKind, tagToVersion, versionToTag } from './decide.ts';

export interface RegistrySource {
  kind: RegistryKind;
  url: string;
  credentials?: Credentials;
  /** OCI: the charts to index when the registry does not list its repositories. */
  charts: string[];
  excluded: string[];
}

export type Listing =
  | { status: 'unchanged' }
  | {
      status: 'listed';
      versions: ListedVersion[];
      etag?: string;
      lastModified?: string;
      /** Charts whose listing failed this time (their versions are kept as they are). */
      unlisted: { chart: string; error: string }[];
    };

/** A version read from its archive. */
export interface FetchedVersion {
  files: ChartFiles;
  digest: string;
}

/** A credential by name as a chart source uses it: basic (user name and password or token) or a bearer token. */
export function chartCredentials(name: string, c: ResolvedCredential): Credentials {
  if (c.kind === 'git' && c.auth.kind === 'token') {
    return c.auth.username
      ? { kind: 'basic', username: c.auth.username, password: c.auth.token }
      : { kind: 'bearer', token: c.auth.token };
  }
  throw new CredentialKindError(name);
}

/** The credential's kind cannot authenticate to a chart registry (an SSH key, an OAuth consumer). */
export class CredentialKindError extends Error {
  override readonly name = 'CredentialKindError';
  constructor(credential: string) {
    super(
      `credential ${JSON.stringify(credential)} cannot authenticate to a chart registry: use a token or basic credential`,
    );
  }
}

/** `oci://host/path` → host and path. */
export function ociParts(url: string): { host: string; path: string } {
  const rest = url.slice('oci://'.length).replace(/\/+$/, '');
  const slash = rest.indexOf('/');
  return slash < 0 ? { host: rest, path: '' } : { host: rest.slice(0, slash), path: rest.slice(slash + 1) };
}

/** Lists what the registry holds now; `unchanged` when a Helm repository answers 304. */
export async function listRegistry(
  src: RegistrySource,
  validators: { etag: string | null; lastModified: string | null },
): Promise<Listing> {
  if (src.kind === 'helm') {
    const r = await fetchRepoIndex({
      url: src.url,
      credentials: src.credentials,
      etag: validators.etag,
      lastModified: validators.lastModified,
    });
    if (r.status === 'unchanged') return r;
    return {
      status: 'listed',
      versions: r.versions.map((v) => ({
        chart: v.name,
        version: v.version,
        ...(v.digest ? { sourceDigest: `sha256:${v.digest.replace(/^sha256:/, '')}` } : {}),
        ...(v.appVersion ? { appVersion: v.appVersion } : {}),
        ...(v.description ? { description: v.description } : {}),
        deprecated: v.deprecated === true,
        ...(v.created ? { created: v.created } : {}),
        urls: v.urls,
      })),
      ...(r.etag ? { etag: r.etag } : {}),
      ...(r.lastModified ? { lastModified: r.lastModified } : {}),
      unlisted: [],
    };
  }
  return listOci(src);
}

async function listOci(src: RegistrySource): Promise<Listing> {
  const { host, path } = ociParts(src.url);
  const scheme = ociScheme(host);
  let repositories: string[];
  if (src.charts.length > 0) repositories = src.charts.map((c) => [path, c].filter(Boolean).join('/'));
  else {
    const listed = await listOciRepositories({ scheme, host, prefix: path, credentials: src.credentials });
    if (listed) repositories = listed.filter((r) => r !== path);
    else if (path) repositories = [path];
    else
      throw new Error(
        `${src.url}: the registry does not list its repositories: name the charts to index (charts)`,
      );
  }
  const versions: ListedVersion[] = [];
  const unlisted: { chart: string; error: string }[] = [];
  for (const repository of repositories) {
    const chart = repository.slice(repository.lastIndexOf('/') + 1);
    if (isExcluded(chart, src.excluded)) continue;
    try {
      const tags = await listOciTags({ scheme, host, repository, credentials: src.credentials });
      if (tags === undefined) throw new Error(`oci://${host}/${repository}: no such repository`);
      const wanted = tags.flatMap((t) => {
        const v = tagToVersion(t);
        return v ? [{ tag: t, version: v }] : [];
      });
      const digests = await mapLimit(wanted, 8, (w) =>
        ociManifestDigest({ scheme, host, repository, tag: w.tag, credentials: src.credentials }),
      );
      wanted.forEach((w, i) => {
        const d = digests[i];
        if (d)
          versions.push({
            chart,
            version: w.version,
            sourceDigest: d,
            urls: [`oci://${host}/${repository}`],
          });
      });
    } catch (e) {
      unlisted.push({ chart, error: (e as Error).message });
    }
  }
  return { status: 'listed', versions, unlisted };
}

/** Downloads one version's archive and reads its files. */
export async function fetchVersion(src: RegistrySource, v: ListedVersion): Promise<FetchedVersion> {
  let data: Buffer;
  let digest: string;
  if (src.kind === 'oci') {
    const { host, path } = ociParts(src.url);
    const repository = v.urls?.[0]?.startsWith('oci://')
      ? ociParts(v.urls[0]).path
      : [path, v.chart].filter(Boolean).join('/');
    const pulled = await pullOciChart({
      scheme: ociScheme(host),
      host,
      repository,
      tag: versionToTag(v.version),
      credentials: src.credentials,
    });
    data = pulled.data;
    digest = pulled.digest;
  } else {
    const url = v.urls?.[0];
    if (!url) throw new Error(`${v.chart} ${v.version}: the index names no download URL`);
    data = await downloadChartArchive({
      url,
      repoUrl: src.url,
      credentials: src.credentials,
      digest: v.sourceDigest,
    });
    digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  }
  const files = await readChartFiles(data, `${v.chart}-${v.version}`);
  return { files, digest };
}

/** `fn` over `items`, at most `limit` at a time, answers in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
