import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  logDir: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
}

/** A program the kit started: its PID, its log file, and how to stop it. */
export class ManagedProcess {
  readonly name: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  private exited = false;
  exitCode: number | null = null;
  private readonly exitPromise: Promise<void>;

  constructor(opts: StartOptions) {
    this.name = opts.name;
    this.logFile = join(opts.logDir, `${opts.name}.log`);
    const fd = openSync(this.logFile, 'a');
    this.child = spawn(opts.command, opts.args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', fd, fd],
      uid: opts.uid,
      gid: opts.gid,
    });
    closeSync(fd);
    this.exitPromise = new Promise((res) => {
      this.child.once('exit', (code) => {
        this.exited = true;
        this.exitCode = code;
        res();
      });
      this.child.once('error', () => {
        this.exited = true;
        res();
      });
    });
    registry.add(this);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** The last lines of the process log, for error messages. */
  tail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** Peak resident memory of the process so far (VmHWM from /proc), in bytes; undefined once it exited. */
  peakRssBytes(): number | undefined {
    if (!this.child.pid || this.exited) return undefined;
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  /** SIGTERM by PID, then SIGKILL after the grace period. */
  async stop(graceMs = 10_000): Promise<void> {
    registry.delete(this);
    if (this.exited || this.child.pid === undefined) return;
    try {
      process.kill(this.child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const done = await Promise.race([this.exitPromise.then(() => true), sleep(graceMs).then(() => false)]);
    if (!done && !this.exited) {
      try {
        process.kill(this.child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await this.exitPromise;
    }
  }
}

const registry = new Set<ManagedProcess>();

/** Kills (SIGKILL, synchronously) every process still registered: the last resort on exit. */
export function killAllSync(): void {
  for (const p of registry) {
    if (p.running && p.pid) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  registry.clear();
}

let hooked = false;
/** Makes sure nothing the kit started outlives this process, also on Ctrl-C. */
export function installExitHooks(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAllSync();
      process.exit(130);
    });
  }
}

export class StartupError extends Error {
  readonly service: string;
  readonly logTail: string;
  constructor(service: string, message: string, logTail: string) {
    super(`${service}: ${message}\n--- last lines of its log ---\n${logTail}`);
    this.name = 'StartupError';
    this.service = service;
    this.logTail = logTail;
  }
}

/** Polls `check` until it returns true, failing early if the process exits. */
export async function waitUntil(
  proc: ManagedProcess | undefined,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
  intervalMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc && !proc.running) {
      throw new StartupError(proc.name, `exited (code ${proc.exitCode}) before ${what}`, proc.tail());
    }
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    await sleep(intervalMs);
  }
  throw new StartupError(
    proc?.name ?? what,
    `timed out after ${timeoutMs} ms waiting for ${what}`,
    proc?.tail() ?? '',
  );
}
