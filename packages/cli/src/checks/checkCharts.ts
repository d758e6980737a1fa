/**
 * `validate --check-charts`, the I/O: reads each registry once (a Helm
 * repository's index.yaml through RepoIndexCache, an OCI registry's tags with
 * the distribution API), a few registries at a time, with the credentials and
 * mirrors `apply` uses, and turns the answers into diagnostics.
 */
import { type ClusterDefinition, type Diagnostic, redact } from '@mooring/core';
import {
  type Credentials,
  listOciTags,
  type Mirror,
  ociLocation,
  ociScheme,
  RegistryAuthError,
  RepoIndexCache,
} from '@mooring/helm';
import {
  addonsOf,
  chartDiagnostics,
  displayUrl,
  type RegistryAnswer,
  type RegistryLookup,
  registryLookups,
} from './chartChecks.ts';

export interface CheckChartsOptions {
  mirrors: Mirror[];
  /** Credentials by `credential_name` / `registry_credential_name`. */
  credentials: (name: string) => Credentials | undefined;
  /** Registries read at once (default 4). */
  concurrency?: number;
  /** Holds each repository's index.yaml (a fresh one by default). */
  index?: RepoIndexCache;
}

/** The diagnostics of every add-on whose chart or chart version its registry does not have. */
export async function checkCharts(def: ClusterDefinition, opts: CheckChartsOptions): Promise<Diagnostic[]> {
  const addons = addonsOf(def);
  const lookups = registryLookups(addons, opts.mirrors);
  const index = opts.index ?? new RepoIndexCache();
  const answers = new Map<string, RegistryAnswer>();
  await forEachLimited(lookups, opts.concurrency ?? 4, async (l) => {
    answers.set(l.key, await readRegistry(l, index, opts.credentials));
  });
  return chartDiagnostics(addons, opts.mirrors, answers);
}

async function readRegistry(
  l: RegistryLookup,
  index: RepoIndexCache,
  credentialsOf: CheckChartsOptions['credentials'],
): Promise<RegistryAnswer> {
  const credentials = l.credentialName ? credentialsOf(l.credentialName) : undefined;
  const charts = new Map<string, string[] | undefined>();
  try {
    for (const chart of l.charts) {
      if (l.oci) {
        const { host, repository } = ociLocation(l.url, chart);
        charts.set(chart, await listOciTags({ scheme: ociScheme(host), host, repository, credentials }));
      } else charts.set(chart, await index.versions(l.url, chart, credentials));
    }
    return { kind: 'listed', charts };
  } catch (e) {
    if (e instanceof RegistryAuthError) return { kind: 'auth-failed', status: e.status };
    const secrets = !credentials
      ? []
      : credentials.kind === 'bearer'
        ? [credentials.token]
        : [credentials.password];
    return { kind: 'unreachable', message: redact(failure(e, l), secrets) };
  }
}

/** Why reading failed, without repeating the registry's URL: `cannot fetch index.yaml: fetch failed (ECONNREFUSED)`. */
function failure(e: unknown, l: RegistryLookup): string {
  let m = e instanceof Error ? e.message : String(e);
  // the adapters' messages start with the source (`oci://host/repo: ...`, `http://repo: ...`)
  const source = l.oci ? /^oci:\/\/\S+?(?=:\s)/.exec(m)?.[0] : l.url.replace(/\/+$/, '');
  if (source && m.startsWith(source)) m = m.slice(source.length).replace(/^[/:]\s*/, '');
  // the innermost cause: an errno code (ECONNREFUSED), else its message (`bad port`)
  let c: unknown = (e as { cause?: unknown }).cause;
  let why: string | undefined;
  for (let i = 0; c && i < 5; i++, c = (c as { cause?: unknown }).cause) {
    const k = (c as { code?: unknown }).code;
    why = typeof k === 'string' ? k : String((c as Error).message ?? c).split('\n')[0];
  }
  return displayUrl(why && !m.includes(why) ? `${m} (${why})` : m);
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
