import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiBaseOf, openPullRequest, supportsPullRequests } from '../src/drafts/pullRequests.ts';
import { recipientsFor } from '../src/drafts/service.ts';
import type { RepositoryLocation } from '../src/gitops/location.ts';

// The pull request call against servers of the providers' documented shapes (GitHub REST
// "Create a pull request", Bitbucket Cloud 2.0 "Create a pull request", Bitbucket Data Center
// 1.0 "Create pull request"): the path, the authorization, the body, and the answer read back.

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}
let server: Server;
let base: string;
const seen: Seen[] = [];
let answer: { status: number; body: unknown } = { status: 201, body: {} };

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(text),
      });
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const token = (t: string, username?: string) =>
  ({ kind: 'git', auth: { kind: 'token', token: t, ...(username ? { username } : {}) } }) as const;

describe('opening a pull request', () => {
  it('GitHub: POST /repos/{owner}/{repo}/pulls with a bearer token; number and html_url read back', async () => {
    const location: RepositoryLocation = {
      provider: 'github',
      url: 'https://github.com/acme/fleet.git',
      fullName: 'acme/fleet',
      branch: 'main',
    };
    answer = { status: 201, body: { number: 42, html_url: 'https://github.com/acme/fleet/pull/42' } };
    const pr = await openPullRequest({
      location,
      credential: token('ghp_secret'),
      head: 'mooring/add-web',
      base: 'main',
      title: 'Add the web stack',
      body: 'added: clusters/a/values/web.yaml',
      apiBase: base,
    });
    expect(pr).toEqual({ number: 42, url: 'https://github.com/acme/fleet/pull/42' });
    const req = seen.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/repos/acme/fleet/pulls');
    expect(req.headers.authorization).toBe('Bearer ghp_secret');
    expect(req.headers.accept).toBe('application/vnd.github+json');
    expect(req.headers['x-github-api-version']).toBe('2022-11-28');
    expect(req.body).toEqual({
      title: 'Add the web stack',
      head: 'mooring/add-web',
      base: 'main',
      body: 'added: clusters/a/values/web.yaml',
    });
    expect(apiBaseOf(location)).toBe('https://api.github.com');
    expect(apiBaseOf({ ...location, url: 'https://ghe.acme.example/acme/fleet.git' })).toBe(
      'https://ghe.acme.example/api/v3',
    );
  });

  it('GitHub refusing (422 "A pull request already exists") is an error with its message', async () => {
    answer = {
      status: 422,
      body: { message: 'Validation Failed', errors: [{ message: 'A pull request already exists' }] },
    };
    await expect(
      openPullRequest({
        location: { provider: 'github', url: 'https://github.com/a/b.git', fullName: 'a/b', branch: 'main' },
        credential: token('t'),
        head: 'x',
        base: 'main',
        title: 't',
        body: '',
        apiBase: base,
      }),
    ).rejects.toThrow(/HTTP 422 .*Validation Failed/);
  });

  it('Bitbucket Cloud: POST /repositories/{workspace}/{slug}/pullrequests with source and destination branches', async () => {
    answer = {
      status: 201,
      body: { id: 7, links: { html: { href: 'https://bitbucket.org/acme/fleet/pull-requests/7' } } },
    };
    const pr = await openPullRequest({
      location: {
        provider: 'bitbucket_cloud',
        url: 'https://bitbucket.org/acme/fleet.git',
        fullName: 'acme/fleet',
        branch: 'main',
        workspace: 'acme',
        repoSlug: 'fleet',
      },
      credential: token('app-password', 'alice'),
      head: 'mooring/x',
      base: 'main',
      title: 'T',
      body: 'B',
      apiBase: base,
    });
    expect(pr).toEqual({ number: 7, url: 'https://bitbucket.org/acme/fleet/pull-requests/7' });
    const req = seen.at(-1)!;
    expect(req.url).toBe('/repositories/acme/fleet/pullrequests');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('alice:app-password').toString('base64')}`);
    expect(req.body).toEqual({
      title: 'T',
      description: 'B',
      source: { branch: { name: 'mooring/x' } },
      destination: { branch: { name: 'main' } },
    });
  });

  it('Bitbucket Data Center: POST /projects/{key}/repos/{slug}/pull-requests with fromRef and toRef', async () => {
    answer = {
      status: 201,
      body: {
        id: 3,
        links: { self: [{ href: 'https://bb.acme.example/projects/OPS/repos/fleet/pull-requests/3' }] },
      },
    };
    const location: RepositoryLocation = {
      provider: 'bitbucket_data_center',
      url: 'https://bb.acme.example/scm/ops/fleet.git',
      fullName: 'OPS/fleet',
      branch: 'main',
    };
    const pr = await openPullRequest({
      location,
      credential: token('http-access-token'),
      head: 'mooring/x',
      base: 'main',
      title: 'T',
      body: 'B',
      apiBase: base,
    });
    expect(pr.number).toBe(3);
    const req = seen.at(-1)!;
    expect(req.url).toBe('/projects/OPS/repos/fleet/pull-requests');
    expect(req.headers.authorization).toBe('Bearer http-access-token');
    expect(req.body).toEqual({
      title: 'T',
      description: 'B',
      fromRef: { id: 'refs/heads/mooring/x' },
      toRef: { id: 'refs/heads/main' },
    });
    expect(apiBaseOf(location)).toBe('https://bb.acme.example/rest/api/1.0');
  });

  it('a plain Git server has no pull requests', () => {
    expect(supportsPullRequests('git')).toBe(false);
    expect(supportsPullRequests('github')).toBe(true);
  });
});

describe('the age recipients of .sops.yaml', () => {
  const files: Record<string, string> = {
    '.sops.yaml':
      'creation_rules:\n  - path_regex: secrets/.*\n    age: age1aaa\n  - age: "age1bbb, age1ccc"\n',
    'clusters/x/.sops.yaml': 'creation_rules:\n  - path_regex: values/.*\\.yaml$\n    age: [age1ddd]\n',
  };
  const read = async (p: string) => files[p];
  it('the nearest file, the first rule whose path_regex matches', async () => {
    expect(await recipientsFor('secrets/a.yaml', read)).toEqual(['age1aaa']);
    expect(await recipientsFor('values/a.yaml', read)).toEqual(['age1bbb', 'age1ccc']);
    expect(await recipientsFor('clusters/x/values/a.yaml', read)).toEqual(['age1ddd']);
    expect(await recipientsFor('clusters/x/other.yaml', read)).toEqual([]);
  });
});
