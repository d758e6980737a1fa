import {
  type AddonMember,
  diffObject,
  type IgnoreRule,
  type K8sObject,
  type ManagedFieldsEntry,
  type ManifestMember,
  mergeKeyFor,
  ownedFieldPaths,
  parsePointer,
  resolveFieldPath,
} from '@mooring/core';
import { type EngineContext, parseManifest } from '@mooring/engine';
import { ObjectApi, type ObjectRef } from '@mooring/kube';
import { isScalar, parseAllDocuments, stringify } from 'yaml';
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
    const client = new ObjectApi(engine.kc);
    const declared = parseManifest(latest.manifest, p.data.namespace).filter(
      (o) => !o.metadata.annotations?.['helm.sh/hook'],
    );
    const objects = await Promise.all(
      declared.map(async (d) => {
        try {
          return {
            desired: d as unknown as K8sObject,
            live: await client.read<K8sObject>(d),
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

// ---------------------------------------------------------------- manifests

/** One field of a manifest's object the cluster changed, and whether the patch carries it. */
export interface ManifestAcceptedChange {
  object: string;
  field: string;
  git: unknown;
  cluster: unknown;
  /** The field managers that own the field in the cluster (`kubectl`, a controller, ...). */
  managers: string[];
  /** False when the patch leaves it out: a Secret's data, an `encrypted_paths` value, an object gone from the cluster. */
  in_patch: boolean;
}

/** What accepting a manifest member's drift would take in Git. */
export interface ManifestAcceptDriftAnswer {
  changes: ManifestAcceptedChange[];
  /** The file the patch is for: the manifest's `from_file`, or the cluster file for inline content. */
  file: string | null;
  /** The manifest file before → after as a unified diff, to commit; '' when nothing maps to it. */
  patch: string;
  /** Why a change is not in the patch, or how to read it. */
  notes: string[];
}

const MASK = '***';
type Seg = string | number;

/** Whether a change must never show its values: a Secret's payload, or a path the member encrypts (pure). */
function hiddenField(obj: K8sObject, pointer: string, encryptedPaths: readonly string[]): boolean {
  const dotted = fieldPath(pointer);
  if (obj.kind === 'Secret' && /^(data|stringData)(\.|$)/.test(dotted)) return true;
  return encryptedPaths.some((p) => dotted === p || dotted.startsWith(`${p}.`));
}

const sameObject = (a: K8sObject, b: K8sObject) =>
  a.kind === b.kind &&
  a.metadata?.name === b.metadata?.name &&
  (a.apiVersion ?? '').split('/')[0] === (b.apiVersion ?? '').split('/')[0];

/**
 * The path in the Git object of a pointer into the live object (pure): keyed lists (containers by
 * name, ports by number) may order elements differently in the cluster. `append` when the live
 * element has no counterpart in Git (an element the cluster added).
 */
export function gitPathOf(
  desired: unknown,
  live: unknown,
  pointer: string,
): { path: Seg[]; append: boolean } | undefined {
  const tokens = parsePointer(pointer);
  const path: Seg[] = [];
  let d = desired;
  let l = live;
  for (const [i, t] of tokens.entries()) {
    if (Array.isArray(l) || Array.isArray(d)) {
      const ds = Array.isArray(d) ? d : [];
      const ls = Array.isArray(l) ? l : [];
      if (t === '-') return { path, append: true };
      const li = Number(t);
      if (!Number.isInteger(li)) return undefined;
      const key = mergeKeyFor(path, ds);
      let di = li;
      if (key) {
        const k = key(ls[li]);
        di = ds.findIndex((e) => key(e) === k);
      }
      if (di < 0 || di >= ds.length) return i === tokens.length - 1 ? { path, append: true } : undefined;
      path.push(di);
      d = ds[di];
      l = ls[li];
      continue;
    }
    path.push(t);
    d = d && typeof d === 'object' ? (d as Record<string, unknown>)[t] : undefined;
    l = l && typeof l === 'object' ? (l as Record<string, unknown>)[t] : undefined;
  }
  return { path, append: false };
}

/** A unified diff of two texts (pure): the longest common subsequence of lines, hunks with 3 lines of context. */
export function unifiedDiff(file: string, before: string, after: string): string {
  if (before === after) return '';
  const a = before.replace(/\n$/, '').split('\n');
  const b = after.replace(/\n$/, '').split('\n');
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: how many lines a[i..] and b[j..] have in common
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  // each op with how many lines of a and of b come before it
  const ops: { op: ' ' | '-' | '+'; line: string; ai: number; bi: number }[] = [];
  for (let i = 0, j = 0; i < n || j < m; ) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ op: ' ', line: a[i]!, ai: i++, bi: j++ });
    else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!))
      ops.push({ op: '-', line: a[i]!, ai: i++, bi: j });
    else ops.push({ op: '+', line: b[j]!, ai: i, bi: j++ });
  }
  const CONTEXT = 3;
  const changed = ops.flatMap((o, k) => (o.op === ' ' ? [] : [k]));
  const out = [`--- a/${file}`, `+++ b/${file}`];
  for (let g = 0; g < changed.length; ) {
    let last = g;
    while (last + 1 < changed.length && changed[last + 1]! - changed[last]! <= 2 * CONTEXT + 1) last++;
    const from = Math.max(0, changed[g]! - CONTEXT);
    const to = Math.min(ops.length, changed[last]! + CONTEXT + 1);
    const hunk = ops.slice(from, to);
    const aLen = hunk.filter((o) => o.op !== '+').length;
    const bLen = hunk.filter((o) => o.op !== '-').length;
    const first = hunk[0]!;
    out.push(`@@ -${first.ai + (aLen ? 1 : 0)},${aLen} +${first.bi + (bLen ? 1 : 0)},${bLen} @@`);
    for (const o of hunk) out.push(`${o.op}${o.line}`);
    g = last + 1;
  }
  return `${out.join('\n')}\n`;
}

/**
 * The change to a manifest member's file that would make Git equal to the cluster (pure): each
 * drifted field of its objects with the field managers that own it in the cluster, written into
 * the YAML document holding the object (comments and layout kept): a changed field takes the
 * cluster's value, a field the cluster dropped is removed, a key or list element the cluster
 * added is added. A Secret's data and `encrypted_paths` values are listed masked and left out of
 * the patch. `text` is the manifest's content as applied (stack variables substituted).
 */
export function acceptManifestDrift(
  m: { text: string; contentFile?: string; encryptedPaths: readonly string[]; inline: boolean },
  objects: { desired: K8sObject; live: K8sObject | undefined }[],
  definitionFile: string,
): ManifestAcceptDriftAnswer {
  const changes: ManifestAcceptedChange[] = [];
  const notes: string[] = [];
  const docs = parseAllDocuments(m.text);
  const originals = docs.map((d) => d.toString());
  const touched = new Set<number>();
  const secrets = new Set<string>();
  for (const { desired, live } of objects) {
    const ref = `${desired.kind}/${desired.metadata?.namespace ? `${desired.metadata.namespace}/` : ''}${desired.metadata?.name}`;
    if (!live) {
      changes.push({
        object: ref,
        field: '',
        git: '(the object)',
        cluster: null,
        managers: [],
        in_patch: false,
      });
      notes.push(`${ref} is gone from the cluster: remove its document from the file to accept that`);
      continue;
    }
    const at = docs.findIndex((d) => {
      const js = d.toJS() as K8sObject | null;
      return js && typeof js === 'object' && sameObject(js, desired);
    });
    const doc = at >= 0 ? docs[at] : undefined;
    for (const c of diffObject(desired, live).changes) {
      const hidden = hiddenField(desired, c.path, m.encryptedPaths);
      if (hidden) {
        for (const v of [c.desired, c.live]) collectStrings(v, secrets);
      }
      const managers = fieldManagers(live, c.path);
      // mapped on the document as it is now: an earlier change may have moved list elements
      const where = doc && !hidden ? gitPathOf(doc.toJS(), live, c.path) : undefined;
      let inPatch = false;
      if (doc && where) {
        if (c.op === 'add') {
          // Git sets it, the cluster has none: accepting drops it from Git
          if (where.append) {
            const list = getAt(doc.toJS(), where.path);
            const key = Array.isArray(list) ? mergeKeyFor(where.path, list) : undefined;
            const idx = key && Array.isArray(list) ? list.findIndex((e) => key(e) === key(c.desired)) : -1;
            if (idx >= 0) {
              doc.deleteIn([...where.path, idx]);
              inPatch = true;
            }
          } else if (doc.hasIn(where.path)) {
            doc.deleteIn(where.path);
            inPatch = true;
          }
        } else if (where.append) {
          doc.addIn(where.path, doc.createNode(c.live));
          inPatch = true;
        } else {
          const node = doc.getIn(where.path, true);
          // a scalar keeps its comment and style; anything else is written anew
          if (isScalar(node) && (c.live === null || typeof c.live !== 'object')) node.value = c.live;
          else doc.setIn(where.path, doc.createNode(c.live));
          inPatch = true;
        }
        if (inPatch) touched.add(at);
      }
      changes.push({
        object: ref,
        field: fieldPath(c.path),
        git: hidden ? MASK : (c.desired ?? null),
        cluster: hidden ? MASK : (c.live ?? null),
        managers,
        in_patch: inPatch,
      });
      if (hidden) notes.push(`${ref} ${fieldPath(c.path)} is secret: it is not written into the patch`);
    }
  }
  const file = m.inline ? definitionFile || null : (m.contentFile ?? (definitionFile || null));
  if (m.inline && touched.size > 0)
    notes.push(
      'the manifest is inline in the cluster file: the patch shows its `manifest` content, to copy there',
    );
  let after = m.text;
  let from = 0;
  for (const [k, doc] of docs.entries()) {
    if (!touched.has(k)) continue;
    const was = originals[k]!;
    const now = doc.toString();
    const pos = after.indexOf(was, from);
    if (pos < 0) {
      after = docs.map((d) => d.toString()).join('');
      break;
    }
    after = after.slice(0, pos) + now + after.slice(pos + was.length);
    from = pos + now.length;
  }
  let patch = unifiedDiff(file ?? 'manifest.yaml', m.text, after);
  for (const s of [...secrets].sort((x, y) => y.length - x.length))
    if (s.length >= 3) patch = patch.split(s).join(MASK);
  return { changes, file, patch, notes: [...new Set(notes)] };
}

function getAt(root: unknown, path: readonly Seg[]): unknown {
  let cur = root;
  for (const s of path)
    cur = cur && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[s] : undefined;
  return cur;
}

function collectStrings(v: unknown, out: Set<string>): void {
  if (typeof v === 'string') out.add(v);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) collectStrings(x, out);
}

/**
 * Answers `manifest.accept-drift` `{name}`: the member of the definition last applied, its
 * objects read live (with managedFields), and the patch to its file. SOPS-encrypted content is
 * refused: such a file is edited with sops.
 */
export function acceptManifestDriftHandler(
  engine: EngineContext,
  targetOf: (name: string) => { manifest: ManifestMember } | undefined,
): (data: unknown) => Promise<object> {
  return async (data) => {
    const p = z.strictObject({ name: z.string().min(1) }).safeParse(data);
    if (!p.success) return { error: 'invalid request: name is required' };
    const t = targetOf(p.data.name);
    if (!t) return { error: `manifest ${p.data.name} is not in the definition last applied` };
    const m = t.manifest;
    // a document with SOPS metadata (sops: {mac, version, ...})
    if (/^sops:\s*$/m.test(m.text))
      return { error: `manifest ${m.name} is encrypted with SOPS: accept its drift by editing it with sops` };
    const client = new ObjectApi(engine.kc);
    const declared = (m.objects as unknown as K8sObject[]).map((o) =>
      m.namespace && !o.metadata?.namespace
        ? { ...o, metadata: { ...o.metadata, namespace: m.namespace } }
        : o,
    );
    const objects = await Promise.all(
      declared.map(async (d) => {
        try {
          return { desired: d, live: await client.read<K8sObject>(d as ObjectRef) };
        } catch (e) {
          if ((e as { code?: number }).code !== 404) throw e;
          return { desired: d, live: undefined };
        }
      }),
    );
    return acceptManifestDrift(
      {
        text: m.text,
        encryptedPaths: m.encryptedPaths,
        inline: m.contentFile === undefined,
        ...(m.contentFile ? { contentFile: m.contentFile } : {}),
      },
      objects,
      m.source.file,
    );
  };
}
