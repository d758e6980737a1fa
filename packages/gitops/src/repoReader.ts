import { type ProviderName, RepoPathError } from './errors.ts';

export type RepoEntryType = 'file' | 'dir' | 'symlink' | 'submodule';

export interface RepoEntry {
  /** Path from the repository root, forward slashes, no leading slash. */
  path: string;
  /** Last path segment. */
  name: string;
  type: RepoEntryType;
}

/**
 * Read access to one repository, whatever the source (git CLI, GitHub, Bitbucket Cloud or
 * Data Center). Resolve a ref once, then read everything at that SHA so one sync sees one commit.
 */
export interface RepoReader {
  readonly provider: ProviderName;
  /** A branch, tag or commit SHA → the full commit SHA. */
  resolveRef(ref: string): Promise<string>;
  /** UTF-8 content of a file at a commit. Throws RepoFileNotFoundError when absent. */
  readFile(path: string, sha: string): Promise<string>;
  /** Entries directly inside a directory at a commit, sorted by path. `''` is the root. */
  listFiles(dir: string, sha: string): Promise<RepoEntry[]>;
  /**
   * Every file path of the commit (recursive, sorted), in as few calls as the provider allows
   * (GitHub's recursive tree, Data Center's `files`); absent: `walkFiles` lists directory by directory.
   */
  listAllFiles?(sha: string): Promise<string[]>;
}

/**
 * Normalises a repository path: forward slashes, no leading `/` or `./`, no empty or `.`
 * segments. Rejects `..` (a path must not leave the repository) and NUL bytes.
 */
export function normaliseRepoPath(path: string): string {
  if (path.includes('\0')) throw new RepoPathError(path, 'contains a NUL byte');
  const parts: string[] = [];
  for (const seg of path.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') throw new RepoPathError(path, 'must not contain ".."');
    parts.push(seg);
  }
  return parts.join('/');
}

export function joinRepoPath(dir: string, name: string): string {
  const d = normaliseRepoPath(dir);
  return d ? `${d}/${name}` : name;
}

/** A full SHA-1 commit id, as the provider APIs return it. */
export const COMMIT_SHA_RE = /^[0-9a-f]{40}$/i;

export function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/** Sorts entries by path with a plain code-unit comparison (stable across platforms and locales). */
export function sortEntries(entries: RepoEntry[]): RepoEntry[] {
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Every file below `dir` (recursively), sorted by path. `filter` selects files by path.
 * Directories are read with bounded parallelism.
 */
export async function walkFiles(
  reader: RepoReader,
  dir: string,
  sha: string,
  filter: (path: string) => boolean = () => true,
): Promise<string[]> {
  const files: string[] = [];
  let level = [normaliseRepoPath(dir)];
  while (level.length > 0) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 8) {
      const batch = await Promise.all(level.slice(i, i + 8).map((d) => reader.listFiles(d, sha)));
      for (const entries of batch) {
        for (const e of entries) {
          if (e.type === 'dir') next.push(e.path);
          else if (e.type === 'file' && filter(e.path)) files.push(e.path);
        }
      }
    }
    level = next;
  }
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Every file path of a commit: the reader's one-call listing when it has one, else a walk. */
export function allFiles(reader: RepoReader, sha: string): Promise<string[]> {
  return reader.listAllFiles ? reader.listAllFiles(sha) : walkFiles(reader, '', sha);
}

/** A reader pinned to one commit: what a loader needs to read a definition and its includes. */
export interface CommitFiles {
  readonly provider: ProviderName;
  readonly sha: string;
  readFile(path: string): Promise<string>;
  listFiles(dir: string): Promise<RepoEntry[]>;
  walkFiles(dir: string, filter?: (path: string) => boolean): Promise<string[]>;
}

export function atCommit(reader: RepoReader, sha: string): CommitFiles {
  return {
    provider: reader.provider,
    sha,
    readFile: (path) => reader.readFile(path, sha),
    listFiles: (dir) => reader.listFiles(dir, sha),
    walkFiles: (dir, filter) => walkFiles(reader, dir, sha, filter),
  };
}

/**
 * Reads every file below `dir` (filtered) at one commit into memory, e.g. to build core's
 * synchronous `MemoryFileSource` from an API-backed reader. Reads with bounded parallelism.
 */
export async function readAllFiles(
  reader: RepoReader,
  sha: string,
  dir = '',
  filter: (path: string) => boolean = () => true,
): Promise<Map<string, string>> {
  const paths = await walkFiles(reader, dir, sha, filter);
  const out = new Map<string, string>();
  for (let i = 0; i < paths.length; i += 8) {
    const batch = paths.slice(i, i + 8);
    const contents = await Promise.all(batch.map((p) => reader.readFile(p, sha)));
    for (const [j, p] of batch.entries()) out.set(p, contents[j] ?? '');
  }
  return out;
}
