// Runs every benchmark in sequence, each as its own child process with this node binary.
// Run: npm run bench            (all)
//      npm run bench -- sweep   (those whose name contains "sweep")
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIR } from './lib.ts';

const BENCHMARKS: { name: string; nodeArgs: string[]; args: string[]; prepare?: string }[] = [
  { name: 'definition-load', nodeArgs: [], args: [] },
  { name: 'apply-podinfo', nodeArgs: [], args: [] },
  // --expose-gc: memory is measured after a full GC
  { name: 'sweep', nodeArgs: ['--expose-gc'], args: [] },
  { name: 'platform-agents', nodeArgs: [], args: [] },
  { name: 'gitops-fanout', nodeArgs: [], args: [] },
  { name: 'heal', nodeArgs: [], args: [] },
  { name: 'memory', nodeArgs: [], args: [] },
  // builds Flux's controllers into the binary cache first (only here, never for the tests)
  { name: 'peers', nodeArgs: [], args: [], prepare: 'peers/build-flux.sh' },
];

const filter = process.argv.slice(2);
const selected = BENCHMARKS.filter((b) => filter.length === 0 || filter.some((f) => b.name.includes(f)));
if (selected.length === 0) {
  console.error(`no benchmark matches ${filter.join(' ')}: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  process.exit(2);
}

function runOne(b: (typeof BENCHMARKS)[number]): Promise<number> {
  if (b.prepare) {
    const prep = spawnSync('bash', [join(BENCH_DIR, b.prepare)], { stdio: 'inherit' });
    if (prep.status !== 0) return Promise.resolve(prep.status ?? 1);
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...b.nodeArgs, join(BENCH_DIR, `${b.name}.ts`), ...b.args], {
      stdio: 'inherit',
    });
    child.on('error', () => resolve(1));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const outcomes: { name: string; code: number; seconds: number }[] = [];
for (const b of selected) {
  console.log(`\n=== ${b.name} ===`);
  const t0 = Date.now();
  const code = await runOne(b);
  outcomes.push({ name: b.name, code, seconds: Math.round((Date.now() - t0) / 1000) });
}
console.log('\n=== benchmarks ===');
for (const o of outcomes)
  console.log(`${o.name.padEnd(20)} ${o.code === 0 ? 'ran' : `ERROR (exit ${o.code})`} in ${o.seconds} s`);
process.exit(outcomes.some((o) => o.code !== 0) ? 1 : 0);
