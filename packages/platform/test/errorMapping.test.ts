import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  DatabaseUnavailableError,
  ForbiddenError,
  InvalidDefinitionError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  ValidationError,
} from '../src/errors.ts';
import { toErrorResponse } from '../src/http/errorMapping.ts';

describe('the one error mapping', () => {
  it.each([
    [new ValidationError('bad', [{ path: 'body.name', message: 'required' }]), 400, 'invalid_request'],
    [new UnauthenticatedError(), 401, 'unauthenticated'],
    [new ForbiddenError('no'), 403, 'forbidden'],
    [new NotFoundError('cluster', 'x'), 404, 'not_found'],
    [new ConflictError('taken'), 409, 'conflict'],
    [new InvalidDefinitionError([]), 422, 'invalid_definition'],
    [new RateLimitedError(7), 429, 'rate_limited'],
    [new DatabaseUnavailableError(), 503, 'database_unavailable'],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 503, 'database_unavailable'],
    [Object.assign(new Error('duplicate key value'), { code: '23505' }), 409, 'conflict'],
    [new Error('secret detail'), 500, 'internal'],
  ])('%s → %i', (error, status, code) => {
    const r = toErrorResponse(error);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
  });

  it('400 carries field paths; 429 and 503 carry Retry-After; 500 says nothing more', () => {
    expect(
      toErrorResponse(new ValidationError('bad', [{ path: 'body.name', message: 'required' }])).body.error
        .fields,
    ).toEqual([{ path: 'body.name', message: 'required' }]);
    expect(toErrorResponse(new RateLimitedError(7)).headers['retry-after']).toBe('7');
    expect(toErrorResponse(new DatabaseUnavailableError()).headers['retry-after']).toBeDefined();
    const internal = toErrorResponse(new Error('password=hunter2'));
    expect(JSON.stringify(internal.body)).not.toContain('hunter2');
    expect(internal.unexpected).toBe(true);
  });

  it('maps schema validation of the query to query.<field>', () => {
    const err = Object.assign(new Error('x'), {
      statusCode: 400,
      validation: [{ instancePath: '/page_size', message: 'Too big' }],
      validationContext: 'querystring',
    });
    expect(toErrorResponse(err).body.error.fields).toEqual([{ path: 'query.page_size', message: 'Too big' }]);
  });

  it('422 carries every diagnostic', () => {
    const d = {
      severity: 'error' as const,
      file: 'a.yaml',
      line: 3,
      column: 5,
      path: 'spec',
      code: 'missing-field',
      message: 'm',
      hint: 'h',
    };
    expect(toErrorResponse(new InvalidDefinitionError([d, d])).body.error.diagnostics).toEqual([d, d]);
  });
});
