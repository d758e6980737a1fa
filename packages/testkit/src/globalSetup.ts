import type { TestProject } from 'vitest/node';
import { ALL_SERVICES, type KitService, startKit } from './kit.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kit: import('./kit.ts').KitInfo;
  }
}

/** Vitest global setup: starts the kit once for the suite, stops it (by PID) at the end. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wanted =
    (process.env.MOORING_KIT_SERVICES?.split(',').filter(Boolean) as KitService[] | undefined) ??
    ALL_SERVICES;
  const t = Date.now();
  const kit = await startKit(wanted);
  const total = Date.now() - t;
  const parts = Object.entries(kit.info.timings)
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}s`)
    .join(', ');
  console.log(`[testkit] up in ${(total / 1000).toFixed(1)}s (${parts}); work dir ${kit.info.workDir}`);
  project.provide('kit', kit.info);
  return async () => {
    const peaks = kit.controlPlanePeakMiB();
    const total = Object.values(peaks).reduce((a, b) => a + b, 0);
    if (total > 0) {
      const each = Object.entries(peaks)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      console.log(`[testkit] control plane peak RSS ${total} MiB (${each})`);
    }
    await kit.stop();
  };
}
