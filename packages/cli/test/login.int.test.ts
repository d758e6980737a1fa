import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeTokenFile, writeKubeToken } from '../src/api/kubeTokenCache.ts';
import { mooring, startTestPlatform, type TestPlatform } from './support/platform.ts';

let p: TestPlatform;
const dirs: string[] = [];
const home = () => {
  const d = mkdtempSync(join(tmpdir(), 'mooring-cli-home-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(async () => {
  await p?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('mooring login / logout against a real platform', () => {
  it('--password-stdin stores the session (0600, with the URL) and never prints the token', async () => {
    const cwd = home();
    const r = await mooring(['login', p.url, '--username', p.username, '--password-stdin'], {
      cwd,
      stdin: `${p.password}\n`,
    });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`logged in to ${p.url} as admin (owner)`);
    const file = join(cwd, '.config', 'mooring', 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(cwd, '.config', 'mooring')).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    expect(stored.url).toBe(p.url);
    expect(stored.token).toMatch(/.{20,}/);
    expect(r.out + r.err).not.toContain(stored.token);
    expect(p.logs()).not.toContain(stored.token);
    expect(p.logs()).not.toContain(p.password);

    // the stored session works; -o json parses and holds no token
    const list = await mooring(['cluster', 'list', '-o', 'json'], { cwd });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.out)).toEqual([]);

    // a kubectl token kept by kube-token goes with the session
    const kept = kubeTokenFile({ HOME: cwd }, { url: p.url, identity: 'i', cluster: 'c' });
    writeKubeToken(kept, {
      token: 'mooring_pat_kept',
      expires_at: new Date(Date.now() + 600_000).toISOString(),
    });
    const out = await mooring(['logout'], { cwd });
    expect(out.code).toBe(0);
    expect(out.out).toBe(`logged out of ${p.url}\n`);
    expect(existsSync(kept)).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ url: p.url, username: 'admin' });
    // the session ended on the platform too
    const res = await fetch(`${p.url}/api/v1/me`, { headers: { authorization: `Bearer ${stored.token}` } });
    expect(res.status).toBe(401);
    const after = await mooring(['cluster', 'list'], { cwd });
    expect(after.code).toBe(3);
    expect(after.err).toContain(`not logged in to ${p.url}: run "mooring login ${p.url}"`);
  });

  it('asks on a terminal, and -o json shows the user without the token', async () => {
    const cwd = home();
    const r = await mooring(['login', p.url, '-o', 'json'], { cwd, answers: [p.username, p.password] });
    expect(r.code).toBe(0);
    expect(r.err).toBe('Username: Password: ');
    const shown = JSON.parse(r.out);
    expect(shown.user.username).toBe('admin');
    expect(shown.url).toBe(p.url);
    expect(r.out).not.toContain(JSON.parse(readFileSync(shown.config, 'utf8')).token);
  });

  it('a wrong password is 3; no terminal and no --password-stdin is usage (2); a bad URL is 2', async () => {
    const cwd = home();
    const bad = await mooring(['login', p.url, '--username', 'admin', '--password-stdin'], {
      cwd,
      stdin: 'not-the-password',
    });
    expect(bad.code).toBe(3);
    expect(bad.err).toBe('mooring login: wrong user name or password\n');
    const noTty = await mooring(['login', p.url], { cwd });
    expect(noTty.code).toBe(2);
    expect(noTty.err).toContain('give --username and --password-stdin');
    expect((await mooring(['login', 'not a url', '--username', 'a', '--password-stdin'], { cwd })).code).toBe(
      2,
    );
    const json = await mooring(['login', p.url, '--username', 'admin', '--password-stdin', '-o', 'json'], {
      cwd,
      stdin: 'wrong',
    });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.out).error).toMatchObject({ status: 401, code: 'unauthenticated' });
  });

  it('MOORING_URL/MOORING_TOKEN override the file, --url/--token override both; the stored token stays with its URL', async () => {
    const cwd = home();
    await mooring(['login', p.url, '--username', p.username, '--password-stdin'], { cwd, stdin: p.password });
    const token = JSON.parse(readFileSync(join(cwd, '.config', 'mooring', 'config.json'), 'utf8')).token;
    // a wrong token in the environment beats the stored session
    const env = await mooring(['cluster', 'list'], { cwd, env: { MOORING_TOKEN: 'wrong' } });
    expect(env.code).toBe(3);
    // the flag beats the environment
    const flag = await mooring(['cluster', 'list', '--token', token], {
      cwd,
      env: { MOORING_TOKEN: 'wrong' },
    });
    expect(flag.code).toBe(0);
    // another URL does not get the stored token
    const other = await mooring(['cluster', 'list', '--url', 'http://127.0.0.1:1'], { cwd });
    expect(other.code).toBe(3);
    expect(other.err).toContain('not logged in to http://127.0.0.1:1');
    // an unreachable platform is 7
    const down = await mooring(['cluster', 'list'], {
      cwd,
      env: { MOORING_URL: 'http://127.0.0.1:1', MOORING_TOKEN: 'x' },
    });
    expect(down.code).toBe(7);
    expect(down.err).toContain('the platform at http://127.0.0.1:1 cannot be reached');
    const none = await mooring(['cluster', 'list'], { cwd: home() });
    expect(none.code).toBe(3);
    expect(none.err).toContain('not logged in: run "mooring login URL"');
  });
});
