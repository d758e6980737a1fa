import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userOf } from '../auth/guard.ts';
import { errorBodySchema } from '../http/errorBody.ts';
import { listQuerySchema, pageRequest, pageSchema } from '../http/pagination.ts';
import { CHART_SORT_FIELDS, type ChartSortField, type ChartsService } from './charts.ts';
import { MAX_INTERVAL_SECONDS, MIN_INTERVAL_SECONDS } from './decide.ts';
import {
  JOB_SORT_FIELDS,
  type JobSortField,
  REGISTRY_SORT_FIELDS,
  type RegistriesService,
  type RegistrySortField,
} from './registries.ts';
import {
  chartSchema,
  jobSchema,
  registrySchema,
  templateSchema,
  versionDetailSchema,
  versionSchema,
} from './views.ts';

const id = z.object({ id: z.string().min(1).max(200) });
const noBody = z.union([z.undefined(), z.null(), z.object({}).strict()]);
const name = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/,
    'lower-case letters, digits, ".", "_" and "-", starting and ending with a letter or digit',
  );
const chartName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a chart name');
const pattern = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9*][A-Za-z0-9._*-]*$/, 'a chart name, `*` matching any characters');
const registryFields = {
  name,
  url: z.string().min(1).max(2048).describe('https:// or http:// (a Helm repository) or oci://host/path'),
  credential_name: z
    .string()
    .min(1)
    .max(128)
    .nullable()
    .optional()
    .describe('a credential of POST /credentials (token or basic)'),
  excluded_charts: z.array(pattern).max(500).optional().describe('charts never indexed (`*` patterns)'),
  charts: z
    .array(chartName)
    .max(500)
    .optional()
    .describe('OCI: the charts to index when the registry does not list its repositories'),
  interval_seconds: z
    .number()
    .int()
    .min(MIN_INTERVAL_SECONDS)
    .max(MAX_INTERVAL_SECONDS)
    .nullable()
    .optional()
    .describe(
      `index every N seconds (${MIN_INTERVAL_SECONDS} to ${MAX_INTERVAL_SECONDS}); null: only on request; default 3600`,
    ),
};
const chartParams = z.object({ registry: z.string().min(1).max(200), chart: z.string().min(1).max(253) });
const versionParams = chartParams.extend({ version: z.string().min(1).max(128) });

/** Chart registries (admins manage them, viewers read) and the catalogue their index builds. */
export function registerCatalogueRoutes(
  app: FastifyInstance,
  o: { registries: RegistriesService; charts: ChartsService },
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/registries',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Chart registries: URL, credential name, interval, last index and its error, counts',
        querystring: listQuerySchema(REGISTRY_SORT_FIELDS, 'name'),
        response: { 200: pageSchema(registrySchema) },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.registries.list(userOf(req), pageRequest<RegistrySortField>(req.query)),
  );

  r.get(
    '/api/v1/registries/:id',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'One chart registry (by id or name)',
        params: id,
        response: { 200: registrySchema },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.registries.get(userOf(req), req.params.id),
  );

  r.post(
    '/api/v1/registries',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Add a Helm repository or OCI registry; it is indexed at once, then every interval',
        body: z.strictObject(registryFields),
        response: { 201: registrySchema, 409: errorBodySchema },
      },
      config: { access: { role: 'admin' } },
    },
    async (req, reply) => reply.code(201).send(await o.registries.create(userOf(req), req.body)),
  );

  r.patch(
    '/api/v1/registries/:id',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Change a registry; a new URL, credential or chart list is indexed again in full',
        params: id,
        body: z.strictObject({
          name: name.optional(),
          url: registryFields.url.optional(),
          credential_name: registryFields.credential_name,
          excluded_charts: registryFields.excluded_charts,
          charts: registryFields.charts,
          interval_seconds: registryFields.interval_seconds,
        }),
        response: { 200: registrySchema, 409: errorBodySchema },
      },
      config: { access: { role: 'admin' } },
    },
    async (req) => o.registries.update(userOf(req), req.params.id, req.body),
  );

  r.delete(
    '/api/v1/registries/:id',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Remove a registry and everything indexed from it',
        params: id,
        response: { 204: z.undefined().describe('done') },
      },
      config: { access: { role: 'admin' } },
    },
    async (req, reply) => {
      await o.registries.remove(userOf(req), req.params.id);
      return reply.code(204).send();
    },
  );

  r.post(
    '/api/v1/registries/:id/index',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Index now: starts a job (or answers the one running)',
        params: id,
        body: noBody,
        response: { 202: jobSchema },
      },
      config: { access: { role: 'admin' } },
    },
    async (req, reply) => reply.code(202).send(await o.registries.indexNow(userOf(req), req.params.id)),
  );

  r.get(
    '/api/v1/registries/:id/jobs',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Index jobs of a registry, newest first, with the result of each version fetched',
        params: id,
        querystring: listQuerySchema(JOB_SORT_FIELDS, '-started_at', 10),
        response: { 200: pageSchema(jobSchema) },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.registries.jobs(userOf(req), req.params.id, pageRequest<JobSortField>(req.query)),
  );

  r.get(
    '/api/v1/charts',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Search charts across registries (name or description)',
        querystring: listQuerySchema(CHART_SORT_FIELDS, 'name').extend({
          q: z.string().max(200).optional().describe('words in the name or description'),
          registry: z.string().max(200).optional().describe('one registry’s name'),
          deprecated: z
            .enum(['true', 'false'])
            .optional()
            .describe('only deprecated charts, or none of them'),
        }),
        response: { 200: pageSchema(chartSchema) },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) =>
      o.charts.search(
        userOf(req),
        {
          ...(req.query.q ? { q: req.query.q } : {}),
          ...(req.query.registry ? { registry: req.query.registry } : {}),
          ...(req.query.deprecated ? { deprecated: req.query.deprecated === 'true' } : {}),
        },
        pageRequest<ChartSortField>(req.query),
      ),
  );

  r.get(
    '/api/v1/charts/:registry/:chart/versions',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'A chart and its versions, newest first',
        params: chartParams,
        querystring: z.object({
          page: z.coerce.number().int().min(1).default(1),
          page_size: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: pageSchema(versionSchema).extend({ chart: chartSchema }) },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) =>
      o.charts.versions(userOf(req), req.params.registry, req.params.chart, {
        page: req.query.page,
        pageSize: req.query.page_size,
      }),
  );

  r.get(
    '/api/v1/charts/:registry/:chart/versions/:version',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'One version: its default values (values.yaml), values.schema.json and README',
        params: versionParams,
        response: { 200: versionDetailSchema },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.charts.version(userOf(req), req.params.registry, req.params.chart, req.params.version),
  );

  r.post(
    '/api/v1/charts/:registry/:chart/versions/:version/template',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Render the version with the given values (`helm template`); nothing touches a cluster',
        params: versionParams,
        body: z.union([
          z.undefined(),
          z.null(),
          z.strictObject({
            values: z
              .union([z.string().max(1024 * 1024), z.record(z.string(), z.unknown())])
              .optional()
              .describe('YAML text or an object'),
            release_name: name.optional(),
            namespace: name.optional(),
            include_crds: z.boolean().optional(),
          }),
        ]),
        response: { 200: templateSchema, 400: errorBodySchema, 502: errorBodySchema },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) =>
      o.charts.template(
        userOf(req),
        req.params.registry,
        req.params.chart,
        req.params.version,
        req.body ?? {},
      ),
  );
}
