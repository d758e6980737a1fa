export { planCommand, renderPlan } from './commands/plan.ts';
export { validateCommand } from './commands/validate.ts';
export type { Command, Io } from './io.ts';
export { processIo, UsageError } from './io.ts';
export { COMMANDS, main, usage } from './main.ts';
