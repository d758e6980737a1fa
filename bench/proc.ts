// Another process's CPU and memory, read from /proc.
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = 100; // USER_HZ on Linux

export interface ProcSample {
  /** utime+stime of the process, in seconds. */
  cpuSeconds: number;
  /** VmRSS in bytes. */
  rssBytes: number;
  /** VmHWM (peak RSS so far) in bytes. */
  hwmBytes: number;
}

function statFields(pid: number): string[] {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after ")" start at field 3 (state): ppid is field 4, utime 14, stime 15
  return f.slice(f.lastIndexOf(')') + 2).split(' ');
}

/** utime+stime of one process in seconds; 0 when it is gone. */
export function procCpu(pid: number): number {
  try {
    const rest = statFields(pid);
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** CPU, RSS and peak RSS of one process; undefined when it is gone. */
export function procSample(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
    return { cpuSeconds: procCpu(pid), rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** A process and its direct children (e.g. the postmaster and its backends). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (Number(statFields(Number(d))[1]) === pid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** utime+stime of a process and its direct children (alive, or exited and waited for), in seconds. */
export function treeCpu(pid: number): number {
  let waited = 0;
  try {
    const rest = statFields(pid);
    waited = (Number(rest[13]) + Number(rest[14])) / CLK_TCK;
  } catch {
    return 0;
  }
  return waited + processTree(pid).reduce((sum, p) => sum + procCpu(p), 0);
}

/** CPU seconds the whole machine spent busy (every core; /proc/stat's first line, all but idle and iowait). */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** Seconds so far in which some task waited for a CPU, and for I/O (Linux pressure stall information). */
export interface Pressure {
  cpuSome: number;
  ioSome: number;
}

function pressureTotal(resource: 'cpu' | 'io'): number {
  try {
    const some = readFileSync(`/proc/pressure/${resource}`, 'utf8').split('\n')[0] ?? '';
    return Number(/total=(\d+)/.exec(some)?.[1] ?? 0) / 1e6;
  } catch {
    return 0;
  }
}

/** The machine's pressure stall totals (0 where /proc/pressure is absent). */
export function pressure(): Pressure {
  return { cpuSome: pressureTotal('cpu'), ioSome: pressureTotal('io') };
}
