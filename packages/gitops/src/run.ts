import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  /** The complete environment of the child (nothing is inherited implicitly). */
  env: Record<string, string>;
  /** Written to the child's standard input, which is then closed. */
  stdin?: string | Uint8Array;
  /** Kills the child (SIGKILL) after this long. */
  timeoutMs?: number;
  /** Stops collecting stdout beyond this many bytes and kills the child. */
  maxStdoutBytes?: number;
}

export interface RunResult {
  stdout: Buffer;
  stderr: string;
  /** Null when the child was killed by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  durationMs: number;
}

/**
 * Runs a program and collects its output. Resolves for every exit code; rejects only when the
 * program could not be started (e.g. ENOENT). Used by the git and sops adapters only.
 */
export function runProcess(file: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    const max = opts.maxStdoutBytes ?? 512 * 1024 * 1024;
    const timer =
      opts.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.timeoutMs)
        : undefined;
    child.stdout.on('data', (c: Buffer) => {
      outBytes += c.length;
      if (outBytes > max) {
        child.kill('SIGKILL');
        return;
      }
      out.push(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      // keep the first 256 KiB of stderr: enough for any diagnosis
      if (errBytes < 256 * 1024) err.push(c);
      errBytes += c.length;
    });
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: code,
        signal,
        timedOut,
        durationMs: performance.now() - started,
      });
    });
    child.stdin.on('error', () => {
      // the child may exit before reading all input; its exit code tells what happened
    });
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else child.stdin.end();
  });
}

const INHERITED = [
  'PATH',
  'TMPDIR',
  'LANG',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
];

/**
 * The few variables a child program needs from the parent (PATH, proxies, CA bundles).
 * Everything else — credentials in particular — is passed explicitly by the adapters.
 */
export function baseEnvironment(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of INHERITED) {
    const v = source[k];
    if (v !== undefined) env[k] = v;
  }
  return env;
}
