// Time to load + validate a generated definition (500 members across 50 files), warm.
// Run: npx node bench/definition-load.ts [iterations]
import { buildPlan, loadDefinition, MemoryFileSource } from '../packages/core/src/definition/index.ts';
import { generateDefinition } from '../packages/core/test/definition/generate.ts';

const iterations = Number(process.argv[2] ?? 20);
const gen = generateDefinition({ files: 50, perFile: 10 });
const source = new MemoryFileSource(gen.files);

const warm = loadDefinition(source, gen.main);
if (!warm.definition) {
  console.error(warm.diagnostics.slice(0, 5));
  throw new Error('generated definition is invalid');
}
const times: number[] = [];
let planMs = 0;
for (let i = 0; i < iterations; i++) {
  const t0 = performance.now();
  const r = loadDefinition(source, gen.main);
  times.push(performance.now() - t0);
  const t1 = performance.now();
  buildPlan(r.definition!);
  planMs += performance.now() - t1;
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
console.log(
  `definition load+validate: ${gen.members} members, ${Object.keys(gen.files).length - 1} member files + main: ` +
    `median ${median.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms over ${iterations} runs ` +
    `(target < 300 ms); plan (incl. hashing) ${(planMs / iterations).toFixed(1)} ms`,
);
