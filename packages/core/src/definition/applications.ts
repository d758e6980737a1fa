/**
 * `stacks[].applications[]`: applications of the original platform's
 * catalogue (`platform_application_id`, `platform_application_version`,
 * `parameters`). Mooring has no such catalogue: each entry is validated and
 * planned, gets a warning that it is not deployed, and a member that names
 * one as a parent is reported blocked at deploy time (never deployed out of
 * order).
 */
import { isMap, isScalar } from 'yaml';
import type { StackDraft } from './drafts.ts';
import { checkName, readNamespace } from './members.ts';
import type { ApplicationEntry } from './model.ts';
import { readGroup } from './notes.ts';
import { readParents } from './parents.ts';
import {
  type AnyMap,
  checkKeys,
  childPath,
  getNode,
  mapLoc,
  type ReadCtx,
  readMap,
  readString,
  wrongType,
} from './reader.ts';
import { APPLICATION_FIELDS, EXAMPLES } from './schema.ts';

function readVersion(ctx: ReadCtx, map: AnyMap, path: string, what: string): string | undefined {
  const node = getNode(map, 'platform_application_version');
  if (isScalar(node) && (typeof node.value === 'number' || typeof node.value === 'string'))
    return String(node.source ?? node.value);
  return readString(ctx, map, path, 'platform_application_version', { what });
}

export function readApplications(
  ctx: ReadCtx,
  seq: { items: unknown[] },
  listPath: string,
  sd: StackDraft,
): void {
  seq.items.forEach((item, i) => {
    const path = childPath(listPath, i);
    if (!isMap(item)) {
      wrongType(ctx, item, path, `applications[${i}]`, 'an application entry (a mapping with name: ...)');
      return;
    }
    const map = item as AnyMap;
    checkKeys(ctx, map, path, APPLICATION_FIELDS, 'application');
    const n = checkName(ctx, map, path, 'application', EXAMPLES['application.name']!, 'member');
    const what = n.name ? `application "${n.name}"` : 'application';
    const platformApplicationId = readString(ctx, map, path, 'platform_application_id', { what });
    const platformApplicationVersion = readVersion(ctx, map, path, what);
    const namespace = readNamespace(ctx, map, path, what, false);
    const parameters = readMap(ctx, map, path, 'parameters')?.toJSON() as Record<string, unknown> | undefined;
    const parents = readParents(ctx, map, path);
    const group = readGroup(ctx, map, path, what);
    const a: ApplicationEntry = {
      kind: 'application',
      name: n.name,
      stack: sd.stack.name,
      ...(platformApplicationId !== undefined ? { platformApplicationId } : {}),
      ...(platformApplicationVersion !== undefined ? { platformApplicationVersion } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
      parameters: parameters ?? {},
      parents: parents.map((p) => ({ kind: p.kind, name: p.name })),
      ...(group !== undefined ? { group } : {}),
      source: { ...mapLoc(ctx, map), path },
    };
    if (n.ok)
      ctx.sink.warning(
        n.loc,
        childPath(path, 'name'),
        'application-not-deployed',
        `${what} is not deployed: Mooring has no application catalogue`,
        'deploy it as an add-on (a Helm chart) instead; members that name it as a parent are blocked until then',
      );
    sd.stack.applications.push(a);
    sd.members.push({
      member: a,
      nameLoc: n.loc,
      namePath: childPath(path, 'name'),
      named: n.ok,
      parents,
      stackIndex: sd.index,
    });
  });
}
