/**
 * YAML parsing with source positions. Every parsed text carries an `Origin`
 * that maps its own line/column to a line/column in a repository file: the
 * identity for a file, a shifted mapping for text embedded in a block scalar
 * (`values: |`), a fixed point for base64 content.
 */
import {
  type Document,
  isScalar,
  LineCounter,
  type Node,
  parseAllDocuments,
  parseDocument,
  Scalar,
} from 'yaml';
import type { DiagnosticSink, Location } from './diagnostics.ts';

/** Maps a 1-based line/column in a parsed text to a repository file position. */
export interface Origin {
  file: string;
  map(line: number, column: number): Location;
}

export function fileOrigin(file: string): Origin {
  return { file, map: (line, column) => ({ file, line, column }) };
}

/** Every position maps to one fixed location (for decoded base64 content). */
export function fixedOrigin(loc: Location): Origin {
  return { file: loc.file, map: () => ({ ...loc }) };
}

/** A parsed YAML text with what is needed to locate its nodes. */
export interface ParsedText {
  origin: Origin;
  text: string;
  lineCounter: LineCounter;
  docs: Document.Parsed[];
}

const PARSE_OPTIONS = { prettyErrors: true, uniqueKeys: true, strict: true } as const;

/**
 * Parses YAML (all documents). Syntax errors go to `sink` with positions; the
 * result is undefined when any error was found (a broken file is not read on).
 */
export function parseYamlText(
  text: string,
  origin: Origin,
  sink: DiagnosticSink,
  path: string,
  multi: boolean,
): ParsedText | undefined {
  const lineCounter = new LineCounter();
  let docs: Document.Parsed[];
  if (multi) {
    const all = parseAllDocuments(text, { ...PARSE_OPTIONS, lineCounter });
    docs = Array.isArray(all) ? all : [];
  } else {
    docs = [parseDocument(text, { ...PARSE_OPTIONS, lineCounter })];
  }
  let bad = false;
  for (const doc of docs) {
    for (const err of doc.errors) {
      bad = true;
      const lp = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]);
      const msg = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      sink.error(origin.map(lp.line, lp.col), path, 'yaml-syntax', `YAML syntax error: ${msg}`);
    }
  }
  if (bad) return undefined;
  return { origin, text, lineCounter, docs };
}

/** Location of the start of a node (or of the text when the node has no range). */
export function locate(pt: ParsedText, node: Node | null | undefined): Location {
  const offset = node?.range ? node.range[0] : 0;
  const lp = pt.lineCounter.linePos(offset);
  return pt.origin.map(lp.line, lp.col);
}

/** Location of an offset in the parsed text. */
export function locateOffset(pt: { lineCounter: LineCounter; origin: Origin }, offset: number): Location {
  const lp = pt.lineCounter.linePos(offset);
  return pt.origin.map(lp.line, lp.col);
}

/**
 * The origin of text held in a scalar node: block scalars map line by line
 * (content starts on the line after the header, shifted by the block's
 * indentation); single-line quoted and plain scalars map by column.
 */
export function scalarContentOrigin(pt: ParsedText, node: Scalar): Origin {
  const start = node.range ? node.range[0] : 0;
  const lp = pt.lineCounter.linePos(start);
  const file = pt.origin.file;
  if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
    // Find the indentation of the first non-empty content line.
    const headerEnd = pt.text.indexOf('\n', start);
    let indent = 0;
    if (headerEnd >= 0) {
      const rest = pt.text.slice(headerEnd + 1);
      const m = /^(?:[ \t]*\r?\n)*( *)/.exec(rest);
      indent = m ? m[1]!.length : 0;
    }
    const base = pt.origin.map(lp.line, lp.col);
    return {
      file,
      map: (line, column) => {
        const mapped = pt.origin.map(lp.line + line, column + indent);
        return { file: mapped.file ?? base.file, line: mapped.line, column: mapped.column };
      },
    };
  }
  const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? 1 : 0;
  return {
    file,
    map: (line, column) =>
      line === 1
        ? pt.origin.map(lp.line, lp.col + quoted + column - 1)
        : pt.origin.map(lp.line + line - 1, column),
  };
}

/** A plain (unquoted) scalar that YAML read as a number, such as `1.20`. */
export function isPlainNumber(node: unknown): node is Scalar<number> {
  return isScalar(node) && typeof node.value === 'number' && node.type === Scalar.PLAIN;
}

/** 1-based line and column of an offset in a raw text (no LineCounter needed). */
export function offsetToLineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: offset - lineStart + 1 };
}
