/** What changed between the hashes last applied to a cluster and a new plan's (pure). */
export interface MemberChanges {
  /** Members that are new or whose content hash differs, in the plan's order. */
  changed: string[];
  /** Members applied before that the new plan no longer has. */
  removed: string[];
  /** Members whose hash is the one last applied. */
  unchanged: string[];
}

export function memberChanges(
  applied: Readonly<Record<string, string>>,
  planned: ReadonlyMap<string, string>,
): MemberChanges {
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const [id, hash] of planned) (applied[id] === hash ? unchanged : changed).push(id);
  const removed = Object.keys(applied).filter((id) => !planned.has(id));
  return { changed, removed, unchanged };
}
