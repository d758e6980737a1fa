import type { Dirent } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { RepoFileNotFoundError, RepoPathError } from './errors.ts';
import { baseName, joinRepoPath, normaliseRepoPath, type RepoEntry, sortEntries } from './repoReader.ts';

/**
 * Reads files of a materialised tree (a directory holding one commit). Symbolic links are
 * followed only when they stay inside the tree, so a link to /etc/passwd in a repository
 * cannot leak host files. `.git` is never listed.
 */
export class TreeReader {
  readonly root: string;
  readonly sha: string;
  #realRoot: string | undefined;

  constructor(root: string, sha: string) {
    this.root = root;
    this.sha = sha;
  }

  async readFile(path: string): Promise<string> {
    const rel = normaliseRepoPath(path);
    const abs = await this.#resolveInside(rel);
    try {
      const st = await stat(abs);
      if (!st.isFile()) throw new RepoFileNotFoundError(rel, this.sha, { detail: 'not a file' });
      return await readFile(abs, 'utf8');
    } catch (e) {
      if (e instanceof RepoFileNotFoundError) throw e;
      throw new RepoFileNotFoundError(rel, this.sha, { cause: e });
    }
  }

  async listFiles(dir: string): Promise<RepoEntry[]> {
    const rel = normaliseRepoPath(dir);
    const abs = await this.#resolveInside(rel);
    let dirents: Dirent[];
    try {
      dirents = await readdir(abs, { withFileTypes: true });
    } catch (e) {
      throw new RepoFileNotFoundError(rel || '/', this.sha, { cause: e, detail: 'not a directory' });
    }
    const entries: RepoEntry[] = [];
    for (const d of dirents) {
      if (d.name === '.git') continue;
      const path = joinRepoPath(rel, d.name);
      if (d.isDirectory()) entries.push({ path, name: d.name, type: 'dir' });
      else if (d.isFile()) entries.push({ path, name: baseName(path), type: 'file' });
      else if (d.isSymbolicLink()) entries.push({ path, name: d.name, type: 'symlink' });
    }
    return sortEntries(entries);
  }

  async #resolveInside(rel: string): Promise<string> {
    this.#realRoot ??= await realpath(this.root);
    const abs = join(this.#realRoot, rel);
    let real: string;
    try {
      real = await realpath(abs);
    } catch (e) {
      throw new RepoFileNotFoundError(rel || '/', this.sha, { cause: e });
    }
    if (real !== this.#realRoot && !real.startsWith(this.#realRoot + sep)) {
      throw new RepoPathError(rel, 'resolves outside the repository (symbolic link)');
    }
    return real;
  }
}
