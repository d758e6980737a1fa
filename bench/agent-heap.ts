// Where the agent's memory goes as releases are added: the agent process (as in peers.ts, the chart's
// runtime settings) connected with nothing applied, then with N podinfo releases deployed and watched;
// at each point its RSS split (/proc/PID/smaps_rollup: anonymous vs file-backed) and V8's own accounting
// from a diagnostic report (--report-on-signal: heap reserved, committed, used; external memory), so the
// anonymous memory outside V8's heap (malloc: native buffers, helm output, TLS, zlib) can be told apart.
// At the end, with the releases deployed, one V8 heap snapshot (--heapsnapshot-signal) summarised by
// constructor: the live objects. The snapshot comes last because writing one grows the process's RSS
// (by about 140 MiB here) and that memory is not given back.
//
// `--mix memory` deploys the releases of bench/memory.ts instead (half, then all, as it does) and `--objects N`
// then adds small ConfigMaps until the watched kinds hold about N objects: its "200 releases, ~4,000 objects"
// point (`--releases 200 --mix memory --objects 4000`). Besides the groups by constructor, the live heap's
// plain objects are grouped by their first property names (which data they are: metadata, specs ...) and the
// strings held more than once are listed.
//
// Run: npx node bench/agent-heap.ts [--releases 100] [--namespaces 10] [--top 25] [--mix small|memory] [--objects N] [--keep DIR]
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startKit } from '@mooring/testkit';
import { clusterText, memoryAddons, podinfoAddons, smallValues } from './defs.ts';
import { arg, log, machine, pool, round, sleep, table, writeResults } from './lib.ts';
import { startMooringAgent } from './peers/mooringAgent.ts';

const RELEASES = Number(arg('releases', '100'));
const NAMESPACES = Number(arg('namespaces', '10'));
const TOP = Number(arg('top', '25'));
const MIX = arg('mix', 'small');
const OBJECTS = Number(arg('objects', '0'));
/** Keep the heap snapshot in this directory (for DevTools). */
const KEEP = arg('keep', '');
const MiB = (b: number) => round(b / 1048576, 1);

interface Snapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

interface Group {
  size: number;
  count: number;
}

/**
 * Self size by group: objects by constructor name, the rest by V8 node type ("(string)", "(code)" ...);
 * plain objects (`Object`) also by their first four property names; strings by their text.
 */
function summarise(file: string): {
  total: number;
  groups: Map<string, Group>;
  shapes: Map<string, Group>;
  strings: Map<string, Group>;
} {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const f = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const ef = s.snapshot.meta.edge_fields;
  const edgeTypes = s.snapshot.meta.edge_types[0];
  const [iType, iName, iSize, iEdges] = [
    f.indexOf('type'),
    f.indexOf('name'),
    f.indexOf('self_size'),
    f.indexOf('edge_count'),
  ];
  const [eType, eName] = [ef.indexOf('type'), ef.indexOf('name_or_index')];
  const groups = new Map<string, Group>();
  const shapes = new Map<string, Group>();
  const strings = new Map<string, Group>();
  const add = (m: Map<string, Group>, key: string, size: number) => {
    const g = m.get(key) ?? { size: 0, count: 0 };
    g.size += size;
    g.count++;
    m.set(key, g);
  };
  let total = 0;
  let edge = 0;
  for (let i = 0; i < s.nodes.length; i += f.length) {
    const type = types[s.nodes[i + iType]!]!;
    const size = s.nodes[i + iSize]!;
    const edges = s.nodes[i + iEdges]!;
    const name = s.strings[s.nodes[i + iName]!]!;
    const key =
      type === 'object' || type === 'closure'
        ? `${name}${type === 'closure' ? ' (closure)' : ''}`
        : `(${type})`;
    add(groups, key, size);
    if (type === 'object' && name === 'Object') {
      const props: string[] = [];
      for (let e = edge; e < edge + edges * ef.length && props.length < 4; e += ef.length)
        if (edgeTypes[s.edges[e + eType]!] === 'property') props.push(s.strings[s.edges[e + eName]!]!);
      add(shapes, `{${props.join(', ')}}`, size);
    }
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string')
      add(strings, name.length > 60 ? `${name.slice(0, 60)}…` : name, size);
    edge += edges * ef.length;
    total += size;
  }
  return { total, groups, shapes, strings };
}

function rssSplit(pid: number): { rssMiB: number; anonMiB: number; fileMiB: number } {
  const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (n: string) => Number(new RegExp(`^${n}:\\s+(\\d+) kB`, 'm').exec(t)?.[1] ?? 0) * 1024;
  return { rssMiB: MiB(kb('Rss')), anonMiB: MiB(kb('Anonymous')), fileMiB: MiB(kb('Rss') - kb('Anonymous')) };
}

/**
 * Anonymous RSS by mapping (/proc/PID/smaps): glibc's main heap (`[heap]`, the main thread's malloc)
 * and every other anonymous mapping (V8's heap pages, glibc's other arenas, thread stacks, buffers
 * mapped on their own). V8's cage and glibc's arenas are split into many mappings by their protections,
 * so they are not told apart here; V8's share is its committed size (the report).
 */
function anonByMapping(pid: number): Record<string, number> {
  const out: Record<string, number> = { mainHeap: 0, otherAnon: 0 };
  let kind = 'otherAnon';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const m = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (m) {
      const name = m[1] ?? '';
      kind = name === '[heap]' ? 'mainHeap' : name ? 'file' : 'otherAnon';
      continue;
    }
    const a = /^Anonymous:\s+(\d+) kB/.exec(line);
    if (a && kind !== 'file') out[kind] = (out[kind] ?? 0) + Number(a[1]) * 1024;
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, MiB(v)]));
}

interface Report {
  javascriptHeap: {
    totalMemory: number;
    totalCommittedMemory: number;
    usedMemory: number;
    externalMemory: number;
    heapSpaces?: Record<string, { committedMemory: number; used: number }>;
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
  const mappings = anonByMapping(pid);
  const r = JSON.parse(readFileSync(await nextFile(pid, dir, 'SIGUSR2', '.json'), 'utf8')) as Report;
  const h = r.javascriptHeap;
  return {
    ...rss,
    v8ReservedMiB: MiB(h.totalMemory),
    v8CommittedMiB: MiB(h.totalCommittedMemory),
    v8UsedMiB: MiB(h.usedMemory),
    externalMiB: MiB(h.externalMemory),
    /** Anonymous memory by mapping: glibc's main heap and the rest. */
    mappings,
    /** Per V8 space: committed / used MiB (where the heap's slack is). */
    spaces: Object.fromEntries(
      Object.entries(h.heapSpaces ?? {})
        .filter(([, v]) => v.committedMemory > 0)
        .map(([k, v]) => [k, `${MiB(v.committedMemory)} / ${MiB(v.used)}`]),
    ),
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
    const apply = async (list: ReturnType<typeof memoryAddons>) => {
      const r = await agent.send('apply', {
        files: { 'import-cluster.yaml': clusterText('bench-heap', list, kit.info.chartRepoUrl!) },
        path: 'import-cluster.yaml',
        options: { concurrency: 8 },
      });
      if (!r.ok) throw new Error(`apply failed: ${r.message}`);
    };
    if (MIX === 'memory') {
      await apply(memoryAddons('hp', 0, Math.ceil(RELEASES / 2)));
      await apply(memoryAddons('hp', 0, RELEASES));
    } else
      await apply(
        podinfoAddons('hp', RELEASES, NAMESPACES, smallValues).map((a) => ({ ...a, selfHeal: true })),
      );
    let objects: number | undefined;
    if (OBJECTS > 0) objects = await configMapsUpTo(kit.info.kubeconfig!, OBJECTS);
    await agent.send('sweep', {}, 300_000);
    await sleep(30_000);
    const full = await measure(agent.pid, dir);
    log(`V8 spaces (committed / used MiB): ${JSON.stringify(full.spaces)}`);
    log(
      `anonymous memory by mapping (MiB): idle ${JSON.stringify(empty.mappings)}, now ${JSON.stringify(full.mappings)}`,
    );
    // the same a minute later: what V8 and malloc give back when the agent is left alone
    await sleep(60_000);
    const later = await measure(agent.pid, dir);
    log(
      `a minute later: RSS ${later.rssMiB} MiB (anon ${later.anonMiB}), V8 committed ${later.v8CommittedMiB} MiB, outside V8 ${later.outsideV8MiB}; spaces ${JSON.stringify(later.spaces)}; mappings ${JSON.stringify(later.mappings)}`,
    );
    log(
      `${RELEASES} releases${objects ? `, ${objects} objects` : ''}: RSS ${full.rssMiB} MiB, V8 committed ${full.v8CommittedMiB} MiB`,
    );
    const snapshotFile = await nextFile(agent.pid, dir, 'SIGWINCH', '.heapsnapshot');
    if (KEEP) copyFileSync(snapshotFile, join(KEEP, 'agent.heapsnapshot'));
    const heap = summarise(snapshotFile);
    const live = MiB(heap.total);
    const rows = [...heap.groups.entries()]
      .map(([group, g]) => ({ group, MiB: MiB(g.size), count: g.count }))
      .sort((x, y) => y.MiB - x.MiB)
      .slice(0, TOP);
    const top = (m: Map<string, Group>, by: (g: Group) => number) =>
      [...m.entries()]
        .map(([group, g]) => ({ group, MiB: MiB(g.size), count: g.count, key: by(g) }))
        .sort((x, y) => y.key - x.key)
        .slice(0, TOP)
        .map(({ key: _k, ...x }) => x);
    const shapes = top(heap.shapes, (g) => g.size);
    // what a string held more than once costs beyond its first copy
    const dupes = top(heap.strings, (g) => (g.count > 1 ? (g.size * (g.count - 1)) / g.count : 0));
    const bigStrings = top(heap.strings, (g) => g.size);
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
        [`${RELEASES} releases deployed and watched${objects ? `, ${objects} objects` : ''}`, ...cells(full)],
        ['growth', ...cells(full).map((v, k) => round(v - cells(empty)[k]!, 1))],
      ],
    );
    table(
      `Live V8 heap with ${RELEASES} releases (after a full GC: ${live} MiB), top ${TOP} by self size`,
      ['group', 'MiB', 'objects'],
      rows.map((x) => [x.group, x.MiB, x.count]),
    );
    table(
      `Plain objects by their first property names, top ${TOP}`,
      ['properties', 'MiB', 'objects'],
      shapes.map((x) => [x.group, x.MiB, x.count]),
    );
    table(
      `Strings by their first 60 characters, top ${TOP} by size`,
      ['text', 'MiB', 'strings'],
      bigStrings.map((x) => [JSON.stringify(x.group), x.MiB, x.count]),
    );
    table(
      `Strings held more than once, top ${TOP} by the size of the copies`,
      ['text', 'MiB (all copies)', 'copies'],
      dupes.map((x) => [JSON.stringify(x.group), x.MiB, x.count]),
    );
    const file = writeResults('agent-heap', {
      benchmark: 'agent-heap',
      date: new Date().toISOString(),
      command: `npx node bench/agent-heap.ts ${process.argv.slice(2).join(' ')}`.trim(),
      machine: machine(),
      releases: RELEASES,
      mix: MIX,
      objects,
      empty,
      full,
      later,
      liveHeapMiB: live,
      liveHeapTop: rows,
      liveObjectShapes: shapes,
      largestStrings: bigStrings,
      duplicatedStrings: dupes,
    });
    console.log(`\nresults: ${file}`);
  } finally {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
    await kit.stop();
  }
}

/** Small ConfigMaps in namespace `bench-heap-cm` until the kinds the releases use hold about `target` objects. */
async function configMapsUpTo(kubeconfig: string, target: number): Promise<number> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const count = async () => {
    const rest = (l: { metadata?: { remainingItemCount?: number }; items: unknown[] }) =>
      (l.metadata?.remainingItemCount ?? 0) + l.items.length;
    const apps = kc.makeApiClient(AppsV1Api);
    return (
      rest(await core.listConfigMapForAllNamespaces({ limit: 1 })) +
      rest(await core.listServiceAccountForAllNamespaces({ limit: 1 })) +
      rest(await core.listServiceForAllNamespaces({ limit: 1 })) +
      rest(await apps.listDeploymentForAllNamespaces({ limit: 1 }))
    );
  };
  const extra = Math.max(0, target - (await count()));
  await core.createNamespace({ body: { metadata: { name: 'bench-heap-cm' } } });
  await pool(
    Array.from({ length: extra }, (_, i) => i),
    16,
    (i) =>
      core.createNamespacedConfigMap({
        namespace: 'bench-heap-cm',
        body: {
          metadata: { name: `cm-${String(i).padStart(5, '0')}` },
          data: { index: String(i), note: `a small ConfigMap ${i}` },
        },
      }),
  );
  return count();
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
