import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  baseUrl,
  NotFoundLocallyError,
  NotLoggedInError,
  UnreachableError,
} from '../src/api/client.ts';
import { errorDocument, errorLine, peekFormat } from '../src/api/command.ts';
import { configPath, readStoredLogin, resolveConnection, writeStoredLogin } from '../src/api/config.ts';
import { EXIT, exitCodeOf, exitCodeOfStatus } from '../src/exits.ts';
import type { Io } from '../src/io.ts';
import { UsageError } from '../src/io.ts';
import { main } from '../src/main.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'mooring-cli-client-'));
  dirs.push(d);
  return d;
};

describe('exit codes', () => {
  it.each([
    [200, EXIT.failed],
    [400, EXIT.conflict],
    [401, EXIT.unauthenticated],
    [403, EXIT.forbidden],
    [404, EXIT.notFound],
    [409, EXIT.conflict],
    [422, EXIT.conflict],
    [429, EXIT.failed],
    [500, EXIT.unavailable],
    [503, EXIT.unavailable],
  ])('HTTP %i → %i', (status, code) => {
    expect(exitCodeOfStatus(status)).toBe(code);
    expect(exitCodeOf(new ApiError(status, { code: 'x', message: 'm' }))).toBe(code);
  });

  it('errors without a status', () => {
    expect(exitCodeOf(new UsageError('u'))).toBe(2);
    expect(exitCodeOf(new NotLoggedInError('n'))).toBe(3);
    expect(exitCodeOf(new NotFoundLocallyError('n'))).toBe(5);
    expect(exitCodeOf(new UnreachableError('http://x', 'refused'))).toBe(7);
    expect(exitCodeOf(new Error('boom'))).toBe(1);
    expect(exitCodeOf('thrown string')).toBe(1);
  });

  it('a failure as one line of text, or as an error document', () => {
    const e = new ApiError(400, {
      code: 'invalid_request',
      message: 'invalid request',
      fields: [{ path: 'body.name', message: 'required' }],
    });
    expect(errorLine('mooring cluster get', e)).toBe(
      'mooring cluster get: invalid request (HTTP 400)\n  body.name: required\n',
    );
    expect(errorLine('mooring x', new ApiError(401, { code: 'unauthenticated', message: 'expired' }))).toBe(
      'mooring x: the platform refused the token (expired): run "mooring login" again\n',
    );
    expect(errorLine('mooring x', new ApiError(403, { code: 'forbidden', message: 'needs admin' }))).toBe(
      'mooring x: forbidden: needs admin\n',
    );
    expect(errorDocument(e)).toEqual({ error: { status: 400, ...e.body } });
    expect(errorDocument(new UnreachableError('http://x', 'refused'))).toEqual({
      error: { code: 'unreachable', message: 'the platform at http://x cannot be reached: refused' },
    });
  });

  it('-o is read before parsing, so a failure prints in the asked format', () => {
    expect(peekFormat(['get', '-o', 'json'])).toBe('json');
    expect(peekFormat(['--output=yaml'])).toBe('yaml');
    expect(peekFormat(['-ojson'])).toBe('json');
    expect(peekFormat(['-o', 'xml'])).toBe('text');
    expect(peekFormat([])).toBe('text');
  });

  it('--help lists the exit codes; platform commands without a subcommand are usage errors', async () => {
    let out = '';
    let err = '';
    const io: Io = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: '/', env: {} };
    expect(await main(['--help'], io)).toBe(0);
    expect(out).toContain('  3  not logged in, or the token was refused (401)\n');
    for (const c of ['login', 'logout', 'cluster', 'operations', 'addons']) expect(out).toContain(`  ${c} `);
    out = '';
    expect(await main(['cluster', '--help'], io)).toBe(0);
    expect(out).toMatch(/usage: mooring cluster <list\|[a-z|-]*get\|import\|delete\|token> \[options\]/);
    expect(out).toContain('  7  the platform cannot be reached, or failed (5xx)');
    expect(await main(['cluster'], io)).toBe(2);
    expect(err).toMatch(/mooring cluster: give one of list, [a-z, -]*get, import, delete, token/);
    expect(
      await main(['addons', 'list'], { ...io, env: { MOORING_URL: 'http://x', MOORING_TOKEN: 't' } }),
    ).toBe(2);
    expect(err).toContain('--cluster NAME|ID is required');
  });
});

describe('the platform and its token', () => {
  const stored = { url: 'https://a.example', token: 'stored' };

  it('a flag beats the environment, which beats the file', () => {
    expect(resolveConnection({}, {}, stored)).toEqual({
      url: 'https://a.example',
      token: 'stored',
      tokenSource: 'config',
    });
    expect(resolveConnection({}, { MOORING_TOKEN: 'env' }, stored)).toMatchObject({
      token: 'env',
      tokenSource: 'env',
    });
    expect(resolveConnection({ token: 'flag' }, { MOORING_TOKEN: 'env' }, stored)).toMatchObject({
      token: 'flag',
      tokenSource: 'flag',
    });
    expect(
      resolveConnection({ url: 'https://c.example' }, { MOORING_URL: 'https://b.example' }, {}).url,
    ).toBe('https://c.example');
    expect(resolveConnection({}, { MOORING_URL: 'https://b.example' }, stored).url).toBe('https://b.example');
  });

  it('the stored token goes only to the URL it came from', () => {
    expect(resolveConnection({}, { MOORING_URL: 'https://b.example' }, stored).token).toBeUndefined();
    expect(resolveConnection({ url: 'https://a.example/api/v1/' }, {}, stored).token).toBe('stored');
    expect(resolveConnection({}, {}, {})).toEqual({ url: undefined });
  });

  it('base URLs', () => {
    expect(baseUrl('http://127.0.0.1:8400/')).toBe('http://127.0.0.1:8400');
    expect(baseUrl('https://m.example/mooring/api/v1')).toBe('https://m.example/mooring');
    expect(() => baseUrl('m.example')).toThrow(TypeError);
    expect(() => baseUrl('ftp://m.example')).toThrow(TypeError);
  });

  it('the config file: XDG_CONFIG_HOME or ~/.config, written 0600, a missing file is empty', () => {
    expect(configPath({ HOME: '/home/u' })).toBe('/home/u/.config/mooring/config.json');
    expect(configPath({ HOME: '/home/u', XDG_CONFIG_HOME: '/x' })).toBe('/x/mooring/config.json');
    const file = join(temp(), 'mooring', 'config.json');
    expect(readStoredLogin(file)).toEqual({});
    writeStoredLogin(file, { url: 'https://a.example', token: 'secret' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readStoredLogin(file)).toEqual({ url: 'https://a.example', token: 'secret' });
    writeFileSync(file, 'not json');
    expect(() => readStoredLogin(file)).toThrow(/is not JSON/);
    expect(readFileSync(file, 'utf8')).toBe('not json');
  });
});
