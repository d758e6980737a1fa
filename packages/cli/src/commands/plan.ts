/**
 * `mooring plan`: the deploy order of a valid definition: waves → stacks →
 * layers of members that run in parallel, each with kind, name,
 * chart@version, namespace and content hash prefix.
 */
import { buildPlan, countBySeverity, loadDefinition, type Plan, type PlanMember } from '@mooring/core';
import { type Command, type Io, parseOptions } from '../io.ts';
import {
  formatDiagnostics,
  outputFormat,
  plural,
  resolveSource,
  SOURCE_OPTIONS,
  SOURCE_USAGE,
} from './source.ts';

const USAGE = `usage: mooring plan [-f import-cluster.yaml] [--output text|json] [--repo-root DIR]
                    [--git-url URL --branch REF]

Prints the order in which the definition deploys: waves (ascending; stacks without a wave are
independent: they start at once and no wave blocks them), the stacks of each wave (in parallel),
and per stack the layers of the parents DAG (members of a layer run in parallel). Teardown runs
in reverse.

${SOURCE_USAGE}`;

/** Length of the content hash prefix shown in text output. */
export const HASH_PREFIX = 12;

function memberLine(m: PlanMember): string[] {
  const chart = m.chart ? `${m.chart.name}@${m.chart.version}` : '';
  return [m.kind, m.name, chart, m.namespace ? `ns=${m.namespace}` : '', m.contentHash.slice(0, HASH_PREFIX)];
}

/** Text rendering of a plan (stable: used in tests and golden output). */
export function renderPlan(plan: Plan): string {
  const stacks = plan.waves.reduce((n, w) => n + w.stacks.length, 0);
  let out = `plan for cluster ${plan.cluster}: ${plural(plan.waves.length, 'wave')}, ${plural(stacks, 'stack')}, ${plural(plan.memberCount, 'member')}\n`;
  for (const w of plan.waves) {
    out +=
      w.wave === null
        ? '\nstacks without a wave (independent: they start at once, no wave blocks them)\n'
        : `\nwave ${w.wave}\n`;
    for (const s of w.stacks) {
      out += `  stack ${s.name}\n`;
      const rows = s.layers.flatMap((l) => l.members.map((m) => ({ layer: l.index, cols: memberLine(m) })));
      const widths = [0, 1, 2, 3].map((i) => Math.max(0, ...rows.map((r) => r.cols[i]!.length)));
      for (const l of s.layers) {
        out += `    layer ${l.index + 1}\n`;
        for (const m of l.members) {
          const cols = memberLine(m);
          out += `      ${cols.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c)).join('  ')}\n`.replace(
            / +\n$/,
            '\n',
          );
        }
      }
    }
  }
  out += '\nteardown runs in reverse: ';
  out += plan.teardown.map((w) => (w.wave === null ? 'unwaved' : `wave ${w.wave}`)).join(' → ');
  return `${out}\n`;
}

export const planCommand: Command = {
  summary: 'show the deploy order (waves, stacks, DAG layers) of a cluster definition',
  usage: USAGE,
  async run(argv: string[], io: Io): Promise<number> {
    const values = parseOptions(argv, SOURCE_OPTIONS);
    const format = outputFormat(values.output);
    const src = await resolveSource(values, io);
    const result = loadDefinition(src.source, src.path);
    const { errors, warnings } = countBySeverity(result.diagnostics);
    if (!result.definition) {
      if (format === 'json')
        io.stdout(
          `${JSON.stringify({ file: src.path, valid: false, errors, warnings, diagnostics: result.diagnostics }, null, 2)}\n`,
        );
      else {
        io.stderr(formatDiagnostics(result.diagnostics, src.display));
        io.stderr(
          `${src.display(src.path)}: ${plural(errors, 'error')}; no plan for an invalid definition\n`,
        );
      }
      return 1;
    }
    const plan = buildPlan(result.definition);
    if (format === 'json') {
      io.stdout(
        `${JSON.stringify({ file: src.path, valid: true, diagnostics: result.diagnostics, plan }, null, 2)}\n`,
      );
      return 0;
    }
    if (warnings > 0) io.stderr(formatDiagnostics(result.diagnostics, src.display));
    io.stdout(renderPlan(plan));
    return 0;
  },
};
