/**
 * `mooring <command> [options]`. Exit codes (src/exits.ts): 0 success, 1 the
 * command failed, 2 wrong usage, 3-7 the platform's answers (401, 403, 404,
 * 409/422, unreachable or 5xx).
 */
import { EXIT_CODES_HELP, exitCodeOf } from './exits.ts';
import { type Command, type Io, processIo, UsageError } from './io.ts';

/**
 * The command table: each command's module is loaded only when it runs (or for its --help), so a command starts without loading every other one (`mooring cluster kube-token`,
 * which kubectl runs for each call, loads a fraction of the CLI). To add a command, write
 * `src/commands/NAME.ts` exporting a `Command` and add one line here.
 */
export interface CommandEntry {
  /** The line of the usage list (the same as the command's own `summary`; a test keeps them equal). */
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  validate: {
    summary: 'check a cluster definition and report every problem',
    load: async () => (await import('./commands/validate.ts')).validateCommand,
  },
  plan: {
    summary: 'show the deploy order (waves, stacks, DAG layers) of a cluster definition',
    load: async () => (await import('./commands/plan.ts')).planCommand,
  },
  apply: {
    summary: 'deploy a cluster definition to a cluster (standalone native engine)',
    load: async () => (await import('./commands/apply.ts')).applyCommand,
  },
  diff: {
    summary: 'show drift between a cluster and its definition (changes nothing)',
    load: async () => (await import('./commands/diff.ts')).diffCommand,
  },
  login: {
    summary: 'log in to the platform and keep the session (mooring logout ends it)',
    load: async () => (await import('./commands/login.ts')).loginCommand,
  },
  logout: {
    summary: 'end the stored session and forget its token',
    load: async () => (await import('./commands/login.ts')).logoutCommand,
  },
  cluster: {
    summary: 'the platform’s clusters: list, show, import, delete, new agent token, sync, history, preview',
    load: async () => (await import('./commands/clusters.ts')).clusterCommand,
  },
  operations: {
    summary: 'the platform’s operations: list, show, follow, retry, cancel',
    load: async () => (await import('./commands/operations.ts')).operationsCommand,
  },
  addons: {
    summary: 'a cluster’s add-ons on the platform: list, show, roll back',
    load: async () => (await import('./commands/addons.ts')).addonsCommand,
  },
  charts: {
    summary: 'the chart catalogue of the platform’s registries: search, show, default values, render',
    load: async () => (await import('./commands/charts.ts')).chartsCommand,
  },
  registries: {
    summary: 'the chart registries the platform indexes: list, add, remove, index now, job history',
    load: async () => (await import('./commands/registries.ts')).registriesCommand,
  },
  drafts: {
    summary:
      'the Stack Builder: drafts of a cluster’s definition — stacks, add-ons, manifests — validated, previewed and published to Git',
    load: async () => (await import('./commands/drafts.ts')).draftsCommand,
  },
  logs: {
    summary: 'print (or follow) a pod’s log through the platform',
    load: async () => (await import('./commands/logs.ts')).logsCommand,
  },
  start: {
    summary: 'run the platform (API, web UI) on this machine, with an agent for a local cluster',
    load: async () => (await import('./commands/start.ts')).startCommand,
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: mooring <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun "mooring <command> --help" for a command's options.\n\n${EXIT_CODES_HELP}\n`;
}

/**
 * `mooring cluster kube-token` alone, without the rest of `cluster`: kubectl runs it as its
 * exec credential plugin before each call, so its start-up is part of every kubectl call.
 */
async function kubeToken(rest: string[], io: Io): Promise<number> {
  const [{ kubeTokenSubcommand }, { reporting }] = await Promise.all([
    import('./commands/kubeAccess.ts'),
    import('./api/command.ts'),
  ]);
  return reporting(io, rest, 'mooring cluster kube-token', () => kubeTokenSubcommand.run(rest, io));
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
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    io.stderr(`mooring: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const quick =
    name === 'cluster' && rest[0] === 'kube-token' && !rest.includes('--help') && !rest.includes('-h');
  let command: Command | undefined;
  if (!quick) command = await entry.load();
  if (command && (rest.includes('--help') || rest.includes('-h'))) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  try {
    return command ? await command.run(rest, io) : await kubeToken(rest.slice(1), io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`mooring ${name}: ${e.message}\n\n${(command ?? (await entry.load())).usage}\n`);
      return 2;
    }
    io.stderr(`mooring ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return exitCodeOf(e);
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
