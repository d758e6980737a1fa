import { describe, expect, it } from 'vitest';
import {
  classifyGitFailure,
  GitAuthError,
  GitNetworkError,
  GitRefNotFoundError,
  GitRepoNotFoundError,
  Redactor,
  redact,
} from '../src/index.ts';

describe('redact', () => {
  const cases: [string, string, string[], string][] = [
    ['URL credentials', 'fatal: https://user:tok3n@github.com/o/r', [], 'fatal: https://***@github.com/o/r'],
    ['Authorization header', 'Authorization: Basic eDp5eXl5eQ==', [], 'Authorization: Basic ***'],
    ['bearer token', 'sent Bearer abcdefghijkl', [], 'sent Bearer ***'],
    ['age secret key', 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQ', [], 'AGE-SECRET-KEY-***'],
    ['github token shape', 'token ghp_abcdefghijklmnopqrstuvwxyz', [], 'token ghp_***'],
    ['query token', 'GET /x?access_token=abc&x=1', [], 'GET /x?access_token=***&x=1'],
    [
      'listed secret and its base64',
      `a s3cr3t b ${Buffer.from('s3cr3t').toString('base64')}`,
      ['s3cr3t'],
      'a *** b ***',
    ],
    ['short secrets are ignored', 'abc', ['ab'], 'abc'],
  ];
  it.each(cases)('%s', (_n, text, secrets, want) => {
    expect(redact(text, secrets)).toBe(want);
  });

  it('removes the longest secret first', () => {
    expect(new Redactor(['abcd', 'abcdefgh']).redact('x abcdefgh y')).toBe('x *** y');
  });
});

describe('classifyGitFailure', () => {
  const f = (stderr: string) => ({ command: 'git fetch', exitCode: 128, stderr });
  it.each([
    ["fatal: could not read Username for 'https://github.com': terminal prompts disabled", GitAuthError],
    ['fatal: Authentication failed for https://x/', GitAuthError],
    ['git@github.com: Permission denied (publickey).', GitAuthError],
    ["fatal: couldn't find remote ref refs/heads/nope", GitRefNotFoundError],
    ["fatal: repository 'https://x/y.git/' not found", GitRepoNotFoundError],
    ['fatal: unable to access: Could not resolve host: nowhere.invalid', GitNetworkError],
  ] as const)('%s', (stderr, cls) => {
    expect(classifyGitFailure(f(stderr), 'main')).toBeInstanceOf(cls);
  });
});
