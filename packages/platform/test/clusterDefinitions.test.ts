import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { findCluster } from '../src/clusters/queries.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { MIGRATIONS } from '../src/db/migrations/index.ts';
import { PGliteDialect } from '../src/db/pgliteDialect.ts';
import type { Tables } from '../src/db/types.ts';

// Migration 0080 moves each cluster's definition out of its row: a database made before it keeps
// every definition, and the rows the clusters list reads are a few hundred bytes.

describe('cluster definitions apart from cluster rows', () => {
  it('an upgrade keeps every definition; the rows then fit many to a page; down puts them back', async () => {
    const db = new Kysely<Tables>({ dialect: new PGliteDialect(new PGlite()) });
    const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
    try {
      const before = await migrator.migrateTo('0075_draft_publishing');
      expect(before.error).toBeUndefined();
      await sql`insert into organizations (id, name) values ('o1', 'acme')`.execute(db);
      const text = (i: number) =>
        `apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: c${i}\n${'# a comment line\n'.repeat(40)}`;
      for (let i = 0; i < 40; i++) {
        const files = JSON.stringify({ 'cluster.yaml': text(i), 'manifests/ns.yaml': 'kind: Namespace\n' });
        await sql`insert into clusters (id, organization_id, name, definition_text, definition_path, definition_files)
                  values (${`c${i}`}, 'o1', ${`c${i}`}, ${text(i)}, 'cluster.yaml', ${files})`.execute(db);
      }
      expect(await migrateToLatest(db, pino({ level: 'silent' }))).toContain('0080_cluster_definitions');
      for (const i of [0, 17, 39]) {
        const c = await findCluster(db, 'o1', `c${i}`);
        expect(c?.definition_text).toBe(text(i));
        expect(JSON.parse(c?.definition_files ?? '{}')['manifests/ns.yaml']).toBe('kind: Namespace\n');
        expect(c?.definition_path).toBe('cluster.yaml');
      }
      // agents rewrite the rows; they stay small (no definition in them)
      await sql`update clusters set last_check_in = now(), agent_connected = true`.execute(db);
      await sql`vacuum full clusters`.execute(db);
      const pages = await sql<{ n: number }>`select pg_relation_size('clusters') / 8192 as n`.execute(db);
      expect(Number(pages.rows[0]?.n)).toBeLessThanOrEqual(1);

      const down = await migrator.migrateTo('0075_draft_publishing');
      expect(down.error).toBeUndefined();
      const back = await sql<{
        definition_text: string;
      }>`select definition_text from clusters where id = 'c17'`.execute(db);
      expect(back.rows[0]?.definition_text).toBe(text(17));
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
