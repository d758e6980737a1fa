import { gunzipSync, gzipSync } from 'node:zlib';
import type { CoreApi, Secret as V1Secret } from './lean/coreApi.ts';

/** A Helm release as stored by Helm (helm.sh/release.v1 Secret), decoded without spawning helm. */
export interface StoredRelease {
  name: string;
  namespace: string;
  version: number;
  status: string;
  manifest: string;
  /** User-supplied values of this revision. */
  config: Record<string, unknown>;
  chart: { name: string; version: string; appVersion?: string };
  firstDeployed?: string;
  lastDeployed?: string;
  description?: string;
  /** Helm hooks' manifests are separate from `manifest`. */
  hooks: { name: string; kind: string; manifest: string; events: string[] }[];
  /** Labels of the storage Secret (Helm's owner/name/status/version, plus `--labels`). */
  labels: Record<string, string>;
  /** How Helm applied this revision: `ssa` (server-side apply), `csa` (client-side); unset before Helm 4. */
  applyMethod?: string;
}

export class ReleaseDecodeError extends Error {
  readonly secret: string;
  constructor(secret: string, message: string, cause?: unknown) {
    super(`Secret ${secret}: ${message}`, { cause });
    this.name = 'ReleaseDecodeError';
    this.secret = secret;
  }
}

interface RawStored {
  name: string;
  namespace: string;
  version: number;
  manifest?: string;
  config?: Record<string, unknown> | null;
  info?: { status?: string; first_deployed?: string; last_deployed?: string; description?: string };
  chart?: { metadata?: { name?: string; version?: string; appVersion?: string } };
  hooks?: { name: string; kind: string; manifest: string; events?: string[] }[] | null;
  apply_method?: string;
}

/**
 * Decodes the `release` field of a helm.sh/release.v1 Secret: Kubernetes base64
 * → Helm's own base64 → gzip → JSON.
 */
export function decodeReleaseSecret(secret: V1Secret): StoredRelease {
  const name = `${secret.metadata?.namespace}/${secret.metadata?.name}`;
  const field = secret.data?.release;
  if (!field) throw new ReleaseDecodeError(name, 'no data.release');
  try {
    const helmB64 = Buffer.from(field, 'base64').toString('latin1');
    let raw = Buffer.from(helmB64, 'base64');
    if (raw[0] === 0x1f && raw[1] === 0x8b) raw = gunzipSync(raw);
    const r = JSON.parse(raw.toString('utf8')) as RawStored;
    return {
      name: r.name,
      namespace: r.namespace,
      version: r.version,
      status: r.info?.status ?? 'unknown',
      manifest: r.manifest ?? '',
      config: r.config ?? {},
      chart: {
        name: r.chart?.metadata?.name ?? '',
        version: r.chart?.metadata?.version ?? '',
        appVersion: r.chart?.metadata?.appVersion,
      },
      firstDeployed: r.info?.first_deployed,
      lastDeployed: r.info?.last_deployed,
      description: r.info?.description,
      hooks: (r.hooks ?? []).map((h) => ({
        name: h.name,
        kind: h.kind,
        manifest: h.manifest,
        events: h.events ?? [],
      })),
      labels: secret.metadata?.labels ?? {},
      ...(r.apply_method ? { applyMethod: r.apply_method } : {}),
    };
  } catch (e) {
    if (e instanceof ReleaseDecodeError) throw e;
    throw new ReleaseDecodeError(name, `cannot decode: ${(e as Error).message}`, e);
  }
}

/** Reads Helm release storage natively: every revision, or only the newest per release. */
export class ReleaseStore {
  private readonly core: CoreApi;
  constructor(core: CoreApi) {
    this.core = core;
  }

  /** All stored revisions of one release, oldest first. */
  async history(release: string, namespace: string): Promise<StoredRelease[]> {
    const list = await this.core.listNamespacedSecret({
      namespace,
      labelSelector: `owner=helm,name=${release}`,
    });
    return list.items
      .filter((s) => s.type === 'helm.sh/release.v1')
      .map(decodeReleaseSecret)
      .sort((a, b) => a.version - b.version);
  }

  /** The newest revision of a release, or undefined when it has none. */
  async latest(release: string, namespace: string): Promise<StoredRelease | undefined> {
    const h = await this.history(release, namespace);
    return h[h.length - 1];
  }

  /** The newest revision of every release in a namespace (or all namespaces). */
  async latestAll(namespace?: string, extraSelector?: string): Promise<StoredRelease[]> {
    const labelSelector = ['owner=helm', extraSelector].filter(Boolean).join(',');
    const list = namespace
      ? await this.core.listNamespacedSecret({ namespace, labelSelector })
      : await this.core.listSecretForAllNamespaces({ labelSelector });
    return latestOf(list.items);
  }
}

/** Picks the newest revision per release from a set of helm.sh/release.v1 Secrets (decoding only those). */
export function latestOf(secrets: V1Secret[]): StoredRelease[] {
  const newest = new Map<string, V1Secret>();
  for (const s of secrets) {
    if (s.type !== 'helm.sh/release.v1') continue;
    const l = s.metadata?.labels ?? {};
    const key = `${s.metadata?.namespace}/${l.name}`;
    const v = Number(l.version);
    const cur = newest.get(key);
    if (!cur || Number(cur.metadata?.labels?.version) < v) newest.set(key, s);
  }
  return [...newest.values()].map(decodeReleaseSecret);
}

/** Decodes a release Secret's payload to Helm's raw JSON object (all fields, for rewriting). */
function rawOf(secret: V1Secret): Record<string, unknown> {
  const helmB64 = Buffer.from(secret.data?.release ?? '', 'base64').toString('latin1');
  let raw = Buffer.from(helmB64, 'base64');
  if (raw[0] === 0x1f && raw[1] === 0x8b) raw = gunzipSync(raw);
  return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
}

/** Encodes Helm's raw release JSON as the `release` field of a Secret's data (gzip → base64 → base64). */
export function encodeReleasePayload(raw: Record<string, unknown>): string {
  const helmB64 = gzipSync(Buffer.from(JSON.stringify(raw), 'utf8')).toString('base64');
  return Buffer.from(helmB64, 'latin1').toString('base64');
}

/**
 * Rewrites the status of one stored revision (payload and `status` label), the
 * way Helm itself records a status change. Used to unlock a release stuck in
 * pending-* (mark it failed) before recovering it, and by tests to simulate one.
 */
export async function setStoredStatus(
  core: CoreApi,
  release: string,
  namespace: string,
  version: number,
  status: string,
  opts: { description?: string; lastDeployed?: Date } = {},
): Promise<void> {
  const name = `sh.helm.release.v1.${release}.v${version}`;
  const secret = await core.readNamespacedSecret({ name, namespace });
  const raw = rawOf(secret);
  const info = (raw.info ?? {}) as Record<string, unknown>;
  info.status = status;
  if (opts.description) info.description = opts.description;
  if (opts.lastDeployed) info.last_deployed = opts.lastDeployed.toISOString();
  raw.info = info;
  secret.data = { ...secret.data, release: encodeReleasePayload(raw) };
  secret.metadata = { ...secret.metadata, labels: { ...secret.metadata?.labels, status } };
  await core.replaceNamespacedSecret({ name, namespace, body: secret });
}
