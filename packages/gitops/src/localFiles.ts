/**
 * A `FileSource` (see @mooring/core) on a directory of the local disk: the
 * working copy of a repository or a tree materialised by GitCache. Paths are
 * repository-relative with forward slashes; nothing outside the root is ever
 * read, also not through symbolic links. `.git` folders are never listed.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { type FileSource, normalizeRepoPath } from '@mooring/core';

export class LocalFileSource implements FileSource {
  /** Absolute, symlink-free root directory. */
  readonly root: string;
  /** `repository` when the root holds `.git`, else `root folder` (for messages). */
  readonly rootLabel: string;

  constructor(root: string) {
    this.root = realpathSync(resolve(root));
    this.rootLabel = existsSync(join(this.root, '.git')) ? 'repository' : 'root folder';
  }

  /** Absolute path of a repository path, or undefined when it is invalid or leaves the root. */
  resolve(path: string): string | undefined {
    let rel: string;
    try {
      rel = normalizeRepoPath(path);
    } catch {
      return undefined;
    }
    const abs = rel === '' ? this.root : join(this.root, ...rel.split('/'));
    if (!existsSync(abs)) return abs;
    let real: string;
    try {
      real = realpathSync(abs);
    } catch {
      return undefined;
    }
    return real === this.root || real.startsWith(this.root + sep) ? real : undefined;
  }

  readFile(path: string): string | undefined {
    const abs = this.resolve(path);
    if (abs === undefined) return undefined;
    try {
      if (!statSync(abs).isFile()) return undefined;
      return readFileSync(abs, 'utf8');
    } catch {
      return undefined;
    }
  }

  listFiles(dirPrefix: string): string[] {
    const abs = this.resolve(dirPrefix);
    if (abs === undefined) return [];
    const out: string[] = [];
    const seen = new Set<string>();
    const walk = (dir: string): void => {
      let real: string;
      try {
        real = realpathSync(dir);
      } catch {
        return;
      }
      if (seen.has(real) || !(real === this.root || real.startsWith(this.root + sep))) return;
      seen.add(real);
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        return;
      }
      for (const name of names) {
        if (name === '.git') continue;
        const p = join(dir, name);
        let st: ReturnType<typeof statSync>;
        try {
          st = lstatSync(p).isSymbolicLink() ? statSync(p) : lstatSync(p);
        } catch {
          continue;
        }
        if (st.isDirectory()) walk(p);
        else if (st.isFile() && this.resolve(relative(this.root, p).split(sep).join('/')) !== undefined)
          out.push(relative(this.root, p).split(sep).join('/'));
      }
    };
    try {
      if (statSync(abs).isDirectory()) walk(abs);
    } catch {
      return [];
    }
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  exists(path: string): boolean {
    const abs = this.resolve(path);
    return abs !== undefined && existsSync(abs);
  }

  /** The repository path of an absolute (or cwd-relative) file, or undefined when outside the root. */
  toRepoPath(file: string): string | undefined {
    let abs = resolve(file);
    try {
      abs = realpathSync(abs);
    } catch {
      // keep the resolved path; the file may not exist
    }
    const rel = relative(this.root, abs);
    if (rel.startsWith('..') || resolve(this.root, rel) !== abs) return undefined;
    return rel.split(sep).join('/');
  }
}

/**
 * The repository root of a file: the nearest directory upwards that holds
 * `.git` (a folder, or a file for worktrees and submodules); the file's own
 * directory when there is none.
 */
export function findRepoRoot(file: string): string {
  const start = dirname(resolve(file));
  for (let dir = start; ; ) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
}
