export * from './definition/index.ts';
export * from './diff/index.ts';
export * from './health/index.ts';
export * from './redact/index.ts';
export * from './retry/index.ts';
export * from './state/index.ts';
export * from './syncwindow/index.ts';
