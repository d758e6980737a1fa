/**
 * Checks across the whole definition, run after every file was read:
 * duplicate names (stacks; manifests and add-ons each unique across all
 * stacks), parents that exist and have the right kind, parents in other
 * stacks (allowed only when that stack deploys in an earlier wave),
 * dependency cycles (each reported once, naming the cycle) and registry names
 * used with two URLs.
 */
import type { DiagnosticSink, Location } from './diagnostics.ts';
import type { LoadState, MemberDraft, ParentDraft, StackDraft } from './drafts.ts';
import { memberId, type ParentKind } from './model.ts';
import { suggest } from './suggest.ts';

function where(l: Location): string {
  return `${l.file}:${l.line}:${l.column}`;
}

function kindWord(kind: ParentKind): string {
  return kind === 'addon' ? 'add-on' : kind;
}

function aKindWord(kind: ParentKind): string {
  return kind === 'addon' ? 'an add-on' : kind === 'application' ? 'an application' : 'a manifest';
}

export function checkDuplicates(stacks: readonly StackDraft[], sink: DiagnosticSink): void {
  const seenStacks = new Map<string, StackDraft>();
  for (const sd of stacks) {
    if (!sd.named) continue;
    const first = seenStacks.get(sd.stack.name);
    if (first)
      sink.error(
        sd.nameLoc,
        sd.namePath,
        'duplicate-name',
        `duplicate stack name "${sd.stack.name}" (first defined at ${where(first.nameLoc)})`,
        'stack names must be unique in a definition',
      );
    else seenStacks.set(sd.stack.name, sd);
  }
  const seen = new Map<string, MemberDraft>();
  for (const sd of stacks)
    for (const md of sd.members) {
      if (!md.named) continue;
      const id = memberId(md.member);
      const first = seen.get(id);
      if (first)
        sink.error(
          md.nameLoc,
          md.namePath,
          'duplicate-name',
          `duplicate ${kindWord(md.member.kind)} name "${md.member.name}" (first defined at ${where(first.nameLoc)})`,
          `${kindWord(md.member.kind)} names must be unique across all stacks of the definition`,
        );
      else seen.set(id, md);
    }
}

/** Resolves parents; returns same-stack edges (child → parent drafts) for the cycle check. */
export function checkParents(
  stacks: readonly StackDraft[],
  sink: DiagnosticSink,
): Map<MemberDraft, [ParentDraft, MemberDraft][]> {
  const byId = new Map<string, MemberDraft>();
  for (const sd of stacks)
    for (const md of sd.members)
      if (md.named && !byId.has(memberId(md.member))) byId.set(memberId(md.member), md);
  const names: Record<ParentKind, string[]> = { manifest: [], addon: [], application: [] };
  for (const md of byId.values()) names[md.member.kind].push(md.member.name);
  const edges = new Map<MemberDraft, [ParentDraft, MemberDraft][]>();
  for (const sd of stacks)
    for (const md of sd.members) {
      const list: [ParentDraft, MemberDraft][] = [];
      edges.set(md, list);
      for (const p of md.parents) {
        const target = byId.get(`${p.kind}/${p.name}`);
        if (!target) {
          const other = (['manifest', 'addon', 'application'] as const).find(
            (k) => k !== p.kind && byId.has(`${k}/${p.name}`),
          );
          if (other) {
            sink.error(
              p.loc,
              p.path,
              'parent-wrong-kind',
              `parent "${p.name}" is ${aKindWord(other)}, not ${aKindWord(p.kind)}: write - ${other}: ${p.name}`,
            );
          } else {
            const guess = suggest(p.name, names[p.kind]);
            sink.error(
              p.loc,
              p.path,
              'missing-parent',
              `parent ${kindWord(p.kind)} "${p.name}" is not defined${guess ? ` (did you mean "${guess}"?)` : ''}`,
              `a parent must be a ${kindWord(p.kind)} defined in this definition`,
            );
          }
          continue;
        }
        if (target.stackIndex !== md.stackIndex) {
          const childWave = stacks[md.stackIndex]!.stack.deployWave;
          const parentStack = stacks[target.stackIndex]!.stack;
          const parentWave = parentStack.deployWave;
          if (childWave === undefined || parentWave === undefined || parentWave >= childWave) {
            sink.error(
              p.loc,
              p.path,
              'parent-other-stack',
              `parent ${kindWord(p.kind)} "${p.name}" is in stack "${parentStack.name}", which does not deploy in an earlier wave than stack "${stacks[md.stackIndex]!.stack.name}"`,
              'move the parent into this stack, or give its stack a lower deploy_wave',
            );
          }
          continue;
        }
        list.push([p, target]);
      }
    }
  return edges;
}

/**
 * Reports each dependency cycle once (per strongly connected component),
 * naming it: `add-on a → add-on b → add-on a` where → points to a parent.
 */
export function checkCycles(
  stacks: readonly StackDraft[],
  edges: ReadonlyMap<MemberDraft, [ParentDraft, MemberDraft][]>,
  sink: DiagnosticSink,
): void {
  const all: MemberDraft[] = stacks.flatMap((s) => s.members);
  const order = new Map(all.map((m, i) => [m, i]));
  // Tarjan's SCC, iterative enough for definitions of thousands of members.
  let counter = 0;
  const index = new Map<MemberDraft, number>();
  const low = new Map<MemberDraft, number>();
  const onStack = new Set<MemberDraft>();
  const stack: MemberDraft[] = [];
  const sccs: MemberDraft[][] = [];
  const strong = (v: MemberDraft): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const [, w] of edges.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: MemberDraft[] = [];
      let w: MemberDraft;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      sccs.push(comp);
    }
  };
  for (const m of all) if (!index.has(m)) strong(m);
  const reported: { start: MemberDraft; text: string; at: ParentDraft }[] = [];
  for (const comp of sccs) {
    const inComp = new Set(comp);
    const start = [...comp].sort((a, b) => order.get(a)! - order.get(b)!)[0]!;
    const selfEdge = (edges.get(start) ?? []).find(([, t]) => t === start);
    if (comp.length === 1 && !selfEdge) continue;
    // Shortest path from start back to start inside the component (BFS).
    const prev = new Map<MemberDraft, [MemberDraft, ParentDraft]>();
    const queue: MemberDraft[] = [start];
    let closing: [MemberDraft, ParentDraft] | undefined;
    outer: for (let qi = 0; qi < queue.length; qi++) {
      const v = queue[qi]!;
      for (const [p, w] of edges.get(v) ?? []) {
        if (!inComp.has(w)) continue;
        if (w === start) {
          closing = [v, p];
          break outer;
        }
        if (!prev.has(w)) {
          prev.set(w, [v, p]);
          queue.push(w);
        }
      }
    }
    if (!closing) continue;
    const path: MemberDraft[] = [start];
    for (let v = closing[0]; v !== start; v = prev.get(v)![0]) path.splice(1, 0, v);
    path.push(start);
    const text = path.map((m) => `${kindWord(m.member.kind)} ${m.member.name}`).join(' → ');
    reported.push({ start, text, at: closing[1] });
  }
  reported.sort((a, b) => order.get(a.start)! - order.get(b.start)!);
  for (const r of reported)
    sink.error(
      r.at.loc,
      r.at.path,
      'dependency-cycle',
      `dependency cycle: ${r.text}`,
      'each arrow points to a parent; remove one of these parents to break the cycle',
    );
}

/** The same registry name must always mean the same URL. */
export function checkRegistries(state: LoadState): void {
  const byName = new Map<string, { url: string; where: string }>();
  for (const r of state.registries) {
    const first = byName.get(r.name);
    if (first && first.url !== r.url)
      state.sink.error(
        r.source,
        `${r.source.path}.url`,
        'registry-conflict',
        `helm registry "${r.name}" is defined with two URLs: ${first.url} (at ${first.where}) and ${r.url}`,
      );
    else if (!first) byName.set(r.name, { url: r.url, where: where(r.source) });
  }
  for (const u of state.registryUses) {
    const first = byName.get(u.name);
    if (first && first.url !== u.url)
      state.sink.error(
        u.loc,
        u.path,
        'registry-conflict',
        `registry "${u.name}" of ${u.what} has URL ${u.url}, but ${first.url} at ${first.where}`,
        'one registry name must always mean the same URL',
      );
    else if (!first) byName.set(u.name, { url: u.url, where: where(u.loc) });
  }
}
