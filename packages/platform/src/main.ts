#!/usr/bin/env node
import { ConfigError, configFromProcess } from './config.ts';
import { createLogger } from './logger.ts';
import { startPlatform } from './platform.ts';

/** The platform process: read settings, start, stop cleanly on SIGINT/SIGTERM. */
async function main(): Promise<number> {
  let config: ReturnType<typeof configFromProcess>;
  try {
    config = configFromProcess();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);
  const platform = await startPlatform({ config, logger, print: (t) => process.stdout.write(`${t}\n`) });
  logger.info({ address: platform.address }, 'listening');
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await platform.close();
  logger.info('stopped');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`mooring platform: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
