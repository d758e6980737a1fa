// The Mooring agent for the peers benchmark: `node packages/agent/dist/agent.mjs` (the bundle the image runs)
// as a child process, with the chart's NODE_OPTIONS and MALLOC_* settings, against the
// kit's cluster and NATS; commands sent over the bus as the platform sends them, results read back.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommandEnvelope, NatsBus, resultSubject } from '@mooring/bus';
import type { KitInfo } from '@mooring/testkit';
import { BENCH_DIR, sleep } from '../lib.ts';
import { killOnExit } from '../platformProcess.ts';
import { processTree, procSample } from '../proc.ts';

const ROOT = join(BENCH_DIR, '..');

export interface CommandResult {
  command_id: string;
  ok: boolean;
  message?: string;
  apply?: { helm_calls?: number; members: { name: string; phase: string; message?: string }[] };
}

export interface MooringAgent {
  pid: number;
  logFile: string;
  /** Sends a command and waits for its result. */
  send(kind: string, payload: Record<string, unknown>, timeoutMs?: number): Promise<CommandResult>;
  /** Σ RSS of the agent and its helm children now (bytes). */
  treeRssBytes(): number;
  stop(): Promise<void>;
}

/** `env` is added to (and overrides) the agent's environment, e.g. NODE_OPTIONS with diagnostics flags. */
export async function startMooringAgent(
  kit: KitInfo,
  clusterId: string,
  env: Record<string, string> = {},
): Promise<MooringAgent> {
  if (!kit.natsUrl || !kit.kubeconfig)
    throw new Error('the agent needs the kit started with nats and kubernetes');
  // as the image runs it: the agent bundled into one file (packages/agent/Dockerfile), with the chart's
  // runtime settings for the agent container (charts/mooring-agent, _helpers.tpl)
  execFileSync('npm', ['run', 'build:agent', '-w', '@mooring/agent'], { cwd: ROOT, stdio: 'ignore' });
  const bus = await NatsBus.connect({ servers: kit.natsUrl, name: 'bench-peers-platform' });
  const results: CommandResult[] = [];
  await bus.subscribe<CommandResult>(resultSubject(clusterId), (m) => {
    results.push(m.data);
  });
  const logFile = join(kit.logDir, 'mooring-agent.log');
  const fd = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'packages', 'agent', 'dist', 'agent.mjs')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...kit.env,
        MOORING_CLUSTER_ID: clusterId,
        MOORING_NATS_URL: kit.natsUrl,
        MOORING_KUBECONFIG: kit.kubeconfig,
        MOORING_HELM: kit.helm,
        MOORING_CHART_CACHE: mkdtempSync(join(tmpdir(), 'bench-peers-agent-charts-')),
        MOORING_HTTP_PORT: '0',
        // the benchmark's drifts are found by the watch, not by a periodic sweep
        MOORING_RECONCILE_INTERVAL_SECONDS: '3600',
        MOORING_LOG_LEVEL: 'WARNING',
        NODE_OPTIONS: '--max-semi-space-size=1',
        MALLOC_ARENA_MAX: '2',
        MALLOC_MMAP_THRESHOLD_: '131072',
        MALLOC_TRIM_THRESHOLD_: '131072',
        ...env,
      },
      stdio: ['ignore', fd, fd],
    },
  );
  closeSync(fd);
  killOnExit([child]);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const send = async (kind: string, payload: Record<string, unknown>, timeoutMs = 1_800_000) => {
    const c: CommandEnvelope = {
      id: `${kind}-${Math.random().toString(36).slice(2, 10)}`,
      kind,
      cluster_id: clusterId,
      issued_at: new Date().toISOString(),
      payload,
    };
    await bus.commands(clusterId).send(c);
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (child.exitCode !== null) throw new Error(`the agent exited (${child.exitCode}); see ${logFile}`);
      const r = results.find((x) => x.command_id === c.id);
      if (r) return r;
      await sleep(20);
    }
    throw new Error(`no result for ${kind} within ${timeoutMs / 1000} s; see ${logFile}`);
  };
  return {
    pid: child.pid!,
    logFile,
    send,
    treeRssBytes: () => processTree(child.pid!).reduce((sum, p) => sum + (procSample(p)?.rssBytes ?? 0), 0),
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(30_000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await bus.close().catch(() => undefined);
    },
  };
}
