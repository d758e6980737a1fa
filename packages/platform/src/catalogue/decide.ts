/**
 * The catalogue's decisions, pure: which registries are due, what an index run
 * fetches, how long a failing version or registry waits, which version is the latest.
 */
import { pickVersion, sortVersionsDesc } from '@mooring/helm';

/** A chart version as a registry lists it now. */
export interface ListedVersion {
  chart: string;
  version: string;
  /** What changes when the version is re-published: the index digest or the tag's manifest digest. */
  sourceDigest?: string;
  appVersion?: string;
  description?: string;
  deprecated?: boolean;
  created?: string;
  urls?: string[];
}

export type VersionState = 'pending' | 'indexed' | 'failed';

/** A chart version as the catalogue holds it. */
export interface StoredVersion {
  chart: string;
  version: string;
  sourceDigest: string | null;
  state: VersionState;
  attempts: number;
  nextAttemptAt: Date | null;
}

export interface VersionPlan {
  /** New, re-published, or failed earlier and due again: download and read. */
  fetch: ListedVersion[];
  /** Indexed and unchanged: nothing to download (listed metadata may still refresh). */
  unchanged: ListedVersion[];
  /** Failed earlier and still waiting for their retry time. */
  waiting: ListedVersion[];
  /** Held but no longer listed (or now excluded): forget them. */
  remove: { chart: string; version: string }[];
}

const key = (v: { chart: string; version: string }) => `${v.chart}\u0000${v.version}`;

/** What an index run does with each version, from what is listed now and what is held. */
export function planVersions(
  stored: readonly StoredVersion[],
  listed: readonly ListedVersion[],
  now: Date,
  excluded: readonly string[] = [],
): VersionPlan {
  const held = new Map(stored.map((s) => [key(s), s]));
  const plan: VersionPlan = { fetch: [], unchanged: [], waiting: [], remove: [] };
  const seen = new Set<string>();
  for (const l of listed) {
    if (isExcluded(l.chart, excluded)) continue;
    const k = key(l);
    if (seen.has(k)) continue;
    seen.add(k);
    const s = held.get(k);
    if (!s) plan.fetch.push(l);
    else if (l.sourceDigest && s.sourceDigest && l.sourceDigest !== s.sourceDigest) plan.fetch.push(l);
    else if (s.state === 'indexed') plan.unchanged.push(l);
    else if (retryDue(s, now)) plan.fetch.push(l);
    else plan.waiting.push(l);
  }
  for (const s of stored) if (!seen.has(key(s))) plan.remove.push({ chart: s.chart, version: s.version });
  return plan;
}

/** A version that failed (or never finished) and whose wait is over. */
export function retryDue(s: StoredVersion, now: Date): boolean {
  return s.state !== 'indexed' && (s.nextAttemptAt === null || s.nextAttemptAt.getTime() <= now.getTime());
}

/** First retry of a failing version after 30 s, doubling, at most 6 h. */
export const VERSION_RETRY_BASE_MS = 30_000;
export const VERSION_RETRY_MAX_MS = 6 * 3600_000;

/** How long a version waits after its `attempts`-th failure. */
export function versionRetryDelayMs(attempts: number): number {
  const n = Math.max(1, attempts);
  return Math.min(VERSION_RETRY_MAX_MS, VERSION_RETRY_BASE_MS * 2 ** Math.min(n - 1, 30));
}

/**
 * When a registry is indexed next: after its interval, or sooner after a failed run
 * (30 s doubling per failure, never later than the interval); never without an interval.
 */
export function nextIndexAt(finished: Date, intervalSeconds: number | null, failures: number): Date | null {
  if (intervalSeconds === null) return null;
  const interval = intervalSeconds * 1000;
  const wait = failures > 0 ? Math.min(interval, versionRetryDelayMs(failures)) : interval;
  return new Date(finished.getTime() + wait);
}

/** A registry as the scheduler sees it. */
export interface RegistrySchedule {
  id: string;
  intervalSeconds: number | null;
  nextIndexAt: Date | null;
  indexingSince: Date | null;
  indexRequested: boolean;
}

/** A job running longer than this is taken to be dead (its process died): another may take it. */
export const STALE_JOB_MS = 15 * 60_000;

/** True when a job's claim is held and not stale. */
export function jobRunning(indexingSince: Date | null, now: Date): boolean {
  return indexingSince !== null && now.getTime() - indexingSince.getTime() < STALE_JOB_MS;
}

/** The registries to index now: requested, or with an interval whose time has come; none already running. */
export function registriesDue(registries: readonly RegistrySchedule[], now: Date): string[] {
  return registries
    .filter((r) => !jobRunning(r.indexingSince, now))
    .filter(
      (r) =>
        r.indexRequested ||
        (r.intervalSeconds !== null && (r.nextIndexAt === null || r.nextIndexAt.getTime() <= now.getTime())),
    )
    .map((r) => r.id);
}

/** `nginx`, `bitnami-*`, `*-crds`: `*` matches any run of characters. */
export function isExcluded(chart: string, patterns: readonly string[]): boolean {
  return patterns.some((p) =>
    p.includes('*') ? new RegExp(`^${p.split('*').map(escapeRegExp).join('.*')}$`).test(chart) : p === chart,
  );
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const SEMVER = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** The chart version an OCI tag holds (Helm pushes `1.2.3+build` as `1.2.3_build`); undefined for other tags. */
export function tagToVersion(tag: string): string | undefined {
  const v = tag.replace(/_/g, '+');
  return SEMVER.test(v) ? v : undefined;
}

/** The OCI tag of a chart version. */
export function versionToTag(version: string): string {
  return version.replace(/\+/g, '_');
}

/** The newest stable version, else the newest of any; undefined for none. */
export function latestVersion(versions: readonly string[]): string | undefined {
  return pickVersion(versions, 'latest') ?? sortVersionsDesc(versions)[0];
}

export type RegistryKind = 'helm' | 'oci';

/** `oci://…` is an OCI registry, `http(s)://…` a Helm repository; anything else is refused (undefined). */
export function registryKind(url: string): RegistryKind | undefined {
  if (/^oci:\/\/[^/\s]+(\/[^\s]*)?$/.test(url)) return 'oci';
  try {
    const u = new URL(url);
    if ((u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password && u.host)
      return 'helm';
  } catch {
    // not a URL
  }
  return undefined;
}

/** A registry URL as stored: no trailing slash. */
export function normaliseRegistryUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/** Indexing intervals: 10 s to 24 h, or off (null). */
export const MIN_INTERVAL_SECONDS = 10;
export const MAX_INTERVAL_SECONDS = 86_400;

/** The result of a job from what happened to its versions. */
export function jobState(o: {
  error?: string;
  fetched: number;
  failed: number;
  removed: number;
}): 'success' | 'unchanged' | 'partial' | 'failed' {
  if (o.error) return 'failed';
  if (o.failed > 0) return 'partial';
  if (o.fetched === 0 && o.removed === 0) return 'unchanged';
  return 'success';
}
