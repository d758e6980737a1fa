import { Migrator } from 'kysely/migration';
import type { Logger } from 'pino';
import { MIGRATIONS } from './migrations/index.ts';
import type { Database } from './types.ts';

/** Thrown when a migration fails; the database is left at the last migration that succeeded. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  readonly migration: string | undefined;
  constructor(migration: string | undefined, options?: ErrorOptions) {
    super(`database migration ${migration ?? '(unknown)'} failed`, options);
    this.migration = migration;
  }
}

/** Runs every pending migration (Kysely's Migrator locks, so replicas starting together are safe). */
export async function migrateToLatest(db: Database, logger: Logger): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((r) => r.status === 'Error');
  if (error || failed) throw new MigrationError(failed?.migrationName, { cause: error });
  const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  return applied;
}
