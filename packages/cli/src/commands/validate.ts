/** `mooring validate`: load and check a cluster definition, print every diagnostic. Exit 1 on errors. */
import { countBySeverity, type Diagnostic, loadDefinition, sortDiagnostics } from '@mooring/core';
import { addonsOf, registryLookups } from '../checks/chartChecks.ts';
import { checkCharts } from '../checks/checkCharts.ts';
import { strictSecrets } from '../checks/strictSecrets.ts';
import { type Command, type Io, parseOptions } from '../io.ts';
import { parseMirrors, registryCredentialsFromEnv } from './cluster.ts';
import {
  formatDiagnostics,
  outputFormat,
  plural,
  resolveSource,
  SOURCE_OPTIONS,
  SOURCE_USAGE,
} from './source.ts';

const USAGE = `usage: mooring validate [-f import-cluster.yaml] [--output text|json] [--strict-secrets]
                        [--check-charts [--mirror FROM=TO]...] [--repo-root DIR]
                        [--git-url URL --branch REF]

Checks a cluster definition and every file it includes; prints errors and warnings as
file:line:col: severity: message [field path]. Exits 1 when there is an error.

      --strict-secrets    values that look like plaintext secrets outside encrypted_paths
                          (plaintext-secret) are errors, not warnings
      --check-charts      ask every add-on's registry for its chart and chart_version: a
                          missing chart, or a missing version with the closest published ones,
                          is an error at the add-on's chart_name / chart_version; so is a
                          registry that cannot be read. Helm repositories are read through
                          their index.yaml, OCI registries through their tags list.
      --mirror FROM=TO    with --check-charts, read charts whose registry URL starts with FROM
                          from TO instead, as apply does (repeatable)

  Registry credentials named by credential_name / registry_credential_name come from the
  environment, as for apply: MOORING_CREDENTIAL_<NAME>_USERNAME and _PASSWORD, or
  MOORING_CREDENTIAL_<NAME>_TOKEN (NAME upper-cased, non-alphanumerics as _).

${SOURCE_USAGE}`;

const VALIDATE_OPTIONS = {
  ...SOURCE_OPTIONS,
  'strict-secrets': { type: 'boolean' },
  'check-charts': { type: 'boolean' },
  mirror: { type: 'string', multiple: true },
} as const;

export const validateCommand: Command = {
  summary: 'check a cluster definition and report every problem',
  usage: USAGE,
  async run(argv: string[], io: Io): Promise<number> {
    const values = parseOptions(argv, VALIDATE_OPTIONS);
    const format = outputFormat(values.output);
    const mirrors = parseMirrors(values.mirror);
    const src = await resolveSource(values, io);
    const result = loadDefinition(src.source, src.path);
    let diagnostics: Diagnostic[] = [...result.diagnostics];
    if (values['strict-secrets']) diagnostics = strictSecrets(diagnostics);
    let charts: { charts: number; registries: number } | undefined;
    if (values['check-charts'] && result.definition) {
      const found = await checkCharts(result.definition, {
        mirrors,
        credentials: registryCredentialsFromEnv(io.env),
      });
      diagnostics = sortDiagnostics([...diagnostics, ...found]);
      const addons = addonsOf(result.definition);
      charts = { charts: addons.length, registries: registryLookups(addons, mirrors).length };
    }
    const { errors, warnings } = countBySeverity(diagnostics);
    if (format === 'json') {
      io.stdout(
        `${JSON.stringify(
          {
            file: src.path,
            valid: errors === 0,
            errors,
            warnings,
            files: result.files,
            ...(charts ? { chartsChecked: charts.charts, registriesChecked: charts.registries } : {}),
            diagnostics,
          },
          null,
          2,
        )}\n`,
      );
      return errors > 0 ? 1 : 0;
    }
    io.stdout(formatDiagnostics(diagnostics, src.display));
    const shown = src.display(src.path);
    if (errors > 0) {
      io.stdout(
        `${shown}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}; nothing would be applied\n`,
      );
      return 1;
    }
    const def = result.definition!;
    const members = def.stacks.reduce((n, s) => n + s.manifests.length + s.addons.length, 0);
    io.stdout(
      `${shown}: valid (cluster ${def.name}: ${plural(def.stacks.length, 'stack')}, ${plural(members, 'member')}, ${plural(result.files.length, 'file')} read)` +
        (charts
          ? `, the charts of ${plural(charts.charts, 'add-on')} found in ${charts.registries} ${charts.registries === 1 ? 'registry' : 'registries'}`
          : '') +
        (warnings > 0 ? `, ${plural(warnings, 'warning')}` : '') +
        '\n',
    );
    return 0;
  },
};
