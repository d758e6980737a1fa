import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from './logger.ts';

type Gc = (options?: { type?: 'major'; execution?: 'sync'; flavor?: 'regular' | 'last-resort' }) => void;

export interface HeapCompactorOptions {
  logger: Logger;
  /** Time between looks at the heap's size (default 5 s). */
  intervalMs?: number;
  /** Growth of the V8 heap since the last compaction that is worth giving back (default 8 MiB). */
  growthBytes?: number;
  /** The heap's committed size now (tests). */
  heapSize?: () => number;
  /** Runs the compacting collection (tests). */
  compact?: () => void;
}

export interface HeapCompactor {
  /** One look: compacts when the heap grew by `growthBytes` and has stopped growing. True when it compacted. */
  check(): boolean;
  stop(): void;
}

const MiB = 1048576;

/** V8's `gc` with the memory-reducing flavour, exposed for this process (once). */
function lastResortGc(): () => void {
  let gc: Gc | undefined;
  return () => {
    if (!gc) {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as Gc;
    }
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  };
}

/**
 * Gives the V8 heap back after a burst. V8 grows its old generation while the agent applies releases
 * or takes in a flood of watch events, and keeps those pages once the garbage on them is collected
 * (partly filled pages are not compacted while the process is quiet): at 200 releases and 4,000
 * watched objects the old space held 40 MiB for 17 MiB of live objects a minute later. When the
 * heap has grown by `growthBytes` since the last compaction and did not grow over the last interval
 * (the burst is over), one memory-reducing collection (`gc` with the `last-resort` flavour: a full,
 * compacting collection that frees empty pages) brings it back to what is live. It pauses the process
 * for one full collection of the heap (tens of milliseconds at these sizes), at most once per burst.
 * Started by `main.ts` only: an agent embedded in another process leaves that process's heap alone.
 */
export function startHeapCompactor(o: HeapCompactorOptions): HeapCompactor {
  const heapSize = o.heapSize ?? (() => getHeapStatistics().total_heap_size);
  const compact = o.compact ?? lastResortGc();
  const growth = o.growthBytes ?? 8 * MiB;
  let base = heapSize();
  let previous = base;
  const check = (): boolean => {
    const now = heapSize();
    const settled = now <= previous;
    previous = now;
    if (now < base) base = now;
    if (now - base < growth || !settled) return false;
    const t0 = performance.now();
    try {
      compact();
    } catch (err) {
      o.logger.warn({ err }, 'compacting the heap failed');
      base = now;
      return false;
    }
    base = previous = heapSize();
    o.logger.debug(
      {
        before_mib: Math.round(now / MiB),
        after_mib: Math.round(base / MiB),
        pause_ms: Math.round(performance.now() - t0),
      },
      'heap compacted after a burst',
    );
    return true;
  };
  const timer = setInterval(check, o.intervalMs ?? 5000);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
