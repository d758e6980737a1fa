import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../errors.ts';
import { toErrorResponse } from './errorMapping.ts';

/** Sends every error through `toErrorResponse`; unknown routes are 404 in the same shape. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (error, request, reply) => {
    const r = toErrorResponse(error);
    if (r.unexpected) request.log.error({ err: error }, 'request failed');
    else if (r.status === 503)
      request.log.warn({ err: { message: (error as Error).message } }, r.body.error.message);
    else request.log.debug({ status: r.status, code: r.body.error.code }, r.body.error.message);
    return reply.code(r.status).headers(r.headers).send(r.body);
  });
  app.setNotFoundHandler(async (request, reply) => {
    const r = toErrorResponse(new NotFoundError('route', `${request.method} ${request.url.split('?')[0]}`));
    return reply.code(r.status).send(r.body);
  });
}
