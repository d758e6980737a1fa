import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../src/db/migrate.ts';
import { MIGRATIONS } from '../src/db/migrations/index.ts';
import { PGliteDialect } from '../src/db/pgliteDialect.ts';
import type { Tables } from '../src/db/types.ts';

// Migration 0085 keeps when each cluster's newest sweep was created (`sweep_schedule`), which
// the scheduler reads instead of every kept sweep: an upgrade fills it from the operations.

describe('sweep schedule', () => {
  it('an upgrade records each cluster’s newest sweep; other operations and clusters without sweeps are left out', async () => {
    const db = new Kysely<Tables>({ dialect: new PGliteDialect(new PGlite()) });
    const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
    try {
      expect((await migrator.migrateTo('0080_cluster_definitions')).error).toBeUndefined();
      await sql`insert into organizations (id, name) values ('o1', 'acme')`.execute(db);
      for (const c of ['a', 'b', 'c']) {
        await sql`insert into clusters (id, organization_id, name, definition_path) values (${c}, 'o1', ${c}, 'cluster.yaml')`.execute(
          db,
        );
      }
      const op = (id: string, cluster: string, type: string, at: string) =>
        sql`insert into operations (id, organization_id, cluster_id, type, state, created_by, created_at)
            values (${id}, 'o1', ${cluster}, ${type}, 'success', 'scheduler@x', ${at}::timestamptz)`.execute(
          db,
        );
      await op('1', 'a', 'sweep', '2026-01-01T10:00:00Z');
      await op('2', 'a', 'sweep', '2026-01-01T10:01:00Z');
      await op('3', 'a', 'apply', '2026-01-01T10:05:00Z');
      await op('4', 'b', 'sync', '2026-01-01T10:02:00Z');
      expect(await migrateToLatest(db, pino({ level: 'silent' }))).toContain('0085_sweep_schedule');
      const rows = await db.selectFrom('sweep_schedule').selectAll().orderBy('cluster_id').execute();
      expect(rows.map((r) => [r.cluster_id, r.last_created_at.toISOString()])).toEqual([
        ['a', '2026-01-01T10:01:00.000Z'],
      ]);
      // deleting a cluster's row takes its schedule with it
      await sql`delete from operations where cluster_id = 'a'`.execute(db);
      await sql`delete from clusters where id = 'a'`.execute(db);
      expect(await db.selectFrom('sweep_schedule').selectAll().execute()).toEqual([]);
      expect((await migrator.migrateTo('0080_cluster_definitions')).error).toBeUndefined();
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
