import { type Bus, requestSubject } from '@mooring/bus';
import type { Diagnostic } from '@mooring/core';
import { z } from 'zod';
import type { ResolvedCredential } from './credentials.ts';
import type { FetchedDefinition } from './fetchDefinition.ts';
import type { RepositoryLocation } from './location.ts';
import type { SyncError } from './runner.ts';

/** The agent's request that renders a definition against the live cluster. */
export const PREVIEW_REQUEST = 'cluster.preview';
/** How long a preview waits for the agent (below the 60 s an agent may take to answer). */
export const PREVIEW_TIMEOUT_MS = 55_000;

const objectPreview = z.object({
  ref: z.string(),
  change: z.enum(['create', 'update', 'delete', 'unchanged']),
  text: z.string().optional(),
});
export const memberPreviewSchema = z
  .object({
    id: z.string(),
    stack: z.string(),
    kind: z.enum(['addon', 'manifest']),
    name: z.string(),
    action: z.enum(['install', 'upgrade', 'apply', 'unchanged', 'remove', 'error']),
    objects: z.array(objectPreview),
    message: z.string(),
  })
  .meta({ id: 'MemberPreview' });
const agentAnswer = z.union([
  z.object({ definition: z.string(), members: z.array(memberPreviewSchema) }),
  z.object({ error: z.string() }),
]);

const errorView = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().optional(),
  column: z.number().optional(),
  path: z.string().optional(),
  hint: z.string().optional(),
});

export const previewSchema = z
  .object({
    cluster_id: z.string(),
    ref: z.string().describe('the branch, tag or commit asked for'),
    commit: z.string().describe('the commit it resolved to'),
    path: z.string().describe('the cluster file read'),
    valid: z.boolean().describe('false: the definition does not validate (see errors); nothing was rendered'),
    errors: z.array(errorView).describe('every diagnostic, located (file, line, column, field)'),
    members: z
      .array(memberPreviewSchema)
      .nullable()
      .describe('what an apply would do, per member and object; null when not rendered'),
    summary: z.object({ create: z.number(), update: z.number(), delete: z.number(), unchanged: z.number() }),
    agent_error: z.string().nullable().describe('why the agent gave no rendering'),
  })
  .meta({ id: 'Preview' });
export type PreviewView = z.infer<typeof previewSchema>;
export type MemberPreviewView = z.infer<typeof memberPreviewSchema>;

const located = (d: Diagnostic): SyncError => ({
  severity: d.severity,
  code: d.code,
  message: d.message,
  file: d.file,
  line: d.line,
  column: d.column,
  path: d.path,
  ...(d.hint !== undefined ? { hint: d.hint } : {}),
});

/** Objects by change over every member (pure). */
export function previewSummary(members: MemberPreviewView[] | null): PreviewView['summary'] {
  const s = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const m of members ?? []) for (const o of m.objects) s[o.change]++;
  return s;
}

/** What a preview needs: the fetcher (a ref's files) and the bus to the cluster's agent. */
export interface PreviewDeps {
  fetch(
    location: RepositoryLocation,
    credential: ResolvedCredential | undefined,
    path: string,
  ): Promise<FetchedDefinition>;
  bus?: Bus;
  timeoutMs?: number;
}

/**
 * A preview of `ref` for one cluster: fetch that branch, tag or commit, validate it (an
 * invalid one is answered with its located errors, nothing rendered), then ask the cluster's
 * agent to render it against the live cluster (`cluster.preview`). Nothing is applied.
 */
export async function previewRef(
  deps: PreviewDeps,
  o: {
    clusterId: string;
    location: RepositoryLocation;
    credential: ResolvedCredential | undefined;
    path: string;
    ref: string;
  },
): Promise<PreviewView> {
  const fetched = await deps.fetch({ ...o.location, branch: o.ref }, o.credential, o.path);
  const errors = fetched.diagnostics.map(located);
  const base = { cluster_id: o.clusterId, ref: o.ref, commit: fetched.commit, path: o.path, errors };
  const valid = !!fetched.definition && !errors.some((e) => e.severity === 'error');
  if (!valid)
    return { ...base, valid: false, members: null, summary: previewSummary(null), agent_error: null };
  let members: MemberPreviewView[] | null = null;
  let agentError: string | null = null;
  if (!deps.bus) agentError = 'no bus to the agent';
  else {
    try {
      const reply = agentAnswer.parse(
        await deps.bus.request<unknown>(
          requestSubject(o.clusterId, PREVIEW_REQUEST),
          { files: fetched.files, path: o.path },
          { timeoutMs: deps.timeoutMs ?? PREVIEW_TIMEOUT_MS },
        ),
      );
      if ('error' in reply) agentError = reply.error;
      else members = reply.members;
    } catch (e) {
      agentError = (e as Error).message;
    }
  }
  return { ...base, valid: true, members, summary: previewSummary(members), agent_error: agentError };
}
