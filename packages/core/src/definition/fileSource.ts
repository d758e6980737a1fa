/**
 * The file set a definition is loaded from. Paths are relative to the
 * repository root, with forward slashes and no leading `./`. Core never touches
 * a disk: `@mooring/gitops` implements this on a directory, tests use
 * `MemoryFileSource`.
 */
export interface FileSource {
  /** The file's text, or undefined when there is no such file. */
  readFile(path: string): string | undefined;
  /** Every file below `dirPrefix` (recursive), as repository-relative paths. `''` lists all. */
  listFiles(dirPrefix: string): string[];
  /** True for an existing file or directory. */
  exists(path: string): boolean;
  /** What the root is, for messages (`repository` when not given; `root folder` outside Git). */
  readonly rootLabel?: string;
}

/** Thrown for a path that is absolute or leaves the repository. */
export class InvalidRepoPathError extends Error {
  override readonly name = 'InvalidRepoPathError';
  readonly path: string;
  constructor(path: string) {
    super(`path ${JSON.stringify(path)} must be relative to the repository root and stay inside it`);
    this.path = path;
  }
}

/**
 * Normalises a repository-relative path: backslashes to slashes, `./` and `.`
 * segments dropped, `a/../b` collapsed, trailing slash removed. Throws
 * `InvalidRepoPathError` for absolute paths or paths above the root.
 */
export function normalizeRepoPath(path: string): string {
  const p = path.replace(/\\/g, '/');
  if (p.startsWith('/') || /^[A-Za-z]:\//.test(p)) throw new InvalidRepoPathError(path);
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) throw new InvalidRepoPathError(path);
      out.pop();
      continue;
    }
    out.push(seg);
  }
  return out.join('/');
}

/** In-memory file set (tests, repositories fetched into memory). */
export class MemoryFileSource implements FileSource {
  readonly files: ReadonlyMap<string, string>;
  constructor(files: Record<string, string> | ReadonlyMap<string, string>) {
    const m = new Map<string, string>();
    const entries = files instanceof Map ? [...files.entries()] : Object.entries(files);
    for (const [k, v] of entries) m.set(normalizeRepoPath(k), v);
    this.files = m;
  }
  readFile(path: string): string | undefined {
    return this.files.get(safeNormalize(path));
  }
  listFiles(dirPrefix: string): string[] {
    const dir = safeNormalize(dirPrefix);
    const prefix = dir === '' ? '' : `${dir}/`;
    return [...this.files.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
  exists(path: string): boolean {
    const p = safeNormalize(path);
    if (this.files.has(p)) return true;
    const prefix = p === '' ? '' : `${p}/`;
    for (const k of this.files.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }
}

function safeNormalize(path: string): string {
  try {
    return normalizeRepoPath(path);
  } catch {
    return `\0invalid/${path}`;
  }
}

/** Directory part of a repository path (`a/b/c.yaml` → `a/b`, `c.yaml` → ``). */
export function repoDirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** File name without directory and without a `.yaml` / `.yml` extension. */
export function repoBasenameWithoutExt(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.replace(/\.ya?ml$/i, '');
}

export function isYamlPath(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}
