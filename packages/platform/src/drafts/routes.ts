import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userOf } from '../auth/guard.ts';
import { previewSchema } from '../gitops/preview.ts';
import { errorBodySchema } from '../http/errorBody.ts';
import type { DraftsService } from './service.ts';
import type { MemberKind } from './workspace.ts';

const noBody = z.union([z.undefined(), z.null(), z.object({}).strict()]);
const memberName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/, 'letters, digits, ".", "_" and "-"');
const draftParams = z.object({ id: z.string().min(1).max(200), draftId: z.string().min(1).max(200) });
const stackParams = draftParams.extend({ stack: memberName });
const memberParams = stackParams.extend({ name: memberName });

const parent = z.union([
  z.strictObject({ manifest: memberName }),
  z.strictObject({ addon: memberName }),
  z.strictObject({ name: memberName, kind: z.enum(['manifest', 'addon']) }),
]);
const record = z.record(z.string(), z.unknown());
/** `null` removes a field (a JSON merge patch); mappings merge; other values replace. */
const opt = <T extends z.ZodType>(t: T) => t.nullable().optional();

const stackFields = {
  description: opt(z.string().max(4096)),
  description_from_file: opt(z.string().min(1).max(1024)),
  deploy_wave: opt(z.number().int().min(0).max(10_000)),
  variables: opt(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
};
const addonFields = {
  chart_name: opt(z.string().min(1).max(253)),
  chart_version: opt(z.string().min(1).max(128).describe('a string, as in the file')),
  namespace: opt(z.string().min(1).max(63)),
  registry_name: opt(z.string().min(1).max(253)),
  registry_url: opt(z.string().min(1).max(2048)),
  repository_url: opt(z.string().min(1).max(2048)),
  registry_credential_name: opt(z.string().min(1).max(128)),
  parents: opt(z.array(parent).max(500)),
  settings: opt(record.describe('engine, sync_policy, retry_policy, sync_window, ignore_differences...')),
  job_configuration: opt(record),
  configuration: opt(
    record.describe('`encrypted_paths` (values to SOPS-encrypt on publish); `values` text goes in `values`'),
  ),
  encrypted_paths: opt(z.array(z.string().min(1).max(512)).max(500)),
  group: opt(z.string().max(63)),
  agents_md: opt(z.string().max(65_536)),
  namespace_migration_strategy: opt(z.string().max(64)),
  values: z
    .string()
    .max(1_048_576)
    .optional()
    .describe('the values text (YAML), written where the values live'),
};
const manifestFields = {
  namespace: opt(z.string().min(1).max(63)),
  parents: opt(z.array(parent).max(500)),
  encrypted_paths: opt(z.array(z.string().min(1).max(512)).max(500)),
  force: opt(z.boolean()),
  auto_remediate: opt(z.boolean()),
  group: opt(z.string().max(63)),
  agents_md: opt(z.string().max(65_536)),
  dependencies_override: opt(z.unknown()),
  manifest: z
    .string()
    .max(1_048_576)
    .optional()
    .describe('the manifest text (Kubernetes objects in YAML), written where it lives'),
};

const memberSchema = z
  .object({
    kind: z.enum(['addon', 'manifest']),
    name: z.string(),
    stack: z.string(),
    file: z.string().describe('the repository file the entry is written in'),
    fields: record.describe('every field of the entry as written, fields Mooring does not know too'),
    values: z.string().optional().describe('values chosen for encryption are masked'),
    manifest: z.string().optional(),
    content_file: z.string().optional().describe('the file the values or manifest text is kept in'),
    encrypted_paths: z.array(z.string()),
  })
  .meta({ id: 'DraftMember' });
const stackSchema = z
  .object({
    name: z.string(),
    fields: record,
    addons: z.array(memberSchema),
    manifests: z.array(memberSchema),
  })
  .meta({ id: 'DraftStack' });
const summarySchema = z
  .object({
    id: z.string(),
    cluster_id: z.string(),
    title: z.string(),
    state: z
      .enum(['open', 'publishing', 'published'])
      .describe('publishing: a publish holds the draft (another is a 409)'),
    repository_url: z.string(),
    branch: z.string(),
    path: z.string(),
    base_commit: z.string().describe('the commit the draft began from'),
    revision: z.number().int(),
    created_by: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    changed_files: z.array(z.object({ path: z.string(), change: z.enum(['added', 'modified', 'deleted']) })),
    published: z
      .object({
        at: z.string(),
        by: z.string().nullable(),
        commit: z.string(),
        branch: z.string(),
        pull_request_url: z.string().nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'DraftSummary' });
const draftSchema = summarySchema.extend({ stacks: z.array(stackSchema) }).meta({ id: 'Draft' });
const issueSchema = z.object({
  severity: z.enum(['error', 'warning']),
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  path: z.string(),
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
});
const publishSchema = z
  .object({
    draft: summarySchema,
    commit: z.string(),
    branch: z.string(),
    rebased: z.boolean().describe('the branch had moved: the commit was rebased onto it'),
    unchanged: z.boolean().describe('the draft changes nothing: no commit was made'),
    encrypted: z.array(z.object({ path: z.string(), paths: z.array(z.string()) })),
    pull_request: z.object({ number: z.number().int(), url: z.string() }).nullable(),
    pull_request_error: z.string().nullable(),
    sync_requested: z.boolean(),
  })
  .meta({ id: 'DraftPublished' });

// Bodies take the fields of FORMAT.md typed, and any other field as given: the definition keeps
// what Mooring does not know, and validation names a field it does not accept.
const errors = { 404: errorBodySchema, 409: errorBodySchema };
const tags = ['stack builder'];

/** The Stack Builder: drafts of a cluster's definition, their stacks, add-ons and manifests, validate, preview, publish. */
export function registerDraftRoutes(app: FastifyInstance, o: { drafts: DraftsService }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const base = '/api/v1/clusters/:id/drafts';
  const operator = { access: { role: 'operator' as const } };

  r.post(
    base,
    {
      schema: {
        tags,
        summary: 'Begin a draft from the head of the cluster’s configured branch',
        params: z.object({ id: z.string().min(1).max(200) }),
        body: z.union([
          z.undefined(),
          z.null(),
          z.strictObject({ title: z.string().min(1).max(200).optional() }),
        ]),
        response: { 201: draftSchema, ...errors, 502: errorBodySchema },
      },
      config: operator,
    },
    async (req, reply) =>
      reply.code(201).send(
        await o.drafts.create(userOf(req), req.params.id, {
          ...(req.body?.title ? { title: req.body.title } : {}),
        }),
      ),
  );

  r.get(
    base,
    {
      schema: {
        tags,
        summary: 'The cluster’s drafts, newest first (open and published)',
        params: z.object({ id: z.string().min(1).max(200) }),
        response: { 200: z.object({ items: z.array(summarySchema) }) },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => ({ items: await o.drafts.list(userOf(req), req.params.id) }),
  );

  r.get(
    `${base}/:draftId`,
    {
      schema: {
        tags,
        summary:
          'A draft: its stacks, add-ons and manifests as the edited files hold them, and the files changed',
        params: draftParams,
        response: { 200: draftSchema, 404: errorBodySchema },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.drafts.get(userOf(req), req.params.id, req.params.draftId),
  );

  r.patch(
    `${base}/:draftId`,
    {
      schema: {
        tags,
        summary: 'Rename a draft (its title is the commit’s first line)',
        params: draftParams,
        body: z.strictObject({ title: z.string().min(1).max(200) }),
        response: { 200: draftSchema, ...errors },
      },
      config: operator,
    },
    async (req) => o.drafts.rename(userOf(req), req.params.id, req.params.draftId, req.body.title),
  );

  r.delete(
    `${base}/:draftId`,
    {
      schema: {
        tags,
        summary: 'Discard a draft',
        params: draftParams,
        response: { 204: z.undefined(), 404: errorBodySchema },
      },
      config: operator,
    },
    async (req, reply) => {
      await o.drafts.remove(userOf(req), req.params.id, req.params.draftId);
      return reply.code(204).send();
    },
  );

  r.post(
    `${base}/:draftId/stacks`,
    {
      schema: {
        tags,
        summary: 'Add a stack (appended to spec.stacks of the cluster file)',
        params: draftParams,
        body: z.object({ name: memberName, ...stackFields }).catchall(z.unknown()),
        response: { 201: draftSchema, ...errors, 400: errorBodySchema },
      },
      config: operator,
    },
    async (req, reply) => {
      const { name, ...fields } = req.body;
      return reply
        .code(201)
        .send(await o.drafts.createStack(userOf(req), req.params.id, req.params.draftId, name, fields));
    },
  );

  r.patch(
    `${base}/:draftId/stacks/:stack`,
    {
      schema: {
        tags,
        summary: 'Edit or rename a stack (a merge patch: null removes a field)',
        params: stackParams,
        body: z.object({ name: memberName.optional(), ...stackFields }).catchall(z.unknown()),
        response: { 200: draftSchema, ...errors, 400: errorBodySchema },
      },
      config: operator,
    },
    async (req) =>
      o.drafts.updateStack(userOf(req), req.params.id, req.params.draftId, req.params.stack, req.body),
  );

  r.delete(
    `${base}/:draftId/stacks/:stack`,
    {
      schema: {
        tags,
        summary: 'Remove a stack with its members (files only they used go too)',
        params: stackParams,
        response: { 200: draftSchema, ...errors },
      },
      config: operator,
    },
    async (req) => o.drafts.deleteStack(userOf(req), req.params.id, req.params.draftId, req.params.stack),
  );

  for (const [kind, list, fields, textKey] of [
    ['addon', 'addons', addonFields, 'values'],
    ['manifest', 'manifests', manifestFields, 'manifest'],
  ] as const) {
    const what = kind === 'addon' ? 'an add-on' : 'a manifest';
    const split = (body: Record<string, unknown>) => {
      const { [textKey]: text, ...rest } = body;
      return { text: text as string | undefined, rest };
    };
    r.post(
      `${base}/:draftId/stacks/:stack/${list}`,
      {
        schema: {
          tags,
          summary: `Add ${what} to a stack (its ${textKey} text goes to a file of its own, named by from_file)`,
          params: stackParams,
          body: z.object({ name: memberName, ...fields }).catchall(z.unknown()),
          response: { 201: draftSchema, ...errors, 400: errorBodySchema },
        },
        config: operator,
      },
      async (req, reply) => {
        const { name, ...body } = req.body as { name: string } & Record<string, unknown>;
        const { text, rest } = split(body);
        return reply
          .code(201)
          .send(
            await o.drafts.createMember(
              userOf(req),
              req.params.id,
              req.params.draftId,
              req.params.stack,
              kind as MemberKind,
              name,
              rest,
              text,
            ),
          );
      },
    );
    r.patch(
      `${base}/:draftId/stacks/:stack/${list}/:name`,
      {
        schema: {
          tags,
          summary: `Edit or rename ${what} (a merge patch: null removes a field; fields not named stay as written)`,
          params: memberParams,
          body: z.object({ name: memberName.optional(), ...fields }).catchall(z.unknown()),
          response: { 200: draftSchema, ...errors, 400: errorBodySchema },
        },
        config: operator,
      },
      async (req) => {
        const { text, rest } = split(req.body as Record<string, unknown>);
        return o.drafts.updateMember(
          userOf(req),
          req.params.id,
          req.params.draftId,
          req.params.stack,
          kind as MemberKind,
          req.params.name,
          rest,
          text,
        );
      },
    );
    r.delete(
      `${base}/:draftId/stacks/:stack/${list}/:name`,
      {
        schema: {
          tags,
          summary: `Remove ${what} (parents naming it are dropped; files only it used go too)`,
          params: memberParams,
          response: { 200: draftSchema, ...errors },
        },
        config: operator,
      },
      async (req) =>
        o.drafts.deleteMember(
          userOf(req),
          req.params.id,
          req.params.draftId,
          req.params.stack,
          kind as MemberKind,
          req.params.name,
        ),
    );
  }

  r.post(
    `${base}/:draftId/validate`,
    {
      schema: {
        tags,
        summary:
          'Validate the draft: the diagnostics of `mooring validate`, each with file, line, column and field',
        params: draftParams,
        body: noBody,
        response: {
          200: z.object({ valid: z.boolean(), errors: z.array(issueSchema) }),
          404: errorBodySchema,
        },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.drafts.validate(userOf(req), req.params.id, req.params.draftId),
  );

  r.post(
    `${base}/:draftId/preview`,
    {
      schema: {
        tags,
        summary:
          'Preview the draft: validated, then rendered by the agent against the live cluster (per-object diff)',
        params: draftParams,
        body: noBody,
        response: { 200: previewSchema, ...errors },
      },
      config: operator,
    },
    async (req) => o.drafts.preview(userOf(req), req.params.id, req.params.draftId),
  );

  r.post(
    `${base}/:draftId/publish`,
    {
      schema: {
        tags,
        summary:
          'Publish the draft as one commit authored by you: to the configured branch (a sync follows), or to a new branch with a pull request (GitHub, Bitbucket)',
        description:
          'A branch that moved since the draft began is rebased onto; a change to a file the draft changes too is a 409 naming the file. Values under `encrypted_paths` are SOPS-encrypted for the age recipients of the repository’s `.sops.yaml` before the commit. An invalid draft is a 422 with every diagnostic.',
        params: draftParams,
        body: z.union([
          z.undefined(),
          z.null(),
          z.strictObject({
            message: z
              .string()
              .min(1)
              .max(10_000)
              .optional()
              .describe('the commit message (default: the title and the files)'),
            branch: z
              .string()
              .min(1)
              .max(200)
              .regex(/^[A-Za-z0-9_][A-Za-z0-9._/-]*$/, 'a branch name')
              .refine((b) => !b.includes('..') && !b.endsWith('/') && !b.endsWith('.lock'), 'a branch name')
              .optional()
              .describe('a new branch for the commit; absent: the configured branch'),
            pull_request: z
              .boolean()
              .optional()
              .describe('open a pull request for a new branch (default true)'),
            author_email: z.email().optional(),
          }),
        ]),
        response: { 200: publishSchema, ...errors, 422: errorBodySchema, 502: errorBodySchema },
      },
      config: operator,
    },
    async (req) => o.drafts.publish(userOf(req), req.params.id, req.params.draftId, req.body ?? {}),
  );
}
