/**
 * Publishing a draft over real git (packages/gitops git.ts): a private clone of the branch, the
 * changed files written on the commit the draft began from, one commit authored by the person,
 * then rebased onto the branch when it moved (a conflict names the files) and pushed; a push
 * that loses a race is fetched, rebased and pushed again.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type GitAuth, GitError, runGit } from '@mooring/gitops';

export interface PublishRequest {
  url: string;
  auth?: GitAuth;
  /** The commit the draft began from. */
  baseCommit: string;
  /** The branch the draft was read from. */
  fromBranch: string;
  /** Where the commit goes: `fromBranch`, or a new branch. */
  toBranch: string;
  /** Repository path → new text, or null to remove the file. */
  changes: Record<string, string | null>;
  author: { name: string; email: string };
  message: string;
  /**
   * Called with the checkout (before anything is written) to turn the changes into what is
   * committed (SOPS encryption reads `.sops.yaml` here).
   */
  prepare?: (
    changes: Record<string, string | null>,
    read: (path: string) => Promise<string | undefined>,
  ) => Promise<Record<string, string | null>>;
  timeoutMs?: number;
}

export interface PublishResult {
  commit: string;
  branch: string;
  /** The branch had moved since the draft began: the commit was rebased onto it. */
  rebased: boolean;
  /** The head of the branch the commit was put on. */
  parent: string;
  /** Nothing to commit: the draft changes nothing in the repository. */
  unchanged: boolean;
}

/** The branch moved since the draft began and changed files the draft changes too. */
export class PublishConflict extends Error {
  override readonly name = 'PublishConflict';
  readonly files: string[];
  readonly head: string;
  constructor(files: string[], head: string, branch: string) {
    super(
      `the branch ${branch} moved since the draft began (now ${head.slice(0, 12)}) and changed ${files.map((f) => JSON.stringify(f)).join(', ')}, which the draft changes too: start a new draft from the branch, or publish to a new branch`,
    );
    this.files = files;
    this.head = head;
  }
}

// (without --porcelain a rejected ref is reported on stderr, where this looks)
const REJECTED = /\[rejected\]|non-fast-forward|fetch first|failed to push some refs|stale info/i;

export async function publishDraft(req: PublishRequest): Promise<PublishResult> {
  const dir = await mkdtemp(join(tmpdir(), 'mooring-publish-'));
  const env = {
    GIT_AUTHOR_NAME: req.author.name,
    GIT_AUTHOR_EMAIL: req.author.email,
    GIT_COMMITTER_NAME: req.author.name,
    GIT_COMMITTER_EMAIL: req.author.email,
  };
  const git = (args: string[], o: { remote?: boolean; ref?: string } = {}) =>
    runGit(args, {
      cwd: dir,
      env,
      ...(req.timeoutMs ? { timeoutMs: req.timeoutMs } : {}),
      ...(o.remote && req.auth ? { auth: req.auth } : {}),
      ...(o.ref ? { ref: o.ref } : {}),
    });
  const remoteRef = `refs/remotes/origin/${req.fromBranch}`;
  const fetchHead = async (): Promise<string> => {
    await git(
      ['fetch', '--no-tags', '--quiet', '--', req.url, `+refs/heads/${req.fromBranch}:${remoteRef}`],
      {
        remote: true,
        ref: req.fromBranch,
      },
    );
    return (await git(['rev-parse', '--verify', `${remoteRef}^{commit}`])).stdout.trim();
  };
  try {
    await git(['init', '--quiet', '--initial-branch=draft']);
    await git(['config', 'commit.gpgsign', 'false']);
    await git(['config', 'core.autocrlf', 'false']);
    let head = await fetchHead();
    try {
      await git(['cat-file', '-e', `${req.baseCommit}^{commit}`]);
    } catch {
      await git(['fetch', '--no-tags', '--quiet', '--', req.url, req.baseCommit], {
        remote: true,
        ref: req.baseCommit,
      });
    }
    await git(['checkout', '--quiet', '-B', 'draft', req.baseCommit]);
    const read = async (path: string) => {
      try {
        return await readFile(join(dir, path), 'utf8');
      } catch {
        return undefined;
      }
    };
    const changes = req.prepare ? await req.prepare(req.changes, read) : req.changes;
    const paths = Object.keys(changes).sort();
    for (const p of paths) {
      const text = changes[p];
      if (text === null || text === undefined) {
        await git(['rm', '--quiet', '--ignore-unmatch', '--', p]);
      } else {
        await mkdir(dirname(join(dir, p)), { recursive: true });
        await writeFile(join(dir, p), text);
        await git(['add', '--', p]);
      }
    }
    try {
      await git(['diff', '--cached', '--quiet']);
      return { commit: head, branch: req.toBranch, rebased: false, parent: head, unchanged: true };
    } catch {
      // there is something to commit
    }
    await git(['commit', '--quiet', '--no-verify', '-m', req.message]);
    let rebased = false;
    for (let attempt = 0; ; attempt++) {
      if (head !== (await git(['rev-parse', 'HEAD~1'])).stdout.trim()) {
        await rebaseOnto(git, head, paths, req.fromBranch);
        rebased = true;
      }
      const commit = (await git(['rev-parse', 'HEAD'])).stdout.trim();
      try {
        await git(['push', '--quiet', '--', req.url, `HEAD:refs/heads/${req.toBranch}`], {
          remote: true,
          ref: req.toBranch,
        });
        return { commit, branch: req.toBranch, rebased, parent: head, unchanged: false };
      } catch (e) {
        // someone pushed first: take their commit and try again
        if (
          !(e instanceof GitError) ||
          !REJECTED.test(e.stderr) ||
          attempt >= 3 ||
          req.toBranch !== req.fromBranch
        )
          throw e;
        head = await fetchHead();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function rebaseOnto(
  git: (args: string[]) => Promise<{ stdout: string }>,
  head: string,
  paths: string[],
  branch: string,
): Promise<void> {
  try {
    await git(['rebase', '--quiet', head]);
  } catch (e) {
    let files: string[] = [];
    try {
      files = (await git(['diff', '--name-only', '--diff-filter=U'])).stdout.split('\n').filter(Boolean);
    } catch {
      // not in a rebase
    }
    await git(['rebase', '--abort']).catch(() => undefined);
    if (files.length === 0) {
      // what the branch changed that the draft changes too
      const moved = (await git(['diff', '--name-only', `HEAD~1`, head])).stdout.split('\n').filter(Boolean);
      files = paths.filter((p) => moved.includes(p));
    }
    if (files.length === 0) throw e;
    throw new PublishConflict(files, head, branch);
  }
}
