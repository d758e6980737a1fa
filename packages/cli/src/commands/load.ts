import { buildPlan, type ClusterDefinition, countBySeverity, loadDefinition, type Plan } from '@mooring/core';
import type { Io } from '../io.ts';
import { formatDiagnostics, plural, resolveSource, type SourceArgs } from './source.ts';

/** Loads and validates the definition; prints the diagnostics and returns undefined when it is invalid (nothing is applied). */
export async function loadValid(
  args: SourceArgs,
  io: Io,
  json: boolean,
): Promise<{ def: ClusterDefinition; plan: Plan; origin: string } | undefined> {
  const src = await resolveSource(args, io);
  const result = loadDefinition(src.source, src.path);
  const { errors, warnings } = countBySeverity(result.diagnostics);
  if (!result.definition) {
    if (json) io.stdout(`${JSON.stringify({ ok: false, diagnostics: result.diagnostics }, null, 2)}\n`);
    else
      io.stderr(
        `${formatDiagnostics(result.diagnostics, src.display)}${plural(errors, 'error')}, ${plural(warnings, 'warning')}: nothing applied\n`,
      );
    return undefined;
  }
  if (warnings > 0 && !json) io.stderr(formatDiagnostics(result.diagnostics, src.display));
  return { def: result.definition, plan: buildPlan(result.definition), origin: src.origin };
}
