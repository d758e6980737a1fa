import { type EngineContext, type MemberPreview, previewPlan } from '@mooring/engine';
import { z } from 'zod';
import { diagnosticsOut, loadApplyDefinition, payloadIssues } from './commands.ts';

/** The request that previews a definition: `agent.requests.{cluster_id}.cluster.preview`. */
export const PREVIEW_REQUEST = 'cluster.preview';

/** Its payload: the files of a commit and the ImportCluster's path among them (as `apply`'s). */
export const previewPayloadSchema = z.strictObject({
  files: z.record(z.string(), z.string()),
  path: z.string().min(1),
});

/** How much diff text one object may carry in an answer. */
export const PREVIEW_TEXT_CHARS = 4000;

function cut(text: string): string {
  return text.length <= PREVIEW_TEXT_CHARS
    ? text
    : `${text.slice(0, PREVIEW_TEXT_CHARS)}\n… (${text.length - PREVIEW_TEXT_CHARS} more characters)`;
}

/** The answer's members: the engine's previews with each diff cut short (pure). */
export function previewOut(members: MemberPreview[]) {
  return members.map((m) => ({
    ...m,
    objects: m.objects.map((o) => ({ ...o, ...(o.text !== undefined ? { text: cut(o.text) } : {}) })),
  }));
}

/**
 * Renders a definition against the live cluster without changing it (the engine's
 * `previewPlan`: `helm template` per add-on, a live diff per object) and answers what an
 * apply would do: `{ definition, members }`, or `{ error, diagnostics? }`.
 */
export function previewHandler(engine: EngineContext): (data: unknown) => Promise<object> {
  return async (data) => {
    const p = previewPayloadSchema.safeParse(data);
    if (!p.success) return { error: `invalid preview request: ${payloadIssues(p.error).join('; ')}` };
    const loaded = loadApplyDefinition(p.data);
    if (!loaded.ok) return { error: loaded.message, diagnostics: diagnosticsOut(loaded.diagnostics) };
    const members = await previewPlan(engine, loaded.def, loaded.plan);
    return { definition: loaded.def.name, members: previewOut(members) };
  };
}
