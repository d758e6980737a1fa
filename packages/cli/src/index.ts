export { COMMANDS, main, usage } from './main.ts';
export type { Command, Io } from './io.ts';
export { processIo, UsageError } from './io.ts';
export { planCommand, renderPlan } from './commands/plan.ts';
export { validateCommand } from './commands/validate.ts';
