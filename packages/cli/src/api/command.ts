/**
 * What every platform command shares: `--url`, `--token`, `-o`, finding the
 * platform and the token, subcommand dispatch, and printing a failure once
 * (text on stderr; `{error:{...}}` on stdout with `-o json|yaml`) with its exit code.
 */
import type { ParseArgsOptionsConfig } from 'node:util';
import { EXIT_CODES_HELP, exitCodeOf } from '../exits.ts';
import { type Command, type Io, parseCommandLine, UsageError } from '../io.ts';
import { ApiClient, ApiError, NotFoundLocallyError, NotLoggedInError, UnreachableError } from './client.ts';
import { configPath, readStoredLogin, resolveConnection } from './config.ts';
import { type OutputFormat, parseFormat, serialise } from './output.ts';

export const PLATFORM_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  output: { type: 'string', short: 'o', default: 'text' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const PLATFORM_USAGE = `platform options:
      --url URL           the platform (default: $MOORING_URL, else the one "mooring login" stored)
      --token TOKEN       an API token (default: $MOORING_TOKEN, else the stored session;
                          the stored session is sent only to the URL it was issued by)
  -o, --output FORMAT     text (default: aligned tables), json or yaml

${EXIT_CODES_HELP}`;

/** The parsed command line of a platform command. */
export function parsePlatformArgs<T extends ParseArgsOptionsConfig>(argv: string[], extra: T) {
  const { values, positionals } = parseCommandLine(argv, { ...PLATFORM_OPTIONS, ...extra });
  const v = values as { url?: string; token?: string; output?: string };
  return { values, positionals, format: parseFormat(v.output), flags: { url: v.url, token: v.token } };
}

/** A client for the platform named by the flags, environment or stored login; NotLoggedInError without one. */
export function connect(flags: { url?: string; token?: string }, io: Io): ApiClient {
  let conn: ReturnType<typeof resolveConnection>;
  try {
    conn = resolveConnection(flags, io.env, readStoredLogin(configPath(io.env)));
  } catch (e) {
    if (e instanceof TypeError) throw new UsageError(e.message);
    throw e;
  }
  if (!conn.url) throw new NotLoggedInError('not logged in: run "mooring login URL" (or set MOORING_URL)');
  if (!conn.token)
    throw new NotLoggedInError(
      `not logged in to ${conn.url}: run "mooring login ${conn.url}" (or set MOORING_TOKEN)`,
    );
  return new ApiClient({ url: conn.url, token: conn.token });
}

/** The value of `-o`/`--output` before full parsing, so a failure prints in the asked format. */
export function peekFormat(argv: readonly string[]): OutputFormat {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v =
      a === '-o' || a === '--output'
        ? argv[i + 1]
        : a.startsWith('--output=')
          ? a.slice('--output='.length)
          : a.startsWith('-o') && a.length > 2
            ? a.slice(2)
            : undefined;
    if (v === 'json' || v === 'yaml') return v;
  }
  return 'text';
}

/** A failure as data: `{error: {status?, code, message, ...}}` (pure). */
export function errorDocument(e: unknown): { error: Record<string, unknown> } {
  if (e instanceof ApiError) return { error: { status: e.status, ...e.body } };
  const code =
    e instanceof UnreachableError
      ? 'unreachable'
      : e instanceof NotLoggedInError
        ? 'not_logged_in'
        : e instanceof NotFoundLocallyError
          ? 'not_found'
          : 'failed';
  return { error: { code, message: e instanceof Error ? e.message : String(e) } };
}

/** One line saying what went wrong, with what to do about a refused token (pure). */
export function errorLine(prefix: string, e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 401)
      return prefix === 'mooring login'
        ? `${prefix}: ${e.message}\n`
        : `${prefix}: the platform refused the token (${e.message}): run "mooring login" again\n`;
    if (e.status === 403) return `${prefix}: forbidden: ${e.message}\n`;
    const fields = e.body.fields?.map((f) => `\n  ${f.path}: ${f.message}`).join('') ?? '';
    return `${prefix}: ${e.message || e.code} (HTTP ${e.status})${fields}\n`;
  }
  return `${prefix}: ${e instanceof Error ? e.message : String(e)}\n`;
}

/** Runs a command body; a failure is printed once and becomes its exit code (UsageError goes to main). */
export async function reporting(
  io: Io,
  argv: readonly string[],
  prefix: string,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const format = peekFormat(argv);
    if (format === 'text') io.stderr(errorLine(prefix, e));
    else io.stdout(serialise(format, errorDocument(e)));
    return exitCodeOf(e);
  }
}

export interface Subcommand {
  /** e.g. `get NAME|ID`. */
  synopsis: string;
  summary: string;
  run(argv: string[], io: Io): Promise<number>;
}

/** A command of subcommands (`mooring cluster list`), with one usage for all of them. */
export function group(
  name: string,
  summary: string,
  subs: Record<string, Subcommand>,
  options = '',
): Command {
  const width = Math.max(...Object.values(subs).map((s) => s.synopsis.length));
  const usage =
    `usage: mooring ${name} <${Object.keys(subs).join('|')}> [options]\n\n${summary}.\n\n` +
    Object.values(subs)
      .map((s) => `  ${s.synopsis.padEnd(width)}  ${s.summary}`)
      .join('\n') +
    `\n\n${options ? `${options}\n\n` : ''}${PLATFORM_USAGE}`;
  return {
    summary,
    usage,
    async run(argv, io) {
      const [sub, ...rest] = argv;
      if (sub === undefined) throw new UsageError(`give one of ${Object.keys(subs).join(', ')}`);
      const s = Object.hasOwn(subs, sub) ? subs[sub] : undefined;
      if (!s) throw new UsageError(`unknown subcommand "${sub}"`);
      return reporting(io, rest, `mooring ${name} ${sub}`, () => s.run(rest, io));
    },
  };
}

/** Exactly `n` positionals, named in the usage error. */
export function positionals(given: string[], names: string[]): string[] {
  if (given.length !== names.length)
    throw new UsageError(
      names.length === 0
        ? `unexpected argument "${given[0]}"`
        : `expected ${names.join(' ')}, got ${given.length === 0 ? 'nothing' : given.map((g) => JSON.stringify(g)).join(' ')}`,
    );
  return given;
}
