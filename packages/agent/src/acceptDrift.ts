import { KubernetesObjectApi } from '@kubernetes/client-node';
import {
  type AddonMember,
  diffObject,
  type IgnoreRule,
  type K8sObject,
  type ManagedFieldsEntry,
  ownedFieldPaths,
  resolveFieldPath,
} from '@mooring/core';
import { type EngineContext, parseManifest } from '@mooring/engine';
import { stringify } from 'yaml';
import { z } from 'zod';
import { fieldPath } from './states.ts';

/** One field the cluster changed, and what Git would need for it. */
export interface AcceptedChange {
  object: string;
  field: string;
  git: unknown;
  cluster: unknown;
  /** The field managers that own the field in the cluster (`kubectl`, `kube-controller-manager`, ...). */
  managers: string[];
  /** The add-on's values key holding the Git value, when exactly one does; else null (no values change maps to it). */
  values_path: string | null;
}

/** What accepting an add-on's drift would take in Git. */
export interface AcceptDriftAnswer {
  changes: AcceptedChange[];
  /** The values with the cluster's values put in, as the add-on's values YAML would read. */
  values: Record<string, unknown>;
  /** A patch a person can commit: the values file (or the cluster file's inline values) before → after. */
  patch: string;
  file: string | null;
}

/** The managers owning the field at `pointer` in `live` (pure). */
export function fieldManagers(live: K8sObject, pointer: string): string[] {
  const entries = (live.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
  const out = new Set<string>();
  for (const e of entries) {
    if (!e.manager) continue;
    for (const steps of ownedFieldPaths([e], [e.manager])) {
      const segs = resolveFieldPath(live, steps);
      if (segs && `/${segs.join('/')}` === pointer) out.add(e.manager);
    }
  }
  return [...out];
}

/** Leaf paths (dotted) of `values` whose value is `wanted` (pure). */
export function valuesPathsOf(values: unknown, wanted: unknown, prefix = ''): string[] {
  if (values && typeof values === 'object' && !Array.isArray(values))
    return Object.entries(values).flatMap(([k, v]) =>
      valuesPathsOf(v, wanted, prefix ? `${prefix}.${k}` : k),
    );
  return JSON.stringify(values) === JSON.stringify(wanted) ? [prefix] : [];
}

function setPath(o: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let cur = o;
  for (const k of keys.slice(0, -1)) {
    if (!cur[k] || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys.at(-1)!] = value;
}

function unifiedLines(file: string, before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  const lines = [`--- a/${file}`, `+++ b/${file}`];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) {
      if (a[i] !== undefined && a[i] !== '') lines.push(` ${a[i]}`);
      continue;
    }
    if (a[i] !== undefined && a[i] !== '') lines.push(`-${a[i]}`);
    if (b[i] !== undefined && b[i] !== '') lines.push(`+${b[i]}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The values change that would make Git equal to the cluster (pure): each drifted field of
 * the release's objects, who changed it (its field managers), and the values key that
 * holds the Git value when exactly one does; the values with the cluster's values in, and
 * the values before → after as a patch.
 */
export function acceptDrift(
  addon: Pick<AddonMember, 'values' | 'settings'>,
  objects: { desired: K8sObject; live: K8sObject | undefined }[],
  definitionFile: string,
): AcceptDriftAnswer {
  const values = structuredClone(addon.values.parsed);
  const changes: AcceptedChange[] = [];
  for (const { desired, live } of objects) {
    if (!live) continue;
    const rules = addon.settings.ignoreDifferences as unknown as IgnoreRule[];
    const d = diffObject(desired, live, rules);
    const ref = `${desired.kind}/${desired.metadata?.namespace ? `${desired.metadata.namespace}/` : ''}${desired.metadata?.name}`;
    for (const c of d.changes) {
      if (c.op === 'add') continue; // a field Git sets that the cluster lacks: Git wins, nothing to accept
      const paths = valuesPathsOf(addon.values.parsed, c.desired);
      const valuesPath = paths.length === 1 ? paths[0]! : null;
      if (valuesPath && c.op === 'replace') setPath(values, valuesPath, c.live);
      changes.push({
        object: ref,
        field: fieldPath(c.path),
        git: c.desired ?? null,
        cluster: c.live ?? null,
        managers: fieldManagers(live, c.path),
        values_path: valuesPath,
      });
    }
  }
  const file = addon.values.file ?? definitionFile;
  const before = stringify(addon.values.parsed);
  const after = stringify(values);
  return {
    changes,
    values,
    file: file || null,
    patch: before === after ? '' : unifiedLines(file || 'values.yaml', before, after),
  };
}

/** Answers `addon.accept-drift` `{name, namespace}`: reads the release's objects live (with managedFields). */
export function acceptDriftHandler(
  engine: EngineContext,
  targetOf: (name: string, namespace: string) => { addon: AddonMember } | undefined,
): (data: unknown) => Promise<object> {
  return async (data) => {
    const p = z.strictObject({ name: z.string().min(1), namespace: z.string().min(1) }).safeParse(data);
    if (!p.success) return { error: 'invalid request: name and namespace are required' };
    const t = targetOf(p.data.name, p.data.namespace);
    if (!t) return { error: `add-on ${p.data.name} is not in the definition last applied` };
    const latest = await engine.releases.latest(p.data.name, p.data.namespace);
    if (!latest) return { error: `add-on ${p.data.name} has no release` };
    const client = KubernetesObjectApi.makeApiClient(engine.kc);
    const declared = parseManifest(latest.manifest, p.data.namespace).filter(
      (o) => !o.metadata.annotations?.['helm.sh/hook'],
    );
    const objects = await Promise.all(
      declared.map(async (d) => {
        try {
          return {
            desired: d as unknown as K8sObject,
            live: (await client.read(d as never)) as unknown as K8sObject,
          };
        } catch (e) {
          if ((e as { code?: number }).code !== 404) throw e;
          return { desired: d as unknown as K8sObject, live: undefined };
        }
      }),
    );
    return acceptDrift(t.addon, objects, '');
  };
}
