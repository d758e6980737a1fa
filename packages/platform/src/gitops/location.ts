import type { GitProvider, GitRepository } from '@mooring/core';

/** Where a cluster's definition is fetched from, derived from its `git_repository` (pure). */
export interface RepositoryLocation {
  provider: GitProvider;
  /** The URL the git CLI fetches (never with credentials). */
  url: string;
  /** What webhooks call the repository: `owner/repo`, `workspace/slug`, `PROJECT/slug`, or the URL's path. */
  fullName: string;
  branch: string;
  credentialName?: string;
  /** Bitbucket Cloud through its API (a `bitbucket_oauth` credential): workspace and slug. */
  workspace?: string;
  repoSlug?: string;
}

export type LocateResult = { ok: true; location: RepositoryLocation } | { ok: false; reason: string };

export const DEFAULT_BRANCH = 'main';

const URL_RE = /^(https?|ssh|file):\/\//i;
const SCP_RE = /^[\w.-]+@[\w.-]+:(.+)$/;

const trimGit = (p: string) =>
  p
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');

/** The path part of a Git URL without `.git` (`http://h/acme/fleet.git` → `acme/fleet`). */
export function pathOfUrl(url: string): string {
  const scp = SCP_RE.exec(url);
  if (scp?.[1]) return trimGit(scp[1]);
  try {
    return trimGit(decodeURIComponent(new URL(url).pathname));
  } catch {
    return trimGit(url);
  }
}

function isUrl(s: string): boolean {
  return URL_RE.test(s) || SCP_RE.test(s);
}

function hasCredentials(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== '' || u.password !== '';
  } catch {
    return false;
  }
}

/** Derives the fetch URL and webhook name of a `git_repository` block; a reason when it cannot. */
export function locateRepository(git: GitRepository | undefined): LocateResult {
  if (!git) return { ok: false, reason: 'the definition has no spec.git_repository' };
  const branch = git.branch ?? DEFAULT_BRANCH;
  const cred = git.credentialName ? { credentialName: git.credentialName } : {};
  const repo = git.repository?.trim();
  if (repo && isUrl(repo) && hasCredentials(repo))
    return { ok: false, reason: 'git_repository.repository must not hold credentials: use credential_name' };
  switch (git.provider) {
    case 'git': {
      if (!repo) return { ok: false, reason: 'git_repository.repository is required for the git provider' };
      if (!isUrl(repo))
        return {
          ok: false,
          reason: `git_repository.repository must be a Git URL (https://, ssh://, git@host:path or file://), got ${JSON.stringify(repo)}`,
        };
      return {
        ok: true,
        location: { provider: 'git', url: repo, fullName: pathOfUrl(repo), branch, ...cred },
      };
    }
    case 'github': {
      if (!repo)
        return { ok: false, reason: 'git_repository.repository (owner/repo) is required for github' };
      const base = (git.instanceUrl ?? 'https://github.com').replace(/\/+$/, '');
      const fullName = isUrl(repo) ? pathOfUrl(repo) : trimGit(repo);
      if (!/^[^/\s]+\/[^/\s]+$/.test(fullName))
        return {
          ok: false,
          reason: `git_repository.repository must be owner/repo, got ${JSON.stringify(repo)}`,
        };
      return {
        ok: true,
        location: { provider: 'github', url: `${base}/${fullName}.git`, fullName, branch, ...cred },
      };
    }
    case 'bitbucket_cloud': {
      const [ws, slug] = repo && !isUrl(repo) ? trimGit(repo).split('/') : [git.workspace, git.repoSlug];
      const workspace = git.workspace ?? ws;
      const repoSlug = git.repoSlug ?? slug;
      if (!workspace || !repoSlug)
        return { ok: false, reason: 'git_repository needs workspace and repo_slug for bitbucket_cloud' };
      return {
        ok: true,
        location: {
          provider: 'bitbucket_cloud',
          url: `https://bitbucket.org/${workspace}/${repoSlug}.git`,
          fullName: `${workspace}/${repoSlug}`,
          branch,
          workspace,
          repoSlug,
          ...cred,
        },
      };
    }
    case 'bitbucket_data_center': {
      const instance = git.instanceUrl?.replace(/\/+$/, '');
      if (!instance || !git.projectKey || !git.repoSlug)
        return {
          ok: false,
          reason: 'git_repository needs instance_url, project_key and repo_slug for bitbucket_data_center',
        };
      return {
        ok: true,
        location: {
          provider: 'bitbucket_data_center',
          url: `${instance}/scm/${git.projectKey.toLowerCase()}/${git.repoSlug}.git`,
          fullName: `${git.projectKey}/${git.repoSlug}`,
          branch,
          ...cred,
        },
      };
    }
  }
}

/** The provider's web page of a commit; undefined for a plain Git server it cannot know (pure). */
export function commitUrl(provider: string, url: string, sha: string): string | undefined {
  let u: URL;
  try {
    const scp = SCP_RE.exec(url);
    u = new URL(scp ? `https://${url.slice(url.indexOf('@') + 1, url.indexOf(':'))}/${scp[1]}` : url);
  } catch {
    return undefined;
  }
  if (u.protocol === 'file:') return undefined;
  const path = pathOfUrl(url);
  // the web pages are served like the repository: http only where the repository is (a local server)
  const host = `${u.protocol === 'http:' ? 'http:' : 'https:'}//${u.host}`;
  if (provider === 'github' || u.host === 'github.com') return `${host}/${path}/commit/${sha}`;
  if (provider === 'bitbucket_cloud' || u.host === 'bitbucket.org') return `${host}/${path}/commits/${sha}`;
  if (provider === 'bitbucket_data_center') {
    const m = /^(.*?)\/?scm\/([^/]+)\/([^/]+)$/.exec(path);
    if (!m) return undefined;
    const ctx = m[1] ? `/${m[1]}` : '';
    return `${u.protocol}//${u.host}${ctx}/projects/${m[2]!.toUpperCase()}/repos/${m[3]}/commits/${sha}`;
  }
  return undefined;
}

/** Where a provider's API serves a repository (pure): what the readers of `@mooring/gitops` need. */
export type ProviderApi =
  | { provider: 'github'; apiUrl: string; repository: string }
  | { provider: 'bitbucket_cloud'; workspace: string; repoSlug: string }
  | { provider: 'bitbucket_data_center'; instanceUrl: string; projectKey: string; repoSlug: string };

/**
 * The API a repository is read through, from its location (the fetch URL and webhook name that
 * `locateRepository` derived); undefined for `git`, which the git CLI fetches. GitHub.com is
 * `https://api.github.com`; any other `instance_url` is GitHub Enterprise Server (`/api/v3`).
 */
export function providerApiOf(
  l: Pick<RepositoryLocation, 'provider' | 'url' | 'fullName'>,
): ProviderApi | undefined {
  const [owner, slug] = l.fullName.split('/');
  switch (l.provider) {
    case 'git':
      return undefined;
    case 'github': {
      const suffix = `/${l.fullName}.git`;
      const base = l.url.endsWith(suffix) ? l.url.slice(0, -suffix.length) : 'https://github.com';
      const apiUrl = /^https:\/\/(www\.)?github\.com$/i.test(base)
        ? 'https://api.github.com'
        : `${base}/api/v3`;
      return { provider: 'github', apiUrl, repository: l.fullName };
    }
    case 'bitbucket_cloud':
      return { provider: 'bitbucket_cloud', workspace: owner ?? '', repoSlug: slug ?? '' };
    case 'bitbucket_data_center': {
      const at = l.url.lastIndexOf('/scm/');
      return {
        provider: 'bitbucket_data_center',
        instanceUrl: at < 0 ? l.url : l.url.slice(0, at),
        projectKey: owner ?? '',
        repoSlug: slug ?? '',
      };
    }
  }
}

/** Which repositories a webhook route may trigger: its provider's, and plain `git` ones. */
export const WEBHOOK_PROVIDERS: Record<string, GitProvider> = {
  github: 'github',
  'bitbucket-cloud': 'bitbucket_cloud',
  'bitbucket-dc': 'bitbucket_data_center',
};
