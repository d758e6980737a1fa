import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CommandFailure,
  GitAuthError,
  GitError,
  GitNetworkError,
  GitRefNotFoundError,
  GitRepoNotFoundError,
} from './errors.ts';
import { formatCommand, Redactor, truncate } from './redact.ts';
import { baseEnvironment, runProcess } from './run.ts';

/**
 * How to authenticate to a remote.
 * - `none`: file://, plain http(s), or ssh with the ambient agent (not recommended in servers)
 * - `token`: https; sent as an HTTP Basic `Authorization` header through `http.extraHeader`
 *   set in the environment (GIT_CONFIG_*), never in argv or the URL. GitHub accepts any user
 *   name with a token (default `x-access-token`); Bitbucket Cloud expects `x-token-auth`.
 * - `ssh`: a private key, written to a 0600 file in a private temporary directory for the run.
 */
export type GitAuth =
  | { kind: 'none' }
  | { kind: 'token'; token: string; username?: string }
  | { kind: 'ssh'; privateKey: string; knownHosts?: string; knownHostsFile?: string };

export interface GitRunOptions {
  /** `--git-dir` for the command. */
  gitDir?: string;
  /** `--work-tree` for the command. */
  workTree?: string;
  cwd?: string;
  auth?: GitAuth;
  /** Extra environment (e.g. GIT_INDEX_FILE). */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Text used to name the ref in a GitRefNotFoundError. */
  ref?: string;
  /** Further secrets to redact (e.g. a URL's query string). */
  secrets?: string[];
  /** The ssh program used for `ssh` auth (default `ssh`); tests substitute a stand-in. */
  sshProgram?: string;
}

export interface GitRunResult {
  stdout: string;
  stderr: string;
  durationMs: number;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/**
 * Runs `git` with an isolated configuration (no system or global config, no prompts, no credential
 * helpers) and the given authentication. The only place in @mooring/gitops that spawns git.
 * Throws a typed GitError (redacted) when git exits non-zero.
 */
export async function runGit(args: readonly string[], opts: GitRunOptions = {}): Promise<GitRunResult> {
  const redactor = new Redactor(opts.secrets ?? []);
  const env: Record<string, string> = {
    ...baseEnvironment(),
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GCM_INTERACTIVE: 'never',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    // no ssh to interactive prompts; overridden below for key auth
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
    ...opts.env,
  };
  const config: [string, string][] = [
    // never consult a credential store
    ['credential.helper', ''],
    ['core.askPass', ''],
  ];
  let sshDir: string | undefined;
  const auth = opts.auth ?? { kind: 'none' };
  try {
    if (auth.kind === 'token') {
      const user = auth.username ?? 'x-access-token';
      const basic = Buffer.from(`${user}:${auth.token}`, 'utf8').toString('base64');
      redactor.add(auth.token).add(basic);
      config.push(['http.extraHeader', `Authorization: Basic ${basic}`]);
    } else if (auth.kind === 'ssh') {
      redactor.add(auth.privateKey);
      sshDir = await mkdtemp(join(tmpdir(), 'mooring-ssh-'));
      await chmod(sshDir, 0o700);
      const keyFile = join(sshDir, 'id');
      const key = auth.privateKey.endsWith('\n') ? auth.privateKey : `${auth.privateKey}\n`;
      await writeFile(keyFile, key, { mode: 0o600 });
      let knownHosts = auth.knownHostsFile ?? join(sshDir, 'known_hosts');
      let strict = 'accept-new';
      if (auth.knownHosts) {
        knownHosts = join(sshDir, 'known_hosts_pinned');
        await writeFile(knownHosts, auth.knownHosts, { mode: 0o600 });
        strict = 'yes';
      }
      env.GIT_SSH_COMMAND = [
        shellQuote(opts.sshProgram ?? 'ssh'),
        '-F /dev/null',
        `-i ${shellQuote(keyFile)}`,
        '-o IdentitiesOnly=yes',
        '-o BatchMode=yes',
        `-o StrictHostKeyChecking=${strict}`,
        `-o UserKnownHostsFile=${shellQuote(knownHosts)}`,
      ].join(' ');
    }
    env.GIT_CONFIG_COUNT = String(config.length);
    config.forEach(([k, v], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = k;
      env[`GIT_CONFIG_VALUE_${i}`] = v;
    });

    const fullArgs = [
      ...(opts.gitDir ? [`--git-dir=${opts.gitDir}`] : []),
      ...(opts.workTree ? [`--work-tree=${opts.workTree}`] : []),
      ...args,
    ];
    const command = formatCommand('git', fullArgs, redactor);
    let result: Awaited<ReturnType<typeof runProcess>>;
    try {
      result = await runProcess('git', fullArgs, {
        cwd: opts.cwd,
        env,
        timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      });
    } catch (e) {
      throw new GitError(`could not start git: ${(e as Error).message}`, {
        command,
        exitCode: null,
        stderr: '',
        cause: e,
      });
    }
    const stderr = truncate(redactor.redact(result.stderr.trim()));
    if (result.timedOut) {
      throw new GitNetworkError(
        `git timed out after ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms: ${command}`,
        {
          command,
          exitCode: null,
          stderr,
        },
      );
    }
    if (result.exitCode !== 0) {
      throw classifyGitFailure({ command, exitCode: result.exitCode, stderr }, opts.ref);
    }
    return { stdout: result.stdout.toString('utf8'), stderr, durationMs: result.durationMs };
  } finally {
    if (sshDir) await rm(sshDir, { recursive: true, force: true });
  }
}

const AUTH_PATTERNS = [
  /authentication failed/i,
  /could not read (username|password)/i,
  /terminal prompts disabled/i,
  /access denied/i,
  /permission denied \(publickey/i,
  /invalid username or password/i,
  /the requested URL returned error: 40[13]/i,
  /HTTP Basic: Access denied/i,
  /host key verification failed/i,
];
const REF_PATTERNS = [
  /couldn't find remote ref/i,
  /no such remote ref/i,
  /not our ref/i,
  /unadvertised object/i,
  /remote error: upload-pack: not our ref/i,
  /fatal: invalid refspec/i,
  /bad object/i,
  /unknown revision/i,
  /needed a single revision/i,
  /not a valid object name/i,
];
const REPO_PATTERNS = [
  /repository .* not found/i,
  /does not appear to be a git repository/i,
  /the requested URL returned error: 404/i,
  /not a git repository/i,
];
const NETWORK_PATTERNS = [
  /could not resolve host/i,
  /connection refused/i,
  /failed to connect/i,
  /connection timed out/i,
  /operation timed out/i,
  /network is unreachable/i,
  /could not connect/i,
  /connection reset/i,
  /the remote end hung up unexpectedly/i,
];

/** Maps a failed git run to the most specific error class, by its stderr. */
export function classifyGitFailure(failure: CommandFailure, ref?: string): GitError {
  const s = failure.stderr;
  const first =
    s.split('\n').find((l) => l.startsWith('fatal:') || l.startsWith('error:')) ?? s.split('\n')[0];
  const summary = first ? `: ${first}` : '';
  if (AUTH_PATTERNS.some((p) => p.test(s)))
    return new GitAuthError(`git authentication failed${summary}`, failure);
  if (REF_PATTERNS.some((p) => p.test(s)) && ref !== undefined) return new GitRefNotFoundError(ref, failure);
  if (REPO_PATTERNS.some((p) => p.test(s)))
    return new GitRepoNotFoundError(`git repository not found${summary}`, failure);
  if (NETWORK_PATTERNS.some((p) => p.test(s)))
    return new GitNetworkError(`git could not reach the remote${summary}`, failure);
  return new GitError(`git failed (exit ${failure.exitCode})${summary}`, failure);
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
