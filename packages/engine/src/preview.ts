import {
  type AddonMember,
  type ClusterDefinition,
  diffObject,
  type IgnoreRule,
  type K8sObject,
  type ManifestMember,
  type Plan,
} from '@mooring/core';
import { type KubeObject, ObjectApi, objectKey, objectRef } from '@mooring/kube';
import { credentialsFor, isUnchanged, valuesFor } from './addon.ts';
import { type EngineContext, LABEL_CLUSTER } from './context.ts';
import { parseManifest } from './manifestText.ts';

export interface ObjectPreview {
  ref: string;
  change: 'create' | 'update' | 'delete' | 'unchanged';
  /** Human-readable diff for updates (Secret values are never shown). */
  text?: string;
}

export interface MemberPreview {
  id: string;
  stack: string;
  kind: 'addon' | 'manifest';
  name: string;
  action: 'install' | 'upgrade' | 'apply' | 'unchanged' | 'remove' | 'error';
  objects: ObjectPreview[];
  message: string;
}

/** Secret payloads are shown as changed keys only. */
function safeText(obj: KubeObject, text: string): string {
  if (obj.kind !== 'Secret') return text;
  const keys = text.match(/^[-+]\s+(\S+):/gm)?.map((l) => l.slice(1).trim()) ?? [];
  return `${objectRef(obj)}: secret data changed (${[...new Set(keys)].join(' ')}) — values hidden`;
}

async function compare(
  ctx: EngineContext,
  desired: KubeObject[],
  rules: IgnoreRule[],
): Promise<ObjectPreview[]> {
  const client = new ObjectApi(ctx.kc);
  return Promise.all(
    desired.map(async (o): Promise<ObjectPreview> => {
      let live: K8sObject | undefined;
      try {
        live = await client.read<K8sObject>(o);
      } catch (e) {
        if ((e as { code?: number }).code !== 404) throw e;
      }
      if (!live) return { ref: objectRef(o), change: 'create' };
      const d = diffObject(o as unknown as K8sObject, live, rules);
      return d.drifted
        ? { ref: objectRef(o), change: 'update', text: safeText(o, d.text) }
        : { ref: objectRef(o), change: 'unchanged' };
    }),
  );
}

/**
 * What an apply would do, without changing the cluster: each add-on rendered
 * with `helm template` and each manifest compared with the live objects, plus
 * what would be removed.
 */
export async function previewPlan(
  ctx: EngineContext,
  def: ClusterDefinition,
  plan: Plan,
): Promise<MemberPreview[]> {
  const stored = new Map(
    (await ctx.releases.latestAll(undefined, `${LABEL_CLUSTER}=${ctx.cluster}`)).map((r) => [
      `${r.namespace}/${r.name}`,
      r,
    ]),
  );
  const out: MemberPreview[] = [];
  for (const w of plan.waves) {
    for (const s of w.stacks) {
      const stack = def.stacks.find((x) => x.name === s.name)!;
      for (const l of s.layers) {
        for (const pm of l.members) {
          const base = { id: pm.id, stack: s.name, kind: pm.kind, name: pm.name };
          try {
            if (pm.kind === 'addon') {
              const a = stack.addons.find((x) => x.name === pm.name) as AddonMember;
              const prev = stored.get(`${a.namespace}/${a.name}`);
              const chart = await ctx.charts.resolve({
                chart: a.chart.name,
                version: a.chart.version,
                repoUrl: a.chart.registry.url,
                credentials: credentialsFor(ctx, a.chart.registry.credentialName),
              });
              // hooks are not part of a release's manifest: compare only what Helm keeps applied
              const rendered = parseManifest(
                await ctx.helm.template(a.name, a.namespace, chart.path, await valuesFor(ctx, a)),
                a.namespace,
              ).filter((o) => !o.metadata.annotations?.['helm.sh/hook']);
              const objects = await compare(
                ctx,
                rendered,
                a.settings.ignoreDifferences as unknown as IgnoreRule[],
              );
              if (prev) {
                const keep = new Set(rendered.map(objectKey));
                for (const o of parseManifest(prev.manifest, prev.namespace))
                  if (!keep.has(objectKey(o))) objects.push({ ref: objectRef(o), change: 'delete' });
              }
              const changed = objects.filter((o) => o.change !== 'unchanged').length;
              const same = isUnchanged(prev, pm.contentHash) && changed === 0;
              out.push({
                ...base,
                action: !prev ? 'install' : same ? 'unchanged' : 'upgrade',
                objects,
                message: !prev
                  ? `install ${a.chart.name}@${a.chart.version} into ${a.namespace}`
                  : same
                    ? 'no change'
                    : `upgrade revision ${prev.version} → ${prev.version + 1}: ${changed} objects change`,
              });
            } else {
              const m = stack.manifests.find((x) => x.name === pm.name) as ManifestMember;
              const desired = (m.objects as unknown as KubeObject[]).map((o) =>
                m.namespace && !o.metadata.namespace
                  ? { ...o, metadata: { ...o.metadata, namespace: m.namespace } }
                  : o,
              );
              const objects = await compare(ctx, desired, []);
              const changed = objects.filter((o) => o.change !== 'unchanged').length;
              out.push({
                ...base,
                action: changed ? 'apply' : 'unchanged',
                objects,
                message: changed ? `${changed} objects change` : 'no change',
              });
            }
          } catch (e) {
            out.push({ ...base, action: 'error', objects: [], message: (e as Error).message });
          }
        }
      }
    }
  }
  const wanted = new Set(def.stacks.flatMap((s) => s.addons.map((a) => `${a.namespace}/${a.name}`)));
  for (const [key, r] of stored) {
    if (wanted.has(key)) continue;
    out.push({
      id: `addon/${r.name}`,
      stack: r.labels['mooring.dev/stack'] ?? '',
      kind: 'addon',
      name: r.name,
      action: 'remove',
      objects: [],
      message: `helm uninstall ${r.name} -n ${r.namespace}`,
    });
  }
  return out;
}
