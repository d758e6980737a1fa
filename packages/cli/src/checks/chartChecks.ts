/**
 * `validate --check-charts`, the pure part: which registries to ask about
 * which charts (one lookup per registry, mirrors applied), and the diagnostics
 * that the answers give, each pointing at the add-on's `chart_version` (a
 * missing version) or `chart_name` (a missing chart, a registry that cannot be
 * read).
 */
import type { AddonMember, ClusterDefinition, Diagnostic, DiagnosticCode, SourceRef } from '@mooring/core';
import { applyMirrors, closestVersions, type Mirror, pickVersion } from '@mooring/helm';

/** One registry to read, with the charts wanted from it. */
export interface RegistryLookup {
  /** Identifies the lookup: the URL contacted and the credential name. */
  key: string;
  /** The URL contacted (after mirrors). */
  url: string;
  /** The URL the definition names. */
  declared: string;
  oci: boolean;
  credentialName?: string;
  charts: string[];
}

/** What reading a registry gave. */
export type RegistryAnswer =
  /** Per chart: its published versions, or undefined when the registry has no such chart. */
  | { kind: 'listed'; charts: Map<string, string[] | undefined> }
  | { kind: 'unreachable'; message: string }
  | { kind: 'auth-failed'; status: number };

const lookupKey = (url: string, credentialName: string | undefined) => `${url}|${credentialName ?? ''}`;

/** Every add-on of the definition, in definition order. */
export function addonsOf(def: ClusterDefinition): AddonMember[] {
  return def.stacks.flatMap((s) => s.addons);
}

/** The lookups that answer for every add-on: one per registry URL (after mirrors) and credential. */
export function registryLookups(
  addons: readonly AddonMember[],
  mirrors: readonly Mirror[],
): RegistryLookup[] {
  const byKey = new Map<string, RegistryLookup>();
  for (const a of addons) {
    const declared = a.chart.registry.url;
    const url = applyMirrors(declared, mirrors);
    const key = lookupKey(url, a.chart.registry.credentialName);
    let l = byKey.get(key);
    if (!l) {
      l = {
        key,
        url,
        declared: declared.replace(/\/+$/, ''),
        oci: url.startsWith('oci://'),
        ...(a.chart.registry.credentialName ? { credentialName: a.chart.registry.credentialName } : {}),
        charts: [],
      };
      byKey.set(key, l);
    }
    if (!l.charts.includes(a.chart.name)) l.charts.push(a.chart.name);
  }
  return [...byKey.values()];
}

/** URLs as shown to people: without user information (`user:password@`), also inside a message. */
export function displayUrl(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
}

/** `MOORING_CREDENTIAL_<NAME>` for a credential name. */
export function credentialEnvPrefix(name: string): string {
  return `MOORING_CREDENTIAL_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

function where(l: RegistryLookup): string {
  const url = displayUrl(l.url);
  const declared = displayUrl(l.declared);
  return url === declared ? url : `${url} (mirror of ${declared})`;
}

function at(
  src: SourceRef | undefined,
  fallback: SourceRef,
  code: DiagnosticCode,
  message: string,
  hint?: string,
): Diagnostic {
  const s = src ?? fallback;
  return {
    severity: 'error',
    file: s.file,
    line: s.line,
    column: s.column,
    path: s.path,
    code,
    message,
    ...(hint ? { hint } : {}),
  };
}

/**
 * The diagnostics of the answers: a missing chart at `chart_name`, a missing
 * version at `chart_version` with up to three closest published versions, and
 * one diagnostic per registry that could not be read, at the `chart_name` of
 * the first add-on that uses it. Add-ons whose chart and version exist give
 * nothing.
 */
export function chartDiagnostics(
  addons: readonly AddonMember[],
  mirrors: readonly Mirror[],
  answers: ReadonlyMap<string, RegistryAnswer>,
): Diagnostic[] {
  const lookups = new Map(registryLookups(addons, mirrors).map((l) => [l.key, l]));
  const out: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const a of addons) {
    const key = lookupKey(applyMirrors(a.chart.registry.url, mirrors), a.chart.registry.credentialName);
    const l = lookups.get(key)!;
    const answer = answers.get(key);
    if (!answer) continue;
    const chart = a.chart.name;
    if (answer.kind !== 'listed') {
      if (reported.has(key)) continue;
      reported.add(key);
      const users = addons.filter(
        (b) =>
          lookupKey(applyMirrors(b.chart.registry.url, mirrors), b.chart.registry.credentialName) === key,
      );
      const used = `used by ${users.length === 1 ? 'add-on' : `${users.length} add-ons:`} ${users.map((b) => b.name).join(', ')}`;
      if (answer.kind === 'unreachable')
        out.push(
          at(
            a.chart.nameSource,
            a.source,
            'registry-unreachable',
            `cannot read chart registry ${where(l)}: ${answer.message} (${used})`,
          ),
        );
      else
        out.push(
          at(
            a.chart.nameSource,
            a.source,
            'registry-auth-failed',
            `chart registry ${where(l)} refused access (HTTP ${answer.status}) (${used})`,
            l.credentialName
              ? `check the credential "${l.credentialName}": ${credentialEnvPrefix(l.credentialName)}_USERNAME and _PASSWORD, or _TOKEN`
              : 'name a credential with registry_credential_name (or credential_name in spec.helm_registries) and set MOORING_CREDENTIAL_<NAME>_USERNAME and _PASSWORD, or _TOKEN',
          ),
        );
      continue;
    }
    const versions = answer.charts.get(chart);
    if (versions === undefined) {
      out.push(
        at(a.chart.nameSource, a.source, 'chart-not-found', `chart "${chart}" not found in ${where(l)}`),
      );
      continue;
    }
    // as apply resolves them: an OCI version is a tag, a repository version may be a range or `latest`
    const wanted = a.chart.version;
    const hit = l.oci ? versions.includes(wanted) : pickVersion(versions, wanted) !== undefined;
    if (hit) continue;
    const closest = closestVersions(wanted, versions, 3);
    out.push(
      at(
        a.chart.versionSource,
        a.source,
        'chart-version-not-found',
        `chart "${chart}" has no version "${wanted}" in ${where(l)}` +
          (closest.length ? `; closest: ${closest.join(', ')}` : '; it has no published versions'),
        closest.length ? `for example: chart_version: "${closest[0]}"` : undefined,
      ),
    );
  }
  return out;
}
