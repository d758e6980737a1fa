/**
 * Display-only fields of members: `group` (a label of at most 63
 * characters) and `agents_md` / `agents_md_from_file` (operational notes in
 * Markdown). They are kept in the model, shown by the platform, and never
 * part of a content hash, so changing them never redeploys anything.
 */
import { readFileField } from './content.ts';
import type { LoadState } from './drafts.ts';
import type { AgentsMd } from './model.ts';
import { type AnyMap, childPath, getNode, has, loc, type ReadCtx, readString } from './reader.ts';
import { GROUP_MAX } from './schema.ts';

export function readGroup(ctx: ReadCtx, map: AnyMap, path: string, what: string): string | undefined {
  const group = readString(ctx, map, path, 'group', { what });
  if (group === undefined || group.length <= GROUP_MAX) return group;
  ctx.sink.error(
    loc(ctx, getNode(map, 'group')),
    childPath(path, 'group'),
    'out-of-range',
    `"group" of ${what} is ${group.length} characters long; at most ${GROUP_MAX} are allowed`,
  );
  return undefined;
}

export function readAgentsMd(
  state: LoadState,
  ctx: ReadCtx,
  map: AnyMap,
  path: string,
  what: string,
): AgentsMd | undefined {
  if (has(map, 'agents_md') && has(map, 'agents_md_from_file')) {
    ctx.sink.error(
      loc(ctx, getNode(map, 'agents_md_from_file')),
      childPath(path, 'agents_md_from_file'),
      'conflicting-fields',
      `${what} takes "agents_md" or "agents_md_from_file", not both`,
    );
    return undefined;
  }
  if (has(map, 'agents_md_from_file')) {
    const f = readFileField(state, ctx, map, path, 'agents_md_from_file');
    return f ? { text: f.text, file: f.file } : undefined;
  }
  const text = readString(ctx, map, path, 'agents_md', { what });
  return text === undefined ? undefined : { text };
}
