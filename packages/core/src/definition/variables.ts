/**
 * Stack variables: `${{ ankra.NAME }}` (the original's form) and
 * `${{ vars.NAME }}` (Mooring's alias) are replaced in values and manifests
 * before they are parsed. Other `${{ ... }}` expressions are left alone.
 */

/** Matches `${{ ankra.NAME }}` / `${{ vars.NAME }}` with optional spaces. */
const VARIABLE_REF = /\$\{\{\s*(ankra|vars)\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}/g;

export interface UndefinedVariable {
  name: string;
  /** Offset of `${{` in the original text. */
  offset: number;
  /** The whole reference as written. */
  reference: string;
}

export interface Substitution {
  text: string;
  undefinedVariables: UndefinedVariable[];
  /** Names that were used (for "unused variable" checks). */
  used: string[];
}

/** Replaces every variable reference; undefined names are listed and left as written. */
export function substituteVariables(text: string, variables: Readonly<Record<string, string>>): Substitution {
  const undefinedVariables: UndefinedVariable[] = [];
  const used: string[] = [];
  if (!text.includes('${{')) return { text, undefinedVariables, used };
  const out = text.replace(VARIABLE_REF, (whole: string, _ns: string, name: string, offset: number) => {
    if (Object.hasOwn(variables, name)) {
      used.push(name);
      return variables[name]!;
    }
    undefinedVariables.push({ name, offset, reference: whole });
    return whole;
  });
  return { text: out, undefinedVariables, used };
}
