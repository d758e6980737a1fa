export { ApiClient, ApiError, NotLoggedInError, UnreachableError } from './api/client.ts';
export { planCommand, renderPlan } from './commands/plan.ts';
export { validateCommand } from './commands/validate.ts';
export { EXIT, exitCodeOf } from './exits.ts';
export type { Command, Io } from './io.ts';
export { processIo, UsageError } from './io.ts';
export { COMMANDS, main, usage } from './main.ts';
