import type { Diagnostic } from '../api/types.ts';

export interface AnnotatedLine {
  number: number;
  text: string;
  diagnostics: Diagnostic[];
}

/**
 * The lines of a pasted file with the diagnostics that point at each (pure). Diagnostics of other
 * files (read through include or from_file) and those past the last line come back in `elsewhere`.
 */
export function annotateLines(
  text: string,
  diagnostics: readonly Diagnostic[],
  file: string,
): { lines: AnnotatedLine[]; elsewhere: Diagnostic[] } {
  const lines: AnnotatedLine[] = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((t, i) => ({ number: i + 1, text: t, diagnostics: [] }));
  if (lines.length > 1 && lines[lines.length - 1]!.text === '') lines.pop();
  const elsewhere: Diagnostic[] = [];
  for (const d of diagnostics) {
    const line = d.file === file || d.file === '' ? lines[d.line - 1] : undefined;
    if (line) line.diagnostics.push(d);
    else elsewhere.push(d);
  }
  for (const l of lines) l.diagnostics.sort((a, b) => a.column - b.column);
  return { lines, elsewhere };
}
