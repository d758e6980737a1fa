import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthenticatedError } from '../errors.ts';
import { errorBodySchema } from '../http/errorBody.ts';
import type { AgentPrincipal, Authenticator, Principal, RouteAccess, UserPrincipal } from './principal.ts';
import { roleAtLeast } from './roles.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route (required for every route under `/api/v1`). */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

/** The API prefix every guarded route lives under. */
export const API_PREFIX = '/api/v1';

/** A route as the guard saw it registered. */
export interface RegisteredRoute {
  method: string;
  url: string;
  access: RouteAccess | undefined;
  /** The route's body schema (zod), when it takes a body. */
  body: unknown;
}

/** Thrown at start-up for a route under `/api/v1` without a declared access. */
export class UndeclaredAccessError extends Error {
  override readonly name = 'UndeclaredAccessError';
}

/** The decision for one request (pure): undefined when allowed, else the error to send. */
export function accessDecision(
  access: RouteAccess,
  principal: Principal | undefined,
): UnauthenticatedError | ForbiddenError | undefined {
  if ('public' in access) return undefined;
  if ('agent' in access) {
    return principal?.kind === 'agent' ? undefined : new UnauthenticatedError('an agent token is required');
  }
  if (principal?.kind !== 'user') return new UnauthenticatedError();
  if (!roleAtLeast(principal.role, access.role)) {
    return new ForbiddenError(
      principal.role === principal.userRole
        ? `this needs the ${access.role} role (you have ${principal.role})`
        : `this needs the ${access.role} role; this token's scopes allow ${principal.role}`,
    );
  }
  return undefined;
}

function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

/**
 * The one route guard: every route under `/api/v1` declares `config.access`;
 * each request's bearer token is checked against it before the body is read.
 * Returns a reader of the routes it saw (for the route × role test).
 */
export function registerGuard(app: FastifyInstance, auth: Authenticator): () => RegisteredRoute[] {
  const routes: { method: string; url: string; config: { access?: RouteAccess }; body: unknown }[] = [];
  app.decorateRequest('principal', undefined);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(API_PREFIX) || route.method === 'HEAD') return;
    route.config ??= {};
    const config = route.config as { access?: RouteAccess };
    for (const method of [route.method].flat())
      routes.push({ method, url: route.url, config, body: route.schema?.body });
    const access = config.access;
    if (route.schema && !route.schema.hide) {
      const schema = route.schema as Record<string, unknown>;
      if (access && !('public' in access)) schema.security = [{ bearer: [] }];
      const response = (schema.response ?? {}) as Record<string, unknown>;
      for (const status of access && 'public' in access ? [400, 429, 503] : [400, 401, 403, 404, 503]) {
        response[status] ??= errorBodySchema;
      }
      schema.response = response;
    }
  });
  app.addHook('onReady', async () => {
    const missing = routes.filter((r) => !r.config.access).map((r) => `${r.method} ${r.url}`);
    if (missing.length > 0) {
      throw new UndeclaredAccessError(`routes without a declared access: ${missing.join(', ')}`);
    }
  });
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access || 'public' in access) return;
    const secret = bearer(request);
    if (secret) {
      request.principal = 'agent' in access ? await auth.agent(secret) : await auth.user(secret);
    }
    const refusal = accessDecision(access, request.principal);
    if (refusal) throw refusal;
  });
  return () => routes.map((r) => ({ method: r.method, url: r.url, access: r.config.access, body: r.body }));
}

/** The user behind a request on a role-guarded route. */
export function userOf(request: FastifyRequest): UserPrincipal {
  const p = request.principal;
  if (p?.kind !== 'user') throw new UnauthenticatedError();
  return p;
}

/** The agent behind a request on an agent route. */
export function agentOf(request: FastifyRequest): AgentPrincipal {
  const p = request.principal;
  if (p?.kind !== 'agent') throw new UnauthenticatedError('an agent token is required');
  return p;
}
