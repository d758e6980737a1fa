import { createHash } from 'node:crypto';
import { authorizationHeader, type Credentials } from './credentials.ts';
import { ChartNotFoundError, ChartSourceError, RegistryAuthError } from './errors.ts';
import { type HttpAnswer, httpFetch } from './http.ts';

export const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
const MANIFEST_ACCEPT =
  'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';

interface OciManifest {
  layers?: { mediaType: string; digest: string; size: number }[];
}

/**
 * Pulls a Helm chart from an OCI registry with the distribution API: the manifest
 * for the tag, then the chart layer, verified against its digest. Handles the
 * Bearer token challenge (WWW-Authenticate) and Basic auth.
 */
export async function pullOciChart(opts: {
  scheme: 'http' | 'https';
  host: string;
  repository: string;
  tag: string;
  credentials?: Credentials;
}): Promise<{ data: Buffer; digest: string }> {
  const base = `${opts.scheme}://${opts.host}/v2/${opts.repository}`;
  const source = `oci://${opts.host}/${opts.repository}`;
  const client = new OciClient(opts.credentials, source);
  const mres = await client.get(
    `${base}/manifests/${encodeURIComponent(opts.tag)}`,
    MANIFEST_ACCEPT,
    opts.repository,
  );
  if (mres.status === 404) throw new ChartNotFoundError(`${source}:${opts.tag} not found`, source);
  if (!mres.ok) throw new ChartSourceError(`${source}:${opts.tag}: manifest HTTP ${mres.status}`, source);
  const manifest = (await mres.json()) as OciManifest;
  const layer = manifest.layers?.find((l) => l.mediaType === HELM_CHART_LAYER);
  if (!layer)
    throw new ChartSourceError(
      `${source}:${opts.tag} is not a Helm chart (no ${HELM_CHART_LAYER} layer)`,
      source,
    );
  const bres = await client.get(`${base}/blobs/${layer.digest}`, '*/*', opts.repository);
  if (!bres.ok) throw new ChartSourceError(`${source}: blob ${layer.digest} HTTP ${bres.status}`, source);
  const data = Buffer.from(await bres.arrayBuffer());
  const got = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  if (got !== layer.digest)
    throw new ChartSourceError(`${source}:${opts.tag}: digest mismatch (${got} != ${layer.digest})`, source);
  return { data, digest: layer.digest };
}

/**
 * Every tag of an OCI repository (`GET /v2/<name>/tags/list`, following `Link`
 * pages); undefined when the registry has no such repository (HTTP 404).
 * Helm pushes a chart version `1.2.3+build` as the tag `1.2.3_build`: tags are
 * returned as the registry holds them.
 */
export async function listOciTags(opts: {
  scheme: 'http' | 'https';
  host: string;
  repository: string;
  credentials?: Credentials;
}): Promise<string[] | undefined> {
  const origin = `${opts.scheme}://${opts.host}`;
  const source = `oci://${opts.host}/${opts.repository}`;
  const client = new OciClient(opts.credentials, source);
  const tags: string[] = [];
  let next: string | undefined = `${origin}/v2/${opts.repository}/tags/list`;
  for (let page = 0; next && page < 100; page++) {
    const res = await client.get(next, 'application/json', opts.repository);
    if (res.status === 404) return undefined;
    if (!res.ok) throw new ChartSourceError(`${source}: tags list HTTP ${res.status}`, source);
    const body = (await res.json()) as { tags?: string[] | null };
    tags.push(...(body.tags ?? []));
    const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(res.headers.get('link') ?? '');
    next = link ? new URL(link[1]!, origin).toString() : undefined;
  }
  return tags;
}

/**
 * The digest of a tag's manifest (`HEAD /v2/<name>/manifests/<tag>`, the
 * `Docker-Content-Digest` header): what tells a re-pushed tag from an unchanged one
 * without downloading anything. Undefined when the registry has no such tag.
 */
export async function ociManifestDigest(opts: {
  scheme: 'http' | 'https';
  host: string;
  repository: string;
  tag: string;
  credentials?: Credentials;
}): Promise<string | undefined> {
  const source = `oci://${opts.host}/${opts.repository}`;
  const client = new OciClient(opts.credentials, source);
  const url = `${opts.scheme}://${opts.host}/v2/${opts.repository}/manifests/${encodeURIComponent(opts.tag)}`;
  const res = await client.get(url, MANIFEST_ACCEPT, opts.repository, 'HEAD');
  if (res.status === 404) return undefined;
  if (!res.ok) throw new ChartSourceError(`${source}:${opts.tag}: manifest HTTP ${res.status}`, source);
  const digest = res.headers.get('docker-content-digest');
  if (digest) return digest;
  // a registry that does not name the digest on HEAD: hash the manifest itself
  const full = await client.get(url, MANIFEST_ACCEPT, opts.repository);
  if (!full.ok) throw new ChartSourceError(`${source}:${opts.tag}: manifest HTTP ${full.status}`, source);
  return `sha256:${createHash('sha256')
    .update(Buffer.from(await full.arrayBuffer()))
    .digest('hex')}`;
}

/**
 * The repositories of a registry under `prefix` (`GET /v2/_catalog`, `Link` pages
 * followed). Undefined when the registry does not list its repositories (many public
 * ones refuse the catalog: 401, 403 or 404).
 */
export async function listOciRepositories(opts: {
  scheme: 'http' | 'https';
  host: string;
  prefix: string;
  credentials?: Credentials;
}): Promise<string[] | undefined> {
  const origin = `${opts.scheme}://${opts.host}`;
  const source = `oci://${opts.host}/${opts.prefix}`;
  const client = new OciClient(opts.credentials, source);
  const out: string[] = [];
  let next: string | undefined = `${origin}/v2/_catalog?n=1000`;
  for (let page = 0; next && page < 100; page++) {
    let res: HttpAnswer;
    try {
      res = await client.get(next, 'application/json', opts.prefix);
    } catch (e) {
      if (e instanceof RegistryAuthError) return undefined;
      throw e;
    }
    if (res.status === 404 || res.status === 405) return undefined;
    if (!res.ok) throw new ChartSourceError(`${source}: catalog HTTP ${res.status}`, source);
    const body = (await res.json()) as { repositories?: string[] | null };
    const prefix = opts.prefix.replace(/\/+$/, '');
    out.push(
      ...(body.repositories ?? []).filter((r) => !prefix || r === prefix || r.startsWith(`${prefix}/`)),
    );
    const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(res.headers.get('link') ?? '');
    next = link ? new URL(link[1]!, origin).toString() : undefined;
  }
  return out;
}

class OciClient {
  private token?: string;
  private readonly credentials?: Credentials;
  private readonly source: string;
  constructor(credentials: Credentials | undefined, source: string) {
    this.credentials = credentials;
    this.source = source;
  }

  async get(
    url: string,
    accept: string,
    repository: string,
    method: 'GET' | 'HEAD' = 'GET',
  ): Promise<HttpAnswer> {
    const headers = (): Record<string, string> => {
      const h: Record<string, string> = { accept };
      if (this.token) h.authorization = `Bearer ${this.token}`;
      else if (this.credentials?.kind === 'basic') h.authorization = authorizationHeader(this.credentials)!;
      else if (this.credentials?.kind === 'bearer') h.authorization = `Bearer ${this.credentials.token}`;
      return h;
    };
    let res = await this.fetch(url, headers(), method);
    if (res.status === 401) {
      const challenge = res.headers.get('www-authenticate') ?? '';
      if (/^bearer/i.test(challenge)) {
        this.token = await this.exchange(challenge, repository);
        res = await this.fetch(url, headers(), method);
      }
    }
    if (res.status === 401 || res.status === 403) throw new RegistryAuthError(this.source, res.status);
    return res;
  }

  private async fetch(url: string, headers: Record<string, string>, method = 'GET'): Promise<HttpAnswer> {
    try {
      return await httpFetch(url, { method, headers });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const why = err.cause?.code ?? err.cause?.message ?? err.message;
      throw new ChartSourceError(`${this.source}: ${why}`, this.source, e);
    }
  }

  /** Token endpoint of a Bearer challenge: realm, service, scope. */
  private async exchange(challenge: string, repository: string): Promise<string> {
    const params = Object.fromEntries(
      [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]),
    );
    if (!params.realm) throw new RegistryAuthError(this.source, 401);
    const u = new URL(params.realm);
    if (params.service) u.searchParams.set('service', params.service);
    u.searchParams.set('scope', params.scope ?? `repository:${repository}:pull`);
    const h: Record<string, string> = {};
    if (this.credentials?.kind === 'basic') h.authorization = authorizationHeader(this.credentials)!;
    const res = await this.fetch(u.toString(), h);
    if (!res.ok) throw new RegistryAuthError(this.source, res.status);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const t = body.token ?? body.access_token;
    if (!t) throw new RegistryAuthError(this.source, 401);
    return t;
  }
}
