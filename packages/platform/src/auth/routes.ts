import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RateLimitedError } from '../errors.ts';
import { listQuerySchema, pageRequest, pageSchema } from '../http/pagination.ts';
import { userOf } from './guard.ts';
import { TOKEN_SORT_FIELDS, type TokenSortField, USER_SORT_FIELDS, type UserSortField } from './queries.ts';
import { ROLES, SCOPES } from './roles.ts';
import type { AuthService } from './service.ts';
import type { UsersService } from './users.ts';
import { tokenSchema, userSchema } from './views.ts';

export interface AuthRoutesOptions {
  auth: AuthService;
  users: UsersService;
  loginRateLimit: { max: number; windowSeconds: number };
}

/** An answer without a body. */
const done = z.undefined().describe('done');
/** A route that takes no body: absent or `{}`. */
const noBody = z.union([z.undefined(), z.null(), z.object({}).strict()]);
const id = z.object({ id: z.string().min(1).max(200) });
const username = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits, ".", "_", "@" and "-" only');
const password = z.string().min(12, 'at least 12 characters').max(1024);

/** Login, logout, the caller, the organisation, users and API tokens. */
export function registerAuthRoutes(app: FastifyInstance, o: AuthRoutesOptions): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in with a user name and password; returns a bearer token',
        body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) }),
        response: {
          200: z
            .object({
              token: z.string().describe('send as `Authorization: Bearer <token>`'),
              expires_at: z.string(),
              user: userSchema,
            })
            .meta({ id: 'Session' }),
        },
      },
      config: {
        access: { public: true },
        rateLimit: {
          max: o.loginRateLimit.max,
          timeWindow: o.loginRateLimit.windowSeconds * 1000,
          hook: 'preHandler',
          keyGenerator: (req) => `${req.ip}\0${String((req.body as { username?: unknown }).username)}`,
          errorResponseBuilder: (_req, ctx) => new RateLimitedError(Math.max(1, Math.ceil(ctx.ttl / 1000))),
        },
      },
    },
    async (req) => o.auth.login(req.body.username, req.body.password),
  );

  r.post(
    '/api/v1/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'End the session (or revoke the token) this request carries',
        body: noBody,
        response: { 204: done },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req, reply) => {
      await o.auth.logout(userOf(req));
      return reply.code(204).send();
    },
  );

  r.get(
    '/api/v1/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The caller and the role this request acts with',
        response: {
          200: z.object({
            user: userSchema,
            role: z.enum(ROLES).describe('the user’s role capped by the token’s scopes'),
            scopes: z.array(z.enum(SCOPES)),
          }),
        },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => {
      const p = userOf(req);
      return { user: await o.users.me(p), role: p.role, scopes: p.scopes };
    },
  );

  r.get(
    '/api/v1/organization',
    {
      schema: {
        tags: ['auth'],
        summary: 'The caller’s organisation',
        response: { 200: z.object({ id: z.string(), name: z.string(), created_at: z.string() }) },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.users.organization(userOf(req)),
  );

  r.get(
    '/api/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'The organisation’s users',
        querystring: listQuerySchema(USER_SORT_FIELDS, 'username'),
        response: { 200: pageSchema(userSchema) },
      },
      config: { access: { role: 'admin' } },
    },
    async (req) => o.users.list(userOf(req), pageRequest<UserSortField>(req.query)),
  );

  r.post(
    '/api/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Add a user with a local password (only an owner gives the owner role)',
        body: z.object({
          username,
          password,
          role: z.enum(ROLES),
          display_name: z.string().max(200).optional(),
        }),
        response: { 201: userSchema },
      },
      config: { access: { role: 'admin' } },
    },
    async (req, reply) => reply.code(201).send(await o.users.create(userOf(req), req.body)),
  );

  r.get(
    '/api/v1/users/:id',
    {
      schema: { tags: ['users'], summary: 'One user', params: id, response: { 200: userSchema } },
      config: { access: { role: 'admin' } },
    },
    async (req) => o.users.get(userOf(req), req.params.id),
  );

  r.patch(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Change a user’s role, name or password (ends their sessions on a role or password change)',
        params: id,
        body: z
          .object({
            role: z.enum(ROLES).optional(),
            display_name: z.string().max(200).optional(),
            password: password.optional(),
          })
          .strict()
          .refine((b) => Object.keys(b).length > 0, 'give at least one of role, display_name, password'),
        response: { 200: userSchema },
      },
      config: { access: { role: 'admin' } },
    },
    async (req) => o.users.update(userOf(req), req.params.id, req.body),
  );

  r.delete(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Remove a user and their tokens',
        params: id,
        response: { 204: done },
      },
      config: { access: { role: 'admin' } },
    },
    async (req, reply) => {
      await o.users.remove(userOf(req), req.params.id);
      return reply.code(204).send();
    },
  );

  r.get(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'The caller’s API tokens (never their secrets)',
        querystring: listQuerySchema(TOKEN_SORT_FIELDS, '-created_at'),
        response: { 200: pageSchema(tokenSchema) },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.auth.listTokens(userOf(req), pageRequest<TokenSortField>(req.query)),
  );

  r.post(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Make an API token; its secret is in this answer only',
        body: z.object({
          name: z.string().min(1).max(200),
          scopes: z.array(z.enum(SCOPES)).min(1),
          expires_at: z.iso
            .datetime({ offset: true })
            .nullable()
            .optional()
            .describe('absent or null: never'),
        }),
        response: {
          201: z.object({
            token: tokenSchema,
            secret: z.string().describe('shown once: store it now'),
          }),
        },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req, reply) => reply.code(201).send(await o.auth.createToken(userOf(req), req.body)),
  );

  r.delete(
    '/api/v1/tokens/:id',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Revoke an API token (yours; an admin may revoke any in the organisation)',
        params: id,
        response: { 200: tokenSchema },
      },
      config: { access: { role: 'viewer' } },
    },
    async (req) => o.auth.revokeToken(userOf(req), req.params.id),
  );
}
