import { describe, expect, it } from 'vitest';
import { remainingPages } from '../src/api/client.ts';
import { ApiError, apiErrorFrom, describeError, networkError } from '../src/api/errors.ts';

describe('apiErrorFrom', () => {
  it('reads the platform’s error body: code, message, fields, diagnostics', () => {
    const e = apiErrorFrom(422, {
      error: {
        code: 'invalid_definition',
        message: 'the cluster definition is invalid (1 error)',
        diagnostics: [
          { severity: 'error', file: 'a.yaml', line: 3, column: 5, path: 'spec', code: 'x', message: 'bad' },
        ],
      },
    });
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(422);
    expect(e.code).toBe('invalid_definition');
    expect(e.message).toBe('the cluster definition is invalid (1 error)');
    expect(e.diagnostics).toHaveLength(1);
    expect(e.fields).toEqual([]);
  });

  it('keeps the fields of a 400', () => {
    const e = apiErrorFrom(400, {
      error: { code: 'invalid_request', message: 'no', fields: [{ path: 'body.name', message: 'required' }] },
    });
    expect(e.fields).toEqual([{ path: 'body.name', message: 'required' }]);
    expect(describeError(e).detail).toBe('body.name: required');
  });

  it.each([
    [401, 'unauthenticated'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [409, 'conflict'],
    [429, 'rate_limited'],
    [503, 'database_unavailable'],
    [502, 'internal'],
    [418, 'error'],
  ])('falls back to a code from the status %i when the body is not the platform’s', (status, code) => {
    const e = apiErrorFrom(status, '<html>proxy error</html>');
    expect(e.code).toBe(code);
    expect(e.message).toBe(`the platform answered ${status}`);
  });

  it('reads Retry-After in seconds, and ignores a date', () => {
    expect(apiErrorFrom(429, undefined, '17').retryAfterSeconds).toBe(17);
    expect(apiErrorFrom(429, undefined, 'Wed, 21 Oct 2015 07:28:00 GMT').retryAfterSeconds).toBeUndefined();
    expect(describeError(apiErrorFrom(429, undefined, '17')).detail).toBe('Try again in 17 s.');
  });

  it('ignores malformed parts of a body', () => {
    const e = apiErrorFrom(400, { error: { code: 5, message: null, fields: 'x', diagnostics: {} } });
    expect(e.code).toBe('invalid_request');
    expect(e.fields).toEqual([]);
    expect(e.diagnostics).toEqual([]);
  });
});

describe('describeError', () => {
  it('offers a retry for what may pass, not for what will not', () => {
    expect(describeError(networkError(new Error('ECONNREFUSED'))).retry).toBe(true);
    expect(describeError(apiErrorFrom(503, undefined)).retry).toBe(true);
    expect(describeError(apiErrorFrom(500, { error: { code: 'internal', message: 'x' } })).retry).toBe(true);
    expect(
      describeError(apiErrorFrom(403, { error: { code: 'forbidden', message: 'needs admin' } })),
    ).toEqual({
      title: 'Not allowed',
      detail: 'needs admin',
      retry: false,
    });
    expect(describeError(apiErrorFrom(401, undefined)).title).toBe('You are signed out');
  });

  it('describes an error that is not the API’s', () => {
    expect(describeError(new TypeError('boom'))).toEqual({
      title: 'Something went wrong',
      detail: 'boom',
      retry: true,
    });
  });

  it('names a network failure', () => {
    const e = networkError(new TypeError('Failed to fetch'));
    expect(e.status).toBe(0);
    expect(e.code).toBe('network');
    expect(e.message).toContain('Failed to fetch');
  });
});

describe('remainingPages', () => {
  it('asks for every page after the first at once, up to the limit', () => {
    expect(remainingPages(0, 20_000)).toEqual([]);
    expect(remainingPages(100, 20_000)).toEqual([]);
    expect(remainingPages(101, 20_000)).toEqual([2]);
    expect(remainingPages(1000, 20_000)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(remainingPages(50_000, 250)).toEqual([2, 3]);
  });
});
