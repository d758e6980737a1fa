// Worker processes of simulated agents (bench/simulated-agents.ts), driven over IPC: started with
// the agents dealt round-robin, asked for their counters, stopped.
import { type ChildProcess, fork } from 'node:child_process';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, sleep } from './lib.ts';
import type { SimulatedAgent, WorkerStart, WorkerStats } from './simulated-agents.ts';

/**
 * Forks `count` workers (added to `workers` and `children`), deals them `agents` round-robin and starts
 * them with `settings`; `onStats` sees every report. Returns `ask`: every worker's report, each within 120 s.
 */
export function forkAgentWorkers(o: {
  count: number;
  agents: SimulatedAgent[];
  settings: Omit<WorkerStart, 'type' | 'agents'>;
  workers: ChildProcess[];
  children: ChildProcess[];
  onStats: (worker: number, stats: WorkerStats) => void;
  /**
   * The workers' nice value (default 0). The simulated agents stand for remote machines; a positive
   * value lets the platform and its services have the cores first when they share them with the
   * simulators (the load they send is the same as long as they keep up: their own counters say so).
   */
  nice?: number;
}): () => Promise<WorkerStats[]> {
  const pending = new Map<number, (s: WorkerStats) => void>();
  for (let w = 0; w < o.count; w++) {
    const child = fork(join(BENCH_DIR, 'simulated-agents.ts'), [], {
      execPath: process.execPath,
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    o.children.push(child);
    o.workers.push(child);
    if (o.nice && child.pid) setPriority(child.pid, o.nice);
    child.on('message', (m: WorkerStats | { type: string }) => {
      if (m.type !== 'stats') return;
      const s = m as WorkerStats;
      o.onStats(w, s);
      pending.get(w)?.(s);
      pending.delete(w);
    });
    const start: WorkerStart = {
      type: 'start',
      ...o.settings,
      agents: o.agents.filter((_, i) => i % o.count === w),
    };
    child.send(start);
  }
  return () =>
    Promise.all(
      o.workers.map(
        (child, w) =>
          new Promise<WorkerStats>((res, rej) => {
            const t = setTimeout(() => rej(new Error(`worker ${w} did not report within 120 s`)), 120_000);
            pending.set(w, (s) => {
              clearTimeout(t);
              res(s);
            });
            child.send({ type: 'stats' });
          }),
      ),
    );
}

/** Asks every worker still running to stop; SIGKILL for one that has not exited 20 s later. */
export async function stopAgentWorkers(workers: ChildProcess[]): Promise<void> {
  for (const w of workers) {
    if (w.exitCode !== null || w.signalCode !== null) continue;
    const gone = new Promise<boolean>((r) => w.once('exit', () => r(true)));
    w.send({ type: 'stop' });
    const ok = await Promise.race([gone, sleep(20_000).then(() => false)]);
    if (!ok && w.pid) process.kill(w.pid, 'SIGKILL');
  }
}
