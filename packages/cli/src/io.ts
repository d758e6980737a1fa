import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { readAll, readHidden, readLine } from './terminal.ts';

/** Parses a command's options; bad use becomes a UsageError (exit code 2, with the command's usage). */
export function parseOptions<T extends ParseArgsOptionsConfig>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Like `parseOptions`, also returning the positional arguments. */
export function parseCommandLine<T extends ParseArgsOptionsConfig>(argv: string[], options: T) {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: r.values, positionals: r.positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** What a command may touch: output streams, working directory, environment. Tests pass their own. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal (live progress redraws in place). */
  isTTY?: boolean;
  /** Ends long-running commands (`apply --watch`); by default they stop on SIGINT/SIGTERM. */
  signal?: AbortSignal;
  /** Whether stdin is a terminal (`mooring login` asks for a password there). */
  stdinIsTTY?: boolean;
  /** All of stdin (`--password-stdin`). */
  readStdin?(): Promise<string>;
  /** Asks on the terminal; `hidden` does not echo what is typed. */
  prompt?(question: string, o?: { hidden?: boolean }): Promise<string>;
}

export function processIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
    isTTY: process.stderr.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    readStdin: () => readAll(process.stdin),
    prompt: (question, o) =>
      o?.hidden
        ? readHidden(process.stdin, process.stderr, question)
        : readLine(process.stdin, process.stderr, question),
  };
}

/** Thrown for bad command-line use; main prints the message and the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** One `mooring <command>`. `run` returns the exit code. */
export interface Command {
  summary: string;
  usage: string;
  run(args: string[], io: Io): Promise<number>;
}
