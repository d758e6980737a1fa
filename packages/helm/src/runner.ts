import { spawn } from 'node:child_process';
import { redact } from '@mooring/core';
import { HelmError, HelmTimeoutError, ReleaseLockedError, ReleaseNotFoundError } from './errors.ts';

export interface HelmRunnerOptions {
  /** Path of the helm binary (default `helm` on PATH). */
  binary?: string;
  kubeconfig?: string;
  kubeContext?: string;
  /** Extra environment, e.g. HELM_CACHE_HOME/HELM_CONFIG_HOME/HELM_DATA_HOME. */
  env?: Record<string, string | undefined>;
  /** Called once per helm invocation, after it ends (for metrics and tests). */
  onCall?: (call: { args: string[]; ms: number; exitCode: number | null }) => void;
}

export interface RunOptions {
  stdin?: string;
  /** Kill helm after this long (ms); helm's own --timeout should fire first. */
  killAfterMs?: number;
  release?: string;
  /** Strings to redact from errors (passwords, values). */
  secrets?: string[];
}

/** Spawns helm: the only place in Mooring that does. */
export class HelmRunner {
  readonly binary: string;
  private readonly opts: HelmRunnerOptions;
  /** Number of helm processes started. */
  calls = 0;

  constructor(opts: HelmRunnerOptions = {}) {
    this.opts = opts;
    this.binary = opts.binary ?? 'helm';
  }

  async run(args: string[], o: RunOptions = {}): Promise<string> {
    const full = [...args];
    if (this.opts.kubeconfig) full.push('--kubeconfig', this.opts.kubeconfig);
    if (this.opts.kubeContext) full.push('--kube-context', this.opts.kubeContext);
    this.calls++;
    const t0 = Date.now();
    const child = spawn(this.binary, full, {
      env: { ...process.env, ...this.opts.env, HELM_NO_PLUGINS: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => undefined);
    child.stdin.end(o.stdin ?? '');
    let killed = false;
    const timer = o.killAfterMs
      ? setTimeout(() => {
          killed = true;
          child.kill('SIGKILL');
        }, o.killAfterMs)
      : undefined;
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    })
      .catch((e: Error) => {
        throw new HelmError(`cannot run ${this.binary}: ${e.message}`, {
          command: this.binary,
          exitCode: null,
          stderr: '',
          cause: e,
        });
      })
      // also when helm could not be started: a pending kill timer would keep the process alive
      .finally(() => clearTimeout(timer));
    this.opts.onCall?.({ args, ms: Date.now() - t0, exitCode });
    const stdout = Buffer.concat(out).toString('utf8');
    if (exitCode === 0 && !killed) return stdout;
    const secrets = o.secrets ?? [];
    const stderr = redact(Buffer.concat(err).toString('utf8').trim(), secrets);
    const command = redact(`helm ${args.join(' ')}`, secrets);
    const info = { command, exitCode, stderr, release: o.release };
    if (killed)
      throw new HelmTimeoutError(`helm did not finish within ${o.killAfterMs} ms: ${command}`, info);
    if (o.release && /release: not found|not found/i.test(stderr) && /release/i.test(stderr)) {
      throw new ReleaseNotFoundError(o.release, info);
    }
    if (o.release && /another operation \(install\/upgrade\/rollback\) is in progress/i.test(stderr)) {
      throw new ReleaseLockedError(o.release, info);
    }
    if (/context deadline exceeded|timed out waiting/i.test(stderr)) {
      throw new HelmTimeoutError(`${command}: ${firstLine(stderr)}`, info);
    }
    throw new HelmError(`${command} failed (exit ${exitCode}): ${lastError(stderr)}`, info);
  }
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim()) ?? '';
}

/** helm prints `Error: ...` last; keep that line as the message. */
function lastError(s: string): string {
  const lines = s.split('\n').filter((l) => l.trim());
  return (
    lines
      .reverse()
      .find((l) => l.startsWith('Error:'))
      ?.slice(7) ??
    lines[0] ??
    ''
  );
}
