/**
 * Where `validate` and `plan` read the definition from: a local file (the
 * repository root is `--repo-root`, else the nearest folder upwards holding
 * `.git`, else the file's folder), or a Git repository (`--git-url` and
 * `--branch`, fetched with @mooring/gitops' GitCache; `-f` is then a path in
 * that repository).
 */
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Diagnostic, FileSource } from '@mooring/core';
import { findRepoRoot, GitCache, LocalFileSource } from '@mooring/gitops';
import { type Io, UsageError } from '../io.ts';

export const SOURCE_OPTIONS = {
  file: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o', default: 'text' },
  root: { type: 'string' },
  'repo-root': { type: 'string' },
  'git-url': { type: 'string' },
  branch: { type: 'string' },
  'git-cache': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const SOURCE_USAGE = `  -f, --file PATH       the cluster definition (default: import-cluster.yaml)
  -o, --output FORMAT   text (default) or json
      --root DIR        the folder no path in the definition may leave (also --repo-root;
                        default: the Git repository holding the file, else the file's folder).
                        Paths are always relative to the folder of the definition file.
      --git-url URL     read the definition from this Git repository instead (-f is a path in it)
      --branch REF      branch, tag or commit for --git-url (default: main)
      --git-cache DIR   where fetched repositories are kept (default: ~/.cache/mooring/git)`;

export interface SourceArgs {
  file?: string;
  output?: string;
  root?: string;
  'repo-root'?: string;
  'git-url'?: string;
  branch?: string;
  'git-cache'?: string;
}

export interface ResolvedSource {
  source: FileSource;
  /** The definition's repository path. */
  path: string;
  /** How to show a repository path to the user (relative to cwd for local files). */
  display(repoPath: string): string;
  /** e.g. `git https://... @ main (sha)` or the local root. */
  origin: string;
  /** `repository` (a Git checkout) or `root folder`, for messages. */
  rootLabel: string;
}

export function outputFormat(v: string | undefined): 'text' | 'json' {
  if (v === undefined || v === 'text') return 'text';
  if (v === 'json') return 'json';
  throw new UsageError(`--output must be text or json, got ${JSON.stringify(v)}`);
}

export async function resolveSource(args: SourceArgs, io: Io): Promise<ResolvedSource> {
  const file = args.file ?? 'import-cluster.yaml';
  if (args['git-url']) {
    if (args.root || args['repo-root']) throw new UsageError('--root and --git-url exclude each other');
    const cacheDir =
      args['git-cache'] ?? join(io.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mooring', 'git');
    const cache = new GitCache({ dir: resolve(io.cwd, cacheDir) });
    const ref = args.branch ?? 'main';
    const checkout = await cache.checkout({ url: args['git-url'], ref });
    const source = new LocalFileSource(checkout.dir);
    return {
      source,
      path: file.replace(/^\.?\//, ''),
      display: (p) => p,
      origin: `${checkout.url} @ ${ref} (${checkout.sha.slice(0, 12)})`,
      rootLabel: 'repository',
    };
  }
  if (args.branch) throw new UsageError('--branch needs --git-url');
  const abs = resolve(io.cwd, file);
  if (args.root && args['repo-root'] && args.root !== args['repo-root'])
    throw new UsageError('--root and --repo-root name the same option: give one');
  const given = args.root ?? args['repo-root'];
  const root = given ? resolve(io.cwd, given) : findRepoRoot(abs);
  const source = new LocalFileSource(root);
  const path = source.toRepoPath(abs);
  if (path === undefined)
    throw new UsageError(`the file ${file} is not inside the root folder ${root} (see --root)`);

  return {
    source,
    path,
    display: (p) => {
      const rel = relative(io.cwd, join(source.root, p));
      return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? join(source.root, p) : rel;
    },
    origin: source.root,
    rootLabel: source.rootLabel,
  };
}

/** Compiler-style lines: `file:line:col: error: message [path]`, then an indented hint. */
export function formatDiagnostics(
  diagnostics: readonly Pick<
    Diagnostic,
    'severity' | 'file' | 'line' | 'column' | 'path' | 'message' | 'hint'
  >[],
  display: (p: string) => string,
): string {
  let out = '';
  for (const d of diagnostics) {
    out += `${display(d.file)}:${d.line}:${d.column}: ${d.severity}: ${d.message}${d.path ? ` [${d.path}]` : ''}\n`;
    if (d.hint) out += `  hint: ${d.hint}\n`;
  }
  return out;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
