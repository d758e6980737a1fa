/** A Stack Builder draft as the stacks graph's input, and the parents a connection sets (pure). */
import type { Draft, DraftMember, DraftParent, StackMember, StacksAnswer } from '../api/types.ts';

export const memberId = (kind: 'addon' | 'manifest', name: string) => `${kind}/${name}`;

/** The id a parent entry points at (`{ manifest: ns }` → `manifest/ns`), or null when unreadable. */
export function parentId(p: DraftParent): string | null {
  if (typeof p !== 'object' || p === null) return null;
  if ('manifest' in p && typeof p.manifest === 'string') return memberId('manifest', p.manifest);
  if ('addon' in p && typeof p.addon === 'string') return memberId('addon', p.addon);
  if ('name' in p && typeof p.name === 'string' && (p.kind === 'addon' || p.kind === 'manifest'))
    return memberId(p.kind, p.name);
  return null;
}

export function parentsOf(m: DraftMember): DraftParent[] {
  const p = m.fields.parents;
  return Array.isArray(p) ? (p as DraftParent[]) : [];
}

export function waveOf(fields: Record<string, unknown>): number | null {
  const w = fields.deploy_wave;
  return typeof w === 'number' ? w : typeof w === 'string' && /^\d+$/.test(w) ? Number(w) : null;
}

/** Every member of a draft with its stack. */
export function draftMembers(d: Draft): { stack: string; member: DraftMember }[] {
  return d.stacks.flatMap((s) => [...s.manifests, ...s.addons].map((member) => ({ stack: s.name, member })));
}

/** The draft in the stacks page's shape: waves in deploy order (no wave first), members with their parents. */
/** `changed`: the draft's changed files; a member whose values or manifest file is new or edited says so. */
export function draftAsStacks(d: Draft, changed: ReadonlyMap<string, string> = new Map()): StacksAnswer {
  const waves = new Map<number | null, StacksAnswer['waves'][number]['stacks']>();
  let count = 0;
  for (const s of d.stacks) {
    const wave = waveOf(s.fields);
    const members: StackMember[] = [...s.manifests, ...s.addons].map((m) => {
      const chart = typeof m.fields.chart_name === 'string' ? m.fields.chart_name : null;
      const version = m.fields.chart_version;
      const content = m.content_file === undefined ? undefined : changed.get(m.content_file);
      return {
        id: memberId(m.kind, m.name),
        kind: m.kind,
        name: m.name,
        namespace: typeof m.fields.namespace === 'string' ? m.fields.namespace : null,
        chart,
        version: version === undefined || version === null ? null : String(version),
        parents: parentsOf(m)
          .map(parentId)
          .filter((x): x is string => x !== null),
        layer: 0,
        state: content === 'added' ? 'New' : content === 'modified' ? 'Edited' : 'Draft',
        health: content ? 'Progressing' : 'Unknown',
        message: '',
      };
    });
    count += members.length;
    const list = waves.get(wave) ?? [];
    list.push({ name: s.name, deploy_wave: wave, applications: [], members });
    waves.set(wave, list);
  }
  const order = [...waves.keys()].sort((a, b) => (a === null ? -1 : b === null ? 1 : a - b));
  return { waves: order.map((wave) => ({ wave, stacks: waves.get(wave)! })), member_count: count };
}

/** The parent entry for a member id, written the way FORMAT.md spells it. */
export function parentEntry(id: string): DraftParent {
  const [kind, ...rest] = id.split('/');
  const name = rest.join('/');
  return kind === 'manifest' ? { manifest: name } : { addon: name };
}

/**
 * The parents a member has after a connection from `source` (the parent) to it: the existing
 * ones plus the new one; null when nothing changes (already a parent, itself, or a cycle).
 */
export function connectParents(d: Draft, source: string, target: string): DraftParent[] | null {
  if (source === target) return null;
  const all = draftMembers(d);
  const child = all.find((x) => memberId(x.member.kind, x.member.name) === target);
  if (!child) return null;
  const current = parentsOf(child.member);
  if (current.some((p) => parentId(p) === source)) return null;
  // a cycle: the target is already an ancestor of the source
  const parentsById = new Map(
    all.map((x) => [
      memberId(x.member.kind, x.member.name),
      parentsOf(x.member)
        .map(parentId)
        .filter((p): p is string => p !== null),
    ]),
  );
  const seen = new Set<string>();
  const todo = [source];
  while (todo.length) {
    const n = todo.pop()!;
    if (n === target) return null;
    if (seen.has(n)) continue;
    seen.add(n);
    todo.push(...(parentsById.get(n) ?? []));
  }
  return [...current, parentEntry(source)];
}
