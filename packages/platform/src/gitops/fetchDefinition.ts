import {
  type ClusterDefinition,
  type Diagnostic,
  type FileSource,
  loadDefinition,
  MemoryFileSource,
} from '@mooring/core';
import { BitbucketCloudReader, type GitCache, LocalFileSource, readAllFiles } from '@mooring/gitops';
import type { ResolvedCredential } from './credentials.ts';
import type { RepositoryLocation } from './location.ts';

/** One commit's definition as a sync reads it. */
export interface FetchedDefinition {
  commit: string;
  /** The definition when it loaded (it may still carry error diagnostics). */
  definition?: ClusterDefinition;
  diagnostics: Diagnostic[];
  /** Every file the definition read, by repository path (the agent's `apply` payload). */
  files: Record<string, string>;
}

/** Reads a branch's head or a commit and loads the cluster file with core's loader. */
export class DefinitionFetcher {
  readonly #cache: GitCache;
  readonly #active = new Map<string, number>();
  readonly #trees = new Map<string, Set<string>>();
  constructor(cache: GitCache) {
    this.#cache = cache;
  }

  /** The commit the branch points to now (fetches only that ref). */
  async head(location: RepositoryLocation, credential: ResolvedCredential | undefined): Promise<string> {
    if (credential?.kind === 'bitbucket_oauth')
      return this.#bitbucket(location, credential).resolveRef(location.branch);
    const r = await this.#cache.fetch({ url: location.url, ref: location.branch, ...auth(credential) });
    return r.sha;
  }

  async fetch(
    location: RepositoryLocation,
    credential: ResolvedCredential | undefined,
    path: string,
  ): Promise<FetchedDefinition> {
    if (credential?.kind === 'bitbucket_oauth') {
      const reader = this.#bitbucket(location, credential);
      const commit = await reader.resolveRef(location.branch);
      const all = await readAllFiles(reader, commit);
      return load(commit, new MemoryFileSource(Object.fromEntries(all)), path);
    }
    // trees are shared by the clusters reading the same repository; the last reader removes them
    const url = location.url;
    this.#active.set(url, (this.#active.get(url) ?? 0) + 1);
    try {
      const { dir, sha } = await this.#cache.checkout({ url, ref: location.branch, ...auth(credential) });
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
        for (const sha of shas) await this.#cache.removeTree(sha).catch(() => undefined);
      }
    }
  }

  #bitbucket(
    location: RepositoryLocation,
    c: { clientId: string; clientSecret: string },
  ): BitbucketCloudReader {
    return new BitbucketCloudReader({
      workspace: location.workspace ?? '',
      repoSlug: location.repoSlug ?? '',
      auth: { kind: 'oauth', clientId: c.clientId, clientSecret: c.clientSecret },
    });
  }
}

function auth(c: ResolvedCredential | undefined) {
  return c?.kind === 'git' ? { auth: c.auth } : {};
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
