/** `mooring validate`: load and check a cluster definition, print every diagnostic. Exit 1 on errors. */
import { countBySeverity, loadDefinition } from '@mooring/core';
import { type Command, type Io, parseOptions } from '../io.ts';
import {
  formatDiagnostics,
  outputFormat,
  plural,
  resolveSource,
  SOURCE_OPTIONS,
  SOURCE_USAGE,
} from './source.ts';

const USAGE = `usage: mooring validate [-f import-cluster.yaml] [--output text|json] [--repo-root DIR]
                        [--git-url URL --branch REF]

Checks a cluster definition and every file it includes; prints errors and warnings as
file:line:col: severity: message [field path]. Exits 1 when there is an error.

${SOURCE_USAGE}`;

export const validateCommand: Command = {
  summary: 'check a cluster definition and report every problem',
  usage: USAGE,
  async run(argv: string[], io: Io): Promise<number> {
    const values = parseOptions(argv, SOURCE_OPTIONS);
    const format = outputFormat(values.output);
    const src = await resolveSource(values, io);
    const result = loadDefinition(src.source, src.path);
    const { errors, warnings } = countBySeverity(result.diagnostics);
    if (format === 'json') {
      io.stdout(
        `${JSON.stringify(
          {
            file: src.path,
            valid: errors === 0,
            errors,
            warnings,
            files: result.files,
            diagnostics: result.diagnostics,
          },
          null,
          2,
        )}\n`,
      );
      return errors > 0 ? 1 : 0;
    }
    io.stdout(formatDiagnostics(result.diagnostics, src.display));
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
        (warnings > 0 ? `, ${plural(warnings, 'warning')}` : '') +
        '\n',
    );
    return 0;
  },
};
