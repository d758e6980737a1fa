// The agent as the chart runs it: `node packages/agent/src/main.ts`, a child process of the
// test in its own process group, so a SIGKILL takes its helm children with it as the
// container's end would.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.ts';
import { freePort } from './ports.ts';

export interface AgentProcess {
  readonly pid: number;
  readonly port: number;
  readonly logFile: string;
  /** The JSON of `/readyz` (status and body), or undefined when nothing answers. */
  readyz(): Promise<{ status: number; body: Record<string, unknown> } | undefined>;
  /** The text of `/metrics`. */
  metrics(): Promise<string>;
  /** The agent's log lines (JSON) so far. */
  logLines(): Record<string, unknown>[];
  /** SIGKILL to the whole process group (the agent and any helm it runs); resolves once it exited. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL to the group after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

export async function startAgentProcess(o: {
  env: Record<string, string | undefined>;
  logFile: string;
}): Promise<AgentProcess> {
  const port = await freePort();
  const fd = openSync(o.logFile, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    [join(REPO_ROOT, 'packages', 'agent', 'src', 'main.ts')],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, MOORING_HTTP_PORT: String(port), ...o.env },
      stdio: ['ignore', fd, fd],
      detached: true,
    },
  );
  closeSync(fd);
  const pid = child.pid!;
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      done = true;
      resolve(code);
    });
  });
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      /* already gone */
    }
  };
  const base = `http://127.0.0.1:${port}`;
  return {
    pid,
    port,
    logFile: o.logFile,
    exited,
    async readyz() {
      try {
        const r = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) });
        return { status: r.status, body: (await r.json()) as Record<string, unknown> };
      } catch {
        return undefined;
      }
    },
    async metrics() {
      const r = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5000) });
      return r.text();
    },
    logLines() {
      return readFileSync(o.logFile, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    async kill() {
      group('SIGKILL');
      await exited;
    },
    async stop(graceMs = 15_000) {
      if (done) return exited;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      const t = setTimeout(() => group('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(t);
      // nothing of the group outlives the test
      group('SIGKILL');
      return code;
    },
  };
}
