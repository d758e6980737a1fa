/**
 * `mooring apply`: validate, plan and deploy a cluster definition to a cluster
 * with the native engine, standalone (no platform). `--dry-run` renders and
 * diffs without changing anything; `--watch` keeps reconciling afterwards.
 */
import {
  type ApplyResult,
  applyPlan,
  type MemberPreview,
  manifestSweepTargets,
  previewPlan,
  sweepTargets,
} from '@mooring/engine';
import { checkApiServer } from '@mooring/kube';
import { type Command, type Io, parseOptions, UsageError } from '../io.ts';
import { Progress } from '../progress.ts';
import { CLUSTER_OPTIONS, CLUSTER_USAGE, engineContext, helmBinary } from './cluster.ts';
import { loadValid } from './load.ts';
import { outputFormat, SOURCE_OPTIONS, SOURCE_USAGE } from './source.ts';
import { parseInterval, watchLoop } from './watch.ts';

const USAGE = `usage: mooring apply [-f import-cluster.yaml] [--dry-run] [--watch] [--output text|json]
                     [--concurrency N] [--take-ownership] [cluster options] [source options]

Validates the definition (nothing is applied if it has errors), plans it and deploys it: waves in
order, members of a stack in parallel as their parents allow, each add-on as a Helm release named
after it in its namespace. Unchanged members are skipped without calling Helm. Members that left the
definition are removed once everything else succeeded.

      --dry-run           render and diff against the cluster; change nothing
      --watch             after applying, keep reconciling (drift, self-heal, prune) until Ctrl-C
      --interval DUR      time between full sweeps with --watch (default 60s)
      --concurrency N     members deployed at once (default 8)
      --take-ownership    adopt existing objects into the releases (helm --take-ownership)
      --delete-pvcs       also delete PersistentVolumeClaims of removed or moved add-ons
                          (default: keep them and report them)
${CLUSTER_USAGE}
${SOURCE_USAGE}`;

const APPLY_OPTIONS = {
  ...SOURCE_OPTIONS,
  ...CLUSTER_OPTIONS,
  'dry-run': { type: 'boolean' },
  watch: { type: 'boolean' },
  interval: { type: 'string' },
  concurrency: { type: 'string' },
  'take-ownership': { type: 'boolean' },
  'delete-pvcs': { type: 'boolean' },
} as const;

function renderPreview(p: MemberPreview[]): string {
  let out = '';
  for (const m of p) {
    out += `${m.action.padEnd(9)} ${m.stack}/${m.id}: ${m.message}\n`;
    for (const o of m.objects) {
      if (o.change === 'unchanged') continue;
      out += `    ${o.change.padEnd(7)} ${o.ref}\n`;
      if (o.text) out += `${o.text.replace(/^/gm, '      ')}\n`;
    }
  }
  const changes = p.filter((m) => m.action !== 'unchanged').length;
  return `${out}\n${changes === 0 ? 'no changes' : `${changes} of ${p.length} members would change`} (dry run: nothing was changed)\n`;
}

export const applyCommand: Command = {
  summary: 'deploy a cluster definition to a cluster (standalone native engine)',
  usage: USAGE,
  async run(argv: string[], io: Io): Promise<number> {
    const values = parseOptions(argv, APPLY_OPTIONS);
    const json = outputFormat(values.output) === 'json';
    const concurrency = values.concurrency ? Number(values.concurrency) : 8;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new UsageError('--concurrency must be a positive integer');
    const interval = parseInterval(values.interval);
    const helm = helmBinary(values, io);
    const loaded = await loadValid(values, io, json);
    if (!loaded) return 1;
    const { def, plan } = loaded;
    const ctx = engineContext(def.name, values, io, helm);
    await checkApiServer(ctx.kc);

    if (values['dry-run']) {
      const preview = await previewPlan(ctx, def, plan);
      io.stdout(
        json
          ? `${JSON.stringify({ ok: true, dryRun: true, members: preview }, null, 2)}\n`
          : renderPreview(preview),
      );
      return preview.some((m) => m.action === 'error') ? 1 : 0;
    }

    if (!json) io.stderr(`applying ${def.name}: ${plan.memberCount} members in ${plan.waves.length} waves\n`);
    const progress = json ? undefined : new Progress((t) => io.stderr(t), io.isTTY ?? false);
    let result: ApplyResult;
    try {
      result = await applyPlan(ctx, def, plan, {
        concurrency,
        takeOwnership: values['take-ownership'],
        deletePvcs: values['delete-pvcs'],
        onEvent: progress?.onEvent,
      });
    } finally {
      progress?.stop();
    }
    if (json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    else {
      const count = (p: string) => result.members.filter((m) => m.phase === p).length;
      io.stderr(
        `\n${result.ok ? 'applied' : 'FAILED'}: ${count('synced')} deployed, ${count('unchanged')} unchanged, ${count('failed')} failed, ${count('blocked')} blocked, ${result.removed.length} removed in ${(result.durationMs / 1000).toFixed(1)}s (${result.helmCalls} helm calls)\n`,
      );
      for (const m of result.members.filter((x) => x.phase === 'failed'))
        io.stderr(`  ✗ ${m.stack}/${m.id}: ${m.message}\n`);
      for (const r of result.removed.filter((x) => x.error))
        io.stderr(`  ✗ removing ${r.kind}/${r.name}: ${r.error}\n`);
      for (const r of result.removed)
        if (r.retainedPvcs)
          io.stderr(`  kept PVCs of ${r.namespace}/${r.name}: ${r.retainedPvcs.join(', ')}\n`);
      if (result.removalSkipped) io.stderr(`  ${result.removalSkipped}\n`);
    }
    if (!values.watch) return result.ok ? 0 : 1;
    return watchLoop(
      ctx,
      sweepTargets(def, plan),
      manifestSweepTargets(def, plan),
      { intervalMs: interval, signal: io.signal },
      io,
      json,
    );
  },
};
