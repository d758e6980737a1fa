// Where the agent's memory goes as releases are added: the agent process (as in peers.ts, the chart's
// runtime settings) connected with nothing applied, then with N podinfo releases deployed and watched;
// at each point its RSS split (/proc/PID/smaps_rollup: anonymous vs file-backed) and V8's own accounting
// from a diagnostic report (--report-on-signal: heap reserved, committed, used; external memory), so the
// anonymous memory outside V8's heap (malloc: native buffers, helm output, TLS, zlib) can be told apart.
// At the end, with the releases deployed, one V8 heap snapshot (--heapsnapshot-signal) summarised by
// constructor: the live objects. The snapshot comes last because writing one grows the process's RSS
// (by about 140 MiB here) and that memory is not given back.
//
// Run: npx node bench/agent-heap.ts [--releases 100] [--namespaces 10] [--top 25]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKit } from '@mooring/testkit';
import { clusterText, podinfoAddons, smallValues } from './defs.ts';
import { arg, log, machine, round, sleep, table, writeResults } from './lib.ts';
import { startMooringAgent } from './peers/mooringAgent.ts';

const RELEASES = Number(arg('releases', '100'));
const NAMESPACES = Number(arg('namespaces', '10'));
const TOP = Number(arg('top', '25'));
const MiB = (b: number) => round(b / 1048576, 1);

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size by group: objects by constructor name, the rest by V8 node type ("(string)", "(code)" ...). */
function summarise(file: string): { total: number; groups: Map<string, { size: number; count: number }> } {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const f = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('self_size')];
  const groups = new Map<string, { size: number; count: number }>();
  let total = 0;
  for (let i = 0; i < s.nodes.length; i += f.length) {
    const type = types[s.nodes[i + iType]!]!;
    const size = s.nodes[i + iSize]!;
    const key =
      type === 'object' || type === 'closure'
        ? `${s.strings[s.nodes[i + iName]!]}${type === 'closure' ? ' (closure)' : ''}`
        : `(${type})`;
    const g = groups.get(key) ?? { size: 0, count: 0 };
    g.size += size;
    g.count++;
    groups.set(key, g);
    total += size;
  }
  return { total, groups };
}

function rssSplit(pid: number): { rssMiB: number; anonMiB: number; fileMiB: number } {
  const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (n: string) => Number(new RegExp(`^${n}:\\s+(\\d+) kB`, 'm').exec(t)?.[1] ?? 0) * 1024;
  return { rssMiB: MiB(kb('Rss')), anonMiB: MiB(kb('Anonymous')), fileMiB: MiB(kb('Rss') - kb('Anonymous')) };
}

interface Report {
  javascriptHeap: {
    totalMemory: number;
    totalCommittedMemory: number;
    usedMemory: number;
    externalMemory: number;
  };
}

/** The next file in `dir` ending with `suffix` once the process wrote it (its size stable). */
async function nextFile(pid: number, dir: string, signal: NodeJS.Signals, suffix: string): Promise<string> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, signal);
  for (let i = 0; i < 600; i++) {
    await sleep(500);
    const f = readdirSync(dir).find((x) => !before.has(x) && x.endsWith(suffix));
    if (f) {
      const a = readFileSync(join(dir, f)).length;
      await sleep(1000);
      if (readFileSync(join(dir, f)).length === a && a > 0) return join(dir, f);
    }
  }
  throw new Error(`no ${suffix} written after ${signal}`);
}

/** RSS split and V8's accounting (a diagnostic report: cheap, it does not grow the process). */
async function measure(pid: number, dir: string) {
  const rss = rssSplit(pid);
  const r = JSON.parse(readFileSync(await nextFile(pid, dir, 'SIGUSR2', '.json'), 'utf8')) as Report;
  const h = r.javascriptHeap;
  return {
    ...rss,
    v8ReservedMiB: MiB(h.totalMemory),
    v8CommittedMiB: MiB(h.totalCommittedMemory),
    v8UsedMiB: MiB(h.usedMemory),
    externalMiB: MiB(h.externalMemory),
    /** Anonymous memory that is not V8's heap: malloc (native buffers, ArrayBuffer stores), stacks. */
    outsideV8MiB: round(rss.anonMiB - MiB(h.totalCommittedMemory), 1),
  };
}

async function main(): Promise<void> {
  log(`starting the kit (nats, kubernetes, charts); ${RELEASES} releases`);
  const kit = await startKit(['nats', 'kubernetes', 'charts']);
  const dir = mkdtempSync(join(tmpdir(), 'bench-agent-heap-'));
  const agent = await startMooringAgent(kit.info, 'bench-heap', {
    NODE_OPTIONS: [
      '--max-semi-space-size=1',
      '--report-on-signal',
      '--report-signal=SIGUSR2',
      `--report-directory=${dir}`,
      '--heapsnapshot-signal=SIGWINCH',
      `--diagnostic-dir=${dir}`,
    ].join(' '),
  });
  try {
    const first = await agent.send('sweep', {}, 300_000);
    if (!first.ok) throw new Error(`first sweep failed: ${first.message}`);
    await sleep(10_000);
    const empty = await measure(agent.pid, dir);
    log(`empty: RSS ${empty.rssMiB} MiB, V8 committed ${empty.v8CommittedMiB} MiB`);
    const addons = podinfoAddons('hp', RELEASES, NAMESPACES, smallValues).map((a) => ({
      ...a,
      selfHeal: true,
    }));
    const r = await agent.send('apply', {
      files: { 'import-cluster.yaml': clusterText('bench-heap', addons, kit.info.chartRepoUrl!) },
      path: 'import-cluster.yaml',
      options: { concurrency: 8 },
    });
    if (!r.ok) throw new Error(`apply failed: ${r.message}`);
    await agent.send('sweep', {}, 300_000);
    await sleep(30_000);
    const full = await measure(agent.pid, dir);
    log(`${RELEASES} releases: RSS ${full.rssMiB} MiB, V8 committed ${full.v8CommittedMiB} MiB`);
    const heap = summarise(await nextFile(agent.pid, dir, 'SIGWINCH', '.heapsnapshot'));
    const live = MiB(heap.total);
    const rows = [...heap.groups.entries()]
      .map(([group, g]) => ({ group, MiB: MiB(g.size), count: g.count }))
      .sort((x, y) => y.MiB - x.MiB)
      .slice(0, TOP);
    const cells = (x: typeof empty) => [
      x.rssMiB,
      x.fileMiB,
      x.anonMiB,
      x.v8ReservedMiB,
      x.v8CommittedMiB,
      x.v8UsedMiB,
      x.externalMiB,
      x.outsideV8MiB,
    ];
    table(
      'Agent memory (MiB)',
      [
        'point',
        'RSS',
        'file-backed',
        'anonymous',
        'V8 heap reserved',
        'V8 committed',
        'V8 used',
        'V8 external',
        'anonymous outside V8 heap',
      ],
      [
        ['connected, nothing applied', ...cells(empty)],
        [`${RELEASES} releases deployed and watched`, ...cells(full)],
        ['growth', ...cells(full).map((v, k) => round(v - cells(empty)[k]!, 1))],
      ],
    );
    table(
      `Live V8 heap with ${RELEASES} releases (after a full GC: ${live} MiB), top ${TOP} by self size`,
      ['group', 'MiB', 'objects'],
      rows.map((x) => [x.group, x.MiB, x.count]),
    );
    const file = writeResults('agent-heap', {
      benchmark: 'agent-heap',
      date: new Date().toISOString(),
      command: `npx node bench/agent-heap.ts ${process.argv.slice(2).join(' ')}`.trim(),
      machine: machine(),
      releases: RELEASES,
      empty,
      full,
      liveHeapMiB: live,
      liveHeapTop: rows,
    });
    console.log(`\nresults: ${file}`);
  } finally {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
    await kit.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
