import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GitopsError, GitRefNotFoundError, type ProviderName, RepoFileNotFoundError } from './errors.ts';
import { type GitAuth, runGit } from './git.ts';
import { redact } from './redact.ts';
import type { RepoEntry, RepoReader } from './repoReader.ts';
import { TreeReader } from './treeReader.ts';

export interface GitCacheOptions {
  /** Directory holding bare repositories (`repos/`) and materialised trees (`trees/`). */
  dir: string;
  /** Per git command (default 5 minutes). */
  timeoutMs?: number;
  /**
   * Fetch only this many commits of history (shallow). Later fetches stay shallow; fetching a
   * commit that is not in the shallow history by SHA still works on servers that allow it.
   */
  depth?: number;
  /** ssh program for `ssh` auth (tests use a stand-in). */
  sshProgram?: string;
}

export interface GitFetchRequest {
  /** https://, http://, ssh://, scp-like `git@host:org/repo.git`, or file://. No credentials inside. */
  url: string;
  /** Branch name, tag name, full ref (`refs/...`) or commit SHA. */
  ref: string;
  auth?: GitAuth;
}

export interface GitFetchResult {
  url: string;
  ref: string;
  /** Resolved commit SHA. */
  sha: string;
  /** The bare repository holding the objects. */
  gitDir: string;
  /** False when the commit was already cached (a SHA ref) and the remote was not contacted. */
  contactedRemote: boolean;
  durationMs: number;
}

const SHA_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const SHORT_SHA_RE = /^[0-9a-f]{7,39}$/;

/**
 * A cache of bare repositories keyed by a hash of the URL. The first fetch clones (init + fetch),
 * later fetches are incremental (`git fetch` of just the wanted ref into the same repository).
 * Trees are materialised per commit SHA into read-only directories.
 */
export class GitCache {
  readonly dir: string;
  readonly #opts: GitCacheOptions;
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(opts: GitCacheOptions) {
    this.dir = opts.dir;
    this.#opts = opts;
  }

  /** Cache key of a URL: sha256 of the URL without trailing slashes. */
  keyFor(url: string): string {
    return createHash('sha256').update(url.trim().replace(/\/+$/, '')).digest('hex').slice(0, 32);
  }

  gitDirFor(url: string): string {
    return join(this.dir, 'repos', `${this.keyFor(url)}.git`);
  }

  /** Fetches `ref` from `url` into the cache and returns the commit SHA it points to. */
  async fetch(req: GitFetchRequest): Promise<GitFetchResult> {
    checkUrl(req.url);
    checkRef(req.ref);
    const gitDir = this.gitDirFor(req.url);
    return this.#locked(gitDir, async () => {
      const started = performance.now();
      await this.#ensureRepo(gitDir);
      const ref = req.ref.trim();
      let sha: string;
      let contactedRemote = true;
      if (SHA_RE.test(ref.toLowerCase())) {
        const want = ref.toLowerCase();
        if (await this.#hasCommit(gitDir, want)) {
          contactedRemote = false;
        } else {
          await this.#fetchSha(gitDir, req, want);
        }
        sha = want;
      } else {
        sha = await this.#fetchNamed(gitDir, req, ref);
      }
      return {
        url: redact(req.url),
        ref,
        sha,
        gitDir,
        contactedRemote,
        durationMs: performance.now() - started,
      };
    });
  }

  /**
   * Writes the tree of `sha` (which must be in the cache of `url`) into a read-only directory
   * `trees/<sha>` and returns its path. Reuses an existing directory; safe to call concurrently.
   */
  async materialise(url: string, sha: string): Promise<string> {
    const gitDir = this.gitDirFor(url);
    const treesDir = join(this.dir, 'trees');
    const target = join(treesDir, sha);
    if (existsSync(target)) return target;
    return this.#locked(`tree:${sha}`, async () => {
      if (existsSync(target)) return target;
      await mkdir(treesDir, { recursive: true });
      const tmp = await mkdtemp(join(treesDir, `.tmp-${sha.slice(0, 12)}-`));
      const index = `${tmp}.index`;
      try {
        const env = { GIT_INDEX_FILE: index };
        await this.#git(['read-tree', `${sha}^{tree}`], { gitDir, env, ref: sha });
        await this.#git(['checkout-index', '--all', '--force'], { gitDir, workTree: tmp, cwd: tmp, env });
        await makeReadOnly(tmp);
        try {
          await rename(tmp, target);
        } catch (e) {
          // another process materialised the same commit first
          if (!existsSync(target)) throw e;
          await removeTree(tmp);
        }
        return target;
      } catch (e) {
        await removeTree(tmp);
        throw e;
      } finally {
        await rm(index, { force: true });
      }
    });
  }

  /** Fetch and materialise in one step. */
  async checkout(req: GitFetchRequest): Promise<GitFetchResult & { dir: string }> {
    const fetched = await this.fetch(req);
    return { ...fetched, dir: await this.materialise(req.url, fetched.sha) };
  }

  /** Deletes a materialised tree. */
  async removeTree(sha: string): Promise<void> {
    await removeTree(join(this.dir, 'trees', sha));
  }

  /** Deletes every materialised tree except those of `keep` (e.g. the SHAs still in use). */
  async pruneTrees(keep: Iterable<string> = []): Promise<string[]> {
    const keepSet = new Set(keep);
    const treesDir = join(this.dir, 'trees');
    if (!existsSync(treesDir)) return [];
    const removed: string[] = [];
    for (const name of await readdir(treesDir)) {
      if (keepSet.has(name) || name.startsWith('.tmp-')) continue;
      await removeTree(join(treesDir, name));
      removed.push(name);
    }
    return removed.sort();
  }

  /** A RepoReader over this cache for one remote. */
  reader(url: string, auth?: GitAuth): GitRepoReader {
    return new GitRepoReader(this, url, auth);
  }

  async #ensureRepo(gitDir: string): Promise<void> {
    if (existsSync(join(gitDir, 'HEAD'))) return;
    await mkdir(join(this.dir, 'repos'), { recursive: true });
    await this.#git(['init', '--bare', '--quiet', gitDir], {});
    // the cache only ever fetches; keep maintenance quiet and predictable
    await this.#git(['config', 'gc.autoDetach', 'false'], { gitDir });
  }

  async #hasCommit(gitDir: string, sha: string): Promise<boolean> {
    try {
      await this.#git(['cat-file', '-e', `${sha}^{commit}`], { gitDir });
      return true;
    } catch {
      return false;
    }
  }

  #depthArgs(): string[] {
    return this.#opts.depth ? [`--depth=${this.#opts.depth}`] : [];
  }

  async #fetchRefspecs(gitDir: string, req: GitFetchRequest, refspecs: string[], ref: string): Promise<void> {
    await this.#git(['fetch', '--no-tags', '--quiet', ...this.#depthArgs(), '--', req.url, ...refspecs], {
      gitDir,
      auth: req.auth,
      ref,
      secrets: urlSecrets(req.url),
    });
  }

  async #fetchSha(gitDir: string, req: GitFetchRequest, sha: string): Promise<void> {
    try {
      // protocol v2 servers (GitHub, git http-backend) serve any reachable commit by SHA
      await this.#fetchRefspecs(gitDir, req, [sha], sha);
      if (await this.#hasCommit(gitDir, sha)) return;
    } catch (e) {
      if (!(e instanceof GitRefNotFoundError)) throw e;
    }
    // older servers only serve advertised tips: fetch all branches and tags, then look again
    await this.#fetchRefspecs(gitDir, req, ['+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'], sha);
    if (!(await this.#hasCommit(gitDir, sha))) {
      throw new GitRefNotFoundError(sha, {
        command: 'git cat-file -e',
        exitCode: 1,
        stderr: 'commit not found',
      });
    }
  }

  async #fetchNamed(gitDir: string, req: GitFetchRequest, ref: string): Promise<string> {
    const candidates = ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
    let last: GitRefNotFoundError | undefined;
    for (const full of candidates) {
      try {
        await this.#fetchRefspecs(gitDir, req, [`+${full}:${full}`], ref);
        return await this.#revParse(gitDir, full, ref);
      } catch (e) {
        if (!(e instanceof GitRefNotFoundError)) throw e;
        last = e;
      }
    }
    if (SHORT_SHA_RE.test(ref)) {
      // an abbreviated SHA: fetch every branch and resolve it locally
      await this.#fetchRefspecs(gitDir, req, ['+refs/heads/*:refs/heads/*'], ref);
      return await this.#revParse(gitDir, ref, ref);
    }
    throw last ?? new GitRefNotFoundError(ref, { command: 'git fetch', exitCode: 1, stderr: '' });
  }

  async #revParse(gitDir: string, rev: string, ref: string): Promise<string> {
    const { stdout } = await this.#git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], {
      gitDir,
      ref,
    });
    return stdout.trim();
  }

  #git(args: string[], opts: Parameters<typeof runGit>[1]): ReturnType<typeof runGit> {
    return runGit(args, {
      timeoutMs: this.#opts.timeoutMs,
      sshProgram: this.#opts.sshProgram,
      ...opts,
    });
  }

  async #locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.#locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.#locks.get(key) === tail) this.#locks.delete(key);
    }
  }
}

/** RepoReader backed by the git CLI through a GitCache: fetch, then read the materialised tree. */
export class GitRepoReader implements RepoReader {
  readonly provider: ProviderName = 'git';
  readonly #cache: GitCache;
  readonly #url: string;
  readonly #auth: GitAuth | undefined;
  readonly #trees = new Map<string, Promise<TreeReader>>();

  constructor(cache: GitCache, url: string, auth?: GitAuth) {
    this.#cache = cache;
    this.#url = url;
    this.#auth = auth;
  }

  async resolveRef(ref: string): Promise<string> {
    return (await this.#cache.fetch({ url: this.#url, ref, auth: this.#auth })).sha;
  }

  async readFile(path: string, sha: string): Promise<string> {
    return (await this.#tree(sha)).readFile(path);
  }

  async listFiles(dir: string, sha: string): Promise<RepoEntry[]> {
    return (await this.#tree(sha)).listFiles(dir);
  }

  #tree(sha: string): Promise<TreeReader> {
    let t = this.#trees.get(sha);
    if (!t) {
      t = (async () => {
        if (!SHA_RE.test(sha)) throw new RepoFileNotFoundError('', sha, { detail: 'not a full commit SHA' });
        await this.#cache.fetch({ url: this.#url, ref: sha, auth: this.#auth });
        return new TreeReader(await this.#cache.materialise(this.#url, sha), sha);
      })();
      t.catch(() => this.#trees.delete(sha));
      this.#trees.set(sha, t);
    }
    return t;
  }
}

function checkUrl(url: string): void {
  const scpLike = /^[\w.-]+@[\w.-]+:(?!\/\/)/.test(url);
  if (scpLike) return;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new GitopsError('invalid_input', `not a git URL: ${redact(url)}`);
  }
  if (!['https:', 'http:', 'ssh:', 'file:', 'git:'].includes(u.protocol)) {
    throw new GitopsError('invalid_input', `unsupported git URL scheme ${u.protocol} in ${redact(url)}`);
  }
  if (u.password) {
    throw new GitopsError(
      'invalid_input',
      `credentials must not be embedded in the git URL ${redact(url)}; pass them as auth`,
    );
  }
}

function checkRef(ref: string): void {
  const r = ref.trim();
  // a subset of git check-ref-format: also stops refspec and option injection
  if (
    r === '' ||
    r.startsWith('-') ||
    r.includes('..') ||
    r.includes('@{') ||
    /[\s~^:?*[\\]/.test(r) ||
    hasControlCharacter(r) ||
    r.endsWith('/') ||
    r.endsWith('.lock') ||
    r.endsWith('.')
  ) {
    throw new GitopsError('invalid_input', `invalid git ref ${JSON.stringify(ref)}`);
  }
}

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    return [u.password, u.search.length > 1 ? u.search.slice(1) : ''].filter((s) => s.length > 0);
  } catch {
    return [];
  }
}

async function makeReadOnly(dir: string): Promise<void> {
  for (const d of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) await makeReadOnly(p);
    else if (d.isFile()) {
      const st = await lstat(p);
      await chmod(p, st.mode & 0o111 ? 0o555 : 0o444);
    }
  }
  await chmod(dir, 0o555);
}

async function makeWritable(dir: string): Promise<void> {
  try {
    await chmod(dir, 0o755);
  } catch {
    return;
  }
  for (const d of await readdir(dir, { withFileTypes: true })) {
    if (d.isDirectory()) await makeWritable(join(dir, d.name));
  }
}

async function removeTree(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  await makeWritable(dir);
  await rm(dir, { recursive: true, force: true });
}
