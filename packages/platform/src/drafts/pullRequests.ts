/**
 * Opening a pull request for a published branch, through the provider's documented REST API:
 * GitHub `POST /repos/{owner}/{repo}/pulls`, Bitbucket Cloud
 * `POST /2.0/repositories/{workspace}/{slug}/pullrequests`, Bitbucket Data Center
 * `POST /rest/api/1.0/projects/{key}/repos/{slug}/pull-requests`. A plain Git server has no
 * pull requests: the branch is pushed and nothing else happens.
 */
import type { ResolvedCredential } from '../gitops/credentials.ts';
import type { RepositoryLocation } from '../gitops/location.ts';

export interface PullRequest {
  number: number;
  url: string;
}

export interface PullRequestInput {
  location: RepositoryLocation;
  credential: ResolvedCredential | undefined;
  head: string;
  base: string;
  title: string;
  body: string;
  /** The provider's API root (default: derived from the repository URL). */
  apiBase?: string;
  fetch?: typeof fetch;
}

/** True when Mooring can open pull requests on this provider. */
export function supportsPullRequests(provider: string): boolean {
  return provider === 'github' || provider === 'bitbucket_cloud' || provider === 'bitbucket_data_center';
}

/** The API root of a repository's provider (pure). */
export function apiBaseOf(location: RepositoryLocation): string {
  const u = new URL(location.url);
  if (location.provider === 'github')
    return u.host === 'github.com' ? 'https://api.github.com' : `${u.protocol}//${u.host}/api/v3`;
  if (location.provider === 'bitbucket_cloud') return 'https://api.bitbucket.org/2.0';
  // Data Center: https://host[/context]/scm/key/slug.git → https://host[/context]/rest/api/1.0
  const ctx = u.pathname.replace(/\/scm\/.*$/, '');
  return `${u.protocol}//${u.host}${ctx}/rest/api/1.0`;
}

function authorization(c: ResolvedCredential | undefined, provider: string): string | undefined {
  if (c?.kind !== 'git' || c.auth.kind !== 'token') return undefined;
  const { token, username } = c.auth;
  // Bitbucket app passwords (a user name and a password) are HTTP Basic; access tokens are Bearer
  if (provider !== 'github' && username && username !== 'x-token-auth' && username !== 'x-access-token')
    return `Basic ${Buffer.from(`${username}:${token}`).toString('base64')}`;
  return `Bearer ${token}`;
}

/** Opens the pull request; throws with the provider's status and message when it refuses. */
export async function openPullRequest(i: PullRequestInput): Promise<PullRequest> {
  const f = i.fetch ?? fetch;
  const base = (i.apiBase ?? apiBaseOf(i.location)).replace(/\/+$/, '');
  const auth = authorization(i.credential, i.location.provider);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    ...(auth ? { authorization: auth } : {}),
  };
  const [owner, repo] = i.location.fullName.split('/') as [string, string];
  let url: string;
  let body: unknown;
  switch (i.location.provider) {
    case 'github':
      url = `${base}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/pulls`;
      headers.accept = 'application/vnd.github+json';
      headers['x-github-api-version'] = '2022-11-28';
      body = { title: i.title, head: i.head, base: i.base, body: i.body };
      break;
    case 'bitbucket_cloud':
      url = `${base}/repositories/${encodeURIComponent(i.location.workspace ?? owner)}/${encodeURIComponent(i.location.repoSlug ?? repo)}/pullrequests`;
      body = {
        title: i.title,
        description: i.body,
        source: { branch: { name: i.head } },
        destination: { branch: { name: i.base } },
      };
      break;
    case 'bitbucket_data_center':
      url = `${base}/projects/${encodeURIComponent(owner)}/repos/${encodeURIComponent(repo)}/pull-requests`;
      body = {
        title: i.title,
        description: i.body,
        fromRef: { id: `refs/heads/${i.head}` },
        toRef: { id: `refs/heads/${i.base}` },
      };
      break;
    default:
      throw new Error(`${i.location.provider} repositories have no pull requests`);
  }
  const res = await f(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  if (!res.ok) {
    const message =
      (json.message as string | undefined) ??
      ((json.error as { message?: string } | undefined)?.message ||
        (json.errors as { message?: string }[] | undefined)?.[0]?.message) ??
      text.slice(0, 200);
    throw new Error(`opening the pull request failed: HTTP ${res.status} from ${url}: ${message}`);
  }
  switch (i.location.provider) {
    case 'github':
      return { number: Number(json.number), url: String(json.html_url) };
    case 'bitbucket_cloud':
      return {
        number: Number(json.id),
        url: String((json.links as { html?: { href?: string } } | undefined)?.html?.href ?? ''),
      };
    default:
      return {
        number: Number(json.id),
        url: String((json.links as { self?: { href?: string }[] } | undefined)?.self?.[0]?.href ?? ''),
      };
  }
}
