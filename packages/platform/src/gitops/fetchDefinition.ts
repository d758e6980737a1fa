import { createHash } from 'node:crypto';
import {
  type ClusterDefinition,
  type Diagnostic,
  type FileSource,
  loadDefinition,
  normalizeRepoPath,
} from '@mooring/core';
import {
  allFiles,
  BitbucketCloudReader,
  BitbucketDcReader,
  type FetchFn,
  type GitAuth,
  type GitCache,
  GitHubReader,
  LocalFileSource,
  RepoFileNotFoundError,
  type RepoReader,
} from '@mooring/gitops';
import type { ResolvedCredential } from './credentials.ts';
import { type ProviderApi, providerApiOf, type RepositoryLocation } from './location.ts';

/** One commit's definition as a sync reads it. */
export interface FetchedDefinition {
  commit: string;
  /** The definition when it loaded (it may still carry error diagnostics). */
  definition?: ClusterDefinition;
  diagnostics: Diagnostic[];
  /** Every file the definition read, by repository path (the agent's `apply` payload). */
  files: Record<string, string>;
}

/** Where the provider APIs live when not at their public addresses (Bitbucket Cloud has no instance URL). */
export interface ProviderEndpoints {
  /** Bitbucket Cloud's API root (default `https://api.bitbucket.org`). */
  bitbucketCloudApiUrl?: string;
  /** Bitbucket Cloud's OAuth token endpoint (default `https://bitbucket.org/site/oauth2/access_token`). */
  bitbucketCloudTokenUrl?: string;
  /** The HTTP client the readers use (default `fetch`). */
  fetch?: FetchFn;
}

/** Thrown when a credential cannot authenticate to a provider's API (an SSH key, an OAuth consumer elsewhere). */
export class CredentialKindError extends Error {
  override readonly name = 'CredentialKindError';
  readonly code = 'credential-kind';
}

const MAX_CACHED_BYTES = 32 * 1024 * 1024;
const MAX_CACHED_LISTINGS = 64;
const MAX_READERS = 256;
const MAX_LOAD_ROUNDS = 64;

/**
 * Reads a branch's head or a commit and loads the cluster file with core's loader.
 *
 * `git` repositories are fetched with the git CLI cache. `github`, `bitbucket_cloud` and
 * `bitbucket_data_center` are read through their APIs (the readers of `@mooring/gitops`):
 * the commit's file list once (GitHub's recursive tree, Data Center's `files`, a walk on
 * Bitbucket Cloud), then only the files the definition reads, found by loading it again
 * until it asks for nothing new. Files are cached by commit (a commit never changes), so
 * the clusters one repository feeds read each file once.
 */
export class DefinitionFetcher {
  readonly #cache: GitCache;
  readonly #endpoints: ProviderEndpoints;
  readonly #active = new Map<string, number>();
  readonly #trees = new Map<string, Set<string>>();
  readonly #removals = new Map<string, Promise<void>>();
  readonly #readers = new Map<string, RepoReader>();
  readonly #inflight = new Map<string, { startedAt: number; promise: Promise<unknown> }>();
  readonly #listings = new Map<string, Promise<Set<string>>>();
  readonly #contents = new Map<string, Promise<string>>();
  readonly #sizes = new Map<string, number>();
  #cachedBytes = 0;

  constructor(cache: GitCache, endpoints: ProviderEndpoints = {}) {
    this.#cache = cache;
    this.#endpoints = endpoints;
  }

  /** The commit the branch points to now (fetches only that ref, or asks the provider's API). */
  async head(location: RepositoryLocation, credential: ResolvedCredential | undefined): Promise<string> {
    const api = providerApiOf(location);
    if (api) return this.#reader(api, credential).resolveRef(location.branch);
    if (credential?.kind === 'bitbucket_oauth') throw oauthOutsideCloud(location);
    const r = await this.#cache.fetch({ url: location.url, ref: location.branch, ...gitAuth(credential) });
    return r.sha;
  }

  /**
   * The branch head's commit and a reader of its files, for files the definition does not read
   * (`.sops.yaml`): a file that is not there reads as undefined.
   */
  async headReader(
    location: RepositoryLocation,
    credential: ResolvedCredential | undefined,
  ): Promise<{ commit: string; read: (path: string) => Promise<string | undefined> }> {
    const api = providerApiOf(location);
    if (!api && credential?.kind === 'bitbucket_oauth') throw oauthOutsideCloud(location);
    const reader = api
      ? this.#reader(api, credential)
      : this.#cache.reader(location.url, gitAuth(credential).auth);
    const commit = await reader.resolveRef(location.branch);
    return {
      commit,
      read: async (path) => {
        try {
          return await reader.readFile(path, commit);
        } catch (e) {
          if (e instanceof RepoFileNotFoundError) return undefined;
          throw e;
        }
      },
    };
  }

  /**
   * The definition at the branch head (or at `location.branch` when it names a tag or commit).
   * With `notBefore`, a fetch of the same branch that began at or after that time (another
   * cluster of the same push) is joined instead of fetching again.
   */
  async fetch(
    location: RepositoryLocation,
    credential: ResolvedCredential | undefined,
    path: string,
    o: { notBefore?: number } = {},
  ): Promise<FetchedDefinition> {
    const api = providerApiOf(location);
    if (api) return this.#fromApi(api, credential, location.branch, path, o.notBefore);
    if (credential?.kind === 'bitbucket_oauth') throw oauthOutsideCloud(location);
    // trees are shared by the clusters reading the same repository; the last reader removes them
    const url = location.url;
    // a removal of the last readers' trees ends before a new reader starts
    for (let r = this.#removals.get(url); r; r = this.#removals.get(url)) await r;
    this.#active.set(url, (this.#active.get(url) ?? 0) + 1);
    try {
      const { sha } = await this.#shared(
        `git|${url}|${location.branch}|${fingerprint(credential)}`,
        o.notBefore,
        () => this.#cache.fetch({ url, ref: location.branch, ...gitAuth(credential) }),
      );
      const dir = await this.#cache.materialise(url, sha);
      const used = this.#trees.get(url) ?? new Set<string>();
      this.#trees.set(url, used);
      used.add(sha);
      return load(sha, new LocalFileSource(dir), path);
    } finally {
      const left = (this.#active.get(url) ?? 1) - 1;
      if (left > 0) this.#active.set(url, left);
      else {
        this.#active.delete(url);
        const shas = this.#trees.get(url) ?? new Set<string>();
        this.#trees.delete(url);
        const removal = (async () => {
          for (const sha of shas) await this.#cache.removeTree(sha).catch(() => undefined);
        })();
        this.#removals.set(url, removal);
        await removal;
        if (this.#removals.get(url) === removal) this.#removals.delete(url);
      }
    }
  }

  /** One call for every caller that may share it: joined while in flight if it began at or after `notBefore`. */
  #shared<T>(key: string, notBefore: number | undefined, start: () => Promise<T>): Promise<T> {
    const running = this.#inflight.get(key) as { startedAt: number; promise: Promise<T> } | undefined;
    if (running && notBefore !== undefined && running.startedAt >= notBefore) return running.promise;
    const entry = { startedAt: Date.now(), promise: start() };
    this.#inflight.set(key, entry);
    const forget = () => {
      if (this.#inflight.get(key) === entry) this.#inflight.delete(key);
    };
    entry.promise.then(forget, forget);
    return entry.promise;
  }

  async #fromApi(
    api: ProviderApi,
    credential: ResolvedCredential | undefined,
    ref: string,
    path: string,
    notBefore?: number,
  ): Promise<FetchedDefinition> {
    const reader = this.#reader(api, credential);
    const commit = await this.#shared(`${repoKey(api)}|${ref}|${fingerprint(credential)}`, notBefore, () =>
      reader.resolveRef(ref),
    );
    const repo = repoKey(api);
    const paths = await this.#listing(`${repo}@${commit}`, () => allFiles(reader, commit));
    const texts = new Map<string, string>();
    for (let round = 0; round < MAX_LOAD_ROUNDS; round++) {
      const wanted = new Set<string>();
      const source = new CommitSource(paths, texts, wanted);
      loadDefinition(source, path, { rootLabel: 'repository' });
      if (wanted.size === 0) return load(commit, source, path);
      await Promise.all(
        [...wanted].map(async (p) => {
          texts.set(p, await this.#content(`${repo}@${commit}:${p}`, () => reader.readFile(p, commit)));
        }),
      );
    }
    throw new Error(
      `loading ${path} at ${commit} asked for new files ${MAX_LOAD_ROUNDS} times: includes nested too deep`,
    );
  }

  #listing(key: string, list: () => Promise<string[]>): Promise<Set<string>> {
    let p = this.#listings.get(key);
    if (!p) {
      p = list().then((paths) => new Set(paths));
      p.catch(() => this.#listings.delete(key));
      this.#listings.set(key, p);
      while (this.#listings.size > MAX_CACHED_LISTINGS)
        this.#listings.delete(this.#listings.keys().next().value!);
    }
    return p;
  }

  /** One file of one commit, read once for every cluster (concurrent readers share the request). */
  #content(key: string, read: () => Promise<string>): Promise<string> {
    const hit = this.#contents.get(key);
    if (hit) {
      // most recently used last
      this.#contents.delete(key);
      this.#contents.set(key, hit);
      return hit;
    }
    const p = read();
    this.#contents.set(key, p);
    p.then(
      (text) => {
        if (this.#contents.get(key) !== p) return;
        this.#sizes.set(key, text.length);
        this.#cachedBytes += text.length;
        for (const [k] of this.#contents) {
          if (this.#cachedBytes <= MAX_CACHED_BYTES) break;
          this.#contents.delete(k);
          this.#cachedBytes -= this.#sizes.get(k) ?? 0;
          this.#sizes.delete(k);
        }
      },
      () => this.#contents.delete(key),
    );
    return p;
  }

  /** One reader per repository and credential: a Bitbucket OAuth reader keeps its access token. */
  #reader(api: ProviderApi, credential: ResolvedCredential | undefined): RepoReader {
    const key = `${repoKey(api)}|${fingerprint(credential)}`;
    const known = this.#readers.get(key);
    if (known) return known;
    const reader = this.#newReader(api, credential);
    this.#readers.set(key, reader);
    while (this.#readers.size > MAX_READERS) this.#readers.delete(this.#readers.keys().next().value!);
    return reader;
  }

  #newReader(api: ProviderApi, credential: ResolvedCredential | undefined): RepoReader {
    const fetch = this.#endpoints.fetch ? { fetch: this.#endpoints.fetch } : {};
    const auth = credential?.kind === 'git' ? credential.auth : ({ kind: 'none' } as GitAuth);
    if (auth.kind === 'ssh')
      throw new CredentialKindError(
        `${api.provider} is read through its API: an ssh_key credential cannot authenticate there; use a token (or provider git with an ssh:// URL)`,
      );
    switch (api.provider) {
      case 'github':
        if (credential?.kind === 'bitbucket_oauth')
          throw new CredentialKindError('a bitbucket_oauth credential cannot read a GitHub repository');
        return new GitHubReader({
          repository: api.repository,
          baseUrl: api.apiUrl,
          ...(auth.kind === 'token' ? { token: auth.token } : {}),
          ...fetch,
        });
      case 'bitbucket_cloud':
        return new BitbucketCloudReader({
          workspace: api.workspace,
          repoSlug: api.repoSlug,
          ...(this.#endpoints.bitbucketCloudApiUrl ? { baseUrl: this.#endpoints.bitbucketCloudApiUrl } : {}),
          ...(this.#endpoints.bitbucketCloudTokenUrl
            ? { tokenUrl: this.#endpoints.bitbucketCloudTokenUrl }
            : {}),
          auth:
            credential?.kind === 'bitbucket_oauth'
              ? { kind: 'oauth', clientId: credential.clientId, clientSecret: credential.clientSecret }
              : headerAuth(auth),
          ...fetch,
        });
      case 'bitbucket_data_center':
        if (credential?.kind === 'bitbucket_oauth')
          throw new CredentialKindError(
            'a bitbucket_oauth credential is for Bitbucket Cloud; Data Center takes a token or a user name and password',
          );
        return new BitbucketDcReader({
          instanceUrl: api.instanceUrl,
          projectKey: api.projectKey,
          repoSlug: api.repoSlug,
          auth: headerAuth(auth),
          ...fetch,
        });
    }
  }
}

/** A token with a user name is sent as basic auth (an app password, a user's HTTP token), alone as a bearer token. */
function headerAuth(auth: GitAuth) {
  if (auth.kind !== 'token') return { kind: 'none' as const };
  return auth.username
    ? { kind: 'basic' as const, username: auth.username, password: auth.token }
    : { kind: 'bearer' as const, token: auth.token };
}

/** Tells credentials apart without keeping them in a key (sha256 of the resolved secret). */
function fingerprint(c: ResolvedCredential | undefined): string {
  return c ? createHash('sha256').update(JSON.stringify(c)).digest('hex') : '-';
}

function repoKey(api: ProviderApi): string {
  switch (api.provider) {
    case 'github':
      return `github:${api.apiUrl}/${api.repository}`;
    case 'bitbucket_cloud':
      return `bitbucket_cloud:${api.workspace}/${api.repoSlug}`;
    case 'bitbucket_data_center':
      return `bitbucket_data_center:${api.instanceUrl}/${api.projectKey}/${api.repoSlug}`;
  }
}

function oauthOutsideCloud(l: RepositoryLocation): CredentialKindError {
  return new CredentialKindError(
    `a bitbucket_oauth credential reads only Bitbucket Cloud repositories through the API, not ${l.provider} ${l.url}`,
  );
}

function gitAuth(c: ResolvedCredential | undefined) {
  return c?.kind === 'git' ? { auth: c.auth } : {};
}

/**
 * The files of one commit as core's synchronous loader sees them: every path is known (the
 * commit's listing); a file not read yet answers undefined and is noted in `wanted`, so the
 * caller reads it and loads again.
 */
class CommitSource implements FileSource {
  readonly rootLabel = 'repository';
  readonly #paths: Set<string>;
  readonly #texts: Map<string, string>;
  readonly #wanted: Set<string>;
  constructor(paths: Set<string>, texts: Map<string, string>, wanted: Set<string>) {
    this.#paths = paths;
    this.#texts = texts;
    this.#wanted = wanted;
  }
  readFile(path: string): string | undefined {
    const p = safe(path);
    if (p === undefined) return undefined;
    const text = this.#texts.get(p);
    if (text === undefined && this.#paths.has(p)) this.#wanted.add(p);
    return text;
  }
  listFiles(dirPrefix: string): string[] {
    const d = safe(dirPrefix);
    if (d === undefined) return [];
    const prefix = d === '' ? '' : `${d}/`;
    return [...this.#paths].filter((k) => k.startsWith(prefix)).sort();
  }
  exists(path: string): boolean {
    const p = safe(path);
    if (p === undefined) return false;
    if (this.#paths.has(p)) return true;
    const prefix = p === '' ? '' : `${p}/`;
    for (const k of this.#paths) if (k.startsWith(prefix)) return true;
    return false;
  }
}

function safe(path: string): string | undefined {
  try {
    return normalizeRepoPath(path);
  } catch {
    return undefined;
  }
}

function load(commit: string, source: FileSource, path: string): FetchedDefinition {
  const r = loadDefinition(source, path, { rootLabel: 'repository' });
  const files: Record<string, string> = {};
  for (const f of r.files) {
    const text = source.readFile(f);
    if (text !== undefined) files[f] = text;
  }
  return { commit, ...(r.definition ? { definition: r.definition } : {}), diagnostics: r.diagnostics, files };
}
