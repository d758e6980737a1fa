import { type ClusterDefinition, loadDefinition, MemoryFileSource } from '@mooring/core';

/** A member as the cluster's definition declares it. */
export interface DeclaredMember {
  kind: 'addon' | 'manifest';
  name: string;
  stack: string;
  namespace: string | null;
  chart: string | null;
  version: string | null;
  registry: string | null;
  engine: string;
  encryptedPaths: string[];
  /** Parsed Helm values (add-ons), unmasked: mask before showing. */
  values: Record<string, unknown>;
}

/** Every add-on and manifest a definition declares, in stack order (pure). */
export function declaredMembers(def: ClusterDefinition): DeclaredMember[] {
  const out: DeclaredMember[] = [];
  for (const s of def.stacks) {
    for (const a of s.addons) {
      out.push({
        kind: 'addon',
        name: a.name,
        stack: s.name,
        namespace: a.namespace,
        chart: a.chart.name,
        version: a.chart.version,
        registry: a.chart.registry.url,
        engine: a.settings.engine,
        encryptedPaths: a.encryptedPaths,
        values: a.values.parsed,
      });
    }
    for (const m of s.manifests) {
      out.push({
        kind: 'manifest',
        name: m.name,
        stack: s.name,
        namespace: m.namespace ?? null,
        chart: null,
        version: null,
        registry: null,
        engine: 'native',
        encryptedPaths: m.encryptedPaths,
        values: {},
      });
    }
  }
  return out;
}

const remembered = new Map<string, DeclaredMember[]>();
const REMEMBER = 64;

/**
 * The stored definition's members; none when it no longer loads (it was valid when imported).
 * The newest definitions read are kept (by their text), so listing a cluster of 1,000 add-ons
 * page after page parses its definition once.
 */
export function storedMembers(path: string, filesJson: string): DeclaredMember[] {
  const key = `${path}\u0000${filesJson}`;
  const known = remembered.get(key);
  if (known) {
    remembered.delete(key);
    remembered.set(key, known);
    return known;
  }
  let members: DeclaredMember[];
  try {
    const files = JSON.parse(filesJson) as Record<string, string>;
    const r = loadDefinition(new MemoryFileSource(files), path);
    members = r.definition ? declaredMembers(r.definition) : [];
  } catch {
    members = [];
  }
  remembered.set(key, members);
  if (remembered.size > REMEMBER) remembered.delete(remembered.keys().next().value!);
  return members;
}
