/**
 * `mooring <command> [options]`. Exit codes (src/exits.ts): 0 success, 1 the
 * command failed, 2 wrong usage, 3-7 the platform's answers (401, 403, 404,
 * 409/422, unreachable or 5xx).
 */
import { addonsCommand } from './commands/addons.ts';
import { applyCommand } from './commands/apply.ts';
import { chartsCommand } from './commands/charts.ts';
import { clusterCommand } from './commands/clusters.ts';
import { diffCommand } from './commands/diff.ts';
import { draftsCommand } from './commands/drafts.ts';
import { loginCommand, logoutCommand } from './commands/login.ts';
import { logsCommand } from './commands/logs.ts';
import { operationsCommand } from './commands/operations.ts';
import { planCommand } from './commands/plan.ts';
import { registriesCommand } from './commands/registries.ts';
import { startCommand } from './commands/start.ts';
import { validateCommand } from './commands/validate.ts';
import { EXIT_CODES_HELP, exitCodeOf } from './exits.ts';
import { type Command, type Io, processIo, UsageError } from './io.ts';

/**
 * The command table. To add a command (`start`, `apply`, `diff`, ...), write
 * `src/commands/NAME.ts` exporting a `Command` and add one line here.
 */
export const COMMANDS: Record<string, Command> = {
  validate: validateCommand,
  plan: planCommand,
  apply: applyCommand,
  diff: diffCommand,
  login: loginCommand,
  logout: logoutCommand,
  cluster: clusterCommand,
  operations: operationsCommand,
  addons: addonsCommand,
  charts: chartsCommand,
  registries: registriesCommand,
  drafts: draftsCommand,
  logs: logsCommand,
  start: startCommand,
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: mooring <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun "mooring <command> --help" for a command's options.\n\n${EXIT_CODES_HELP}\n`;
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(usage());
    return 2;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    io.stdout(usage());
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr(`mooring: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`mooring ${name}: ${e.message}\n\n${command.usage}\n`);
      return 2;
    }
    io.stderr(`mooring ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return exitCodeOf(e);
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
