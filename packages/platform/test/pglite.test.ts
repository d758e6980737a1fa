import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { PGliteDialect } from '../src/db/pgliteDialect.ts';

describe('the PGlite dialect', () => {
  it('hands its one connection to one transaction at a time', async () => {
    const db = new Kysely<{ t: { n: number } }>({ dialect: new PGliteDialect(new PGlite()) });
    try {
      await sql`create table t (n integer)`.execute(db);
      const tx = (n: number) =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto('t').values({ n }).execute();
          await new Promise((r) => setTimeout(r, 5));
          if (n % 3 === 0) throw new Error('roll back');
          await trx
            .insertInto('t')
            .values({ n: n + 100 })
            .execute();
        });
      const results = await Promise.allSettled([...Array(9).keys()].map((n) => tx(n + 1)));
      expect(results.filter((r) => r.status === 'rejected').length).toBe(3);
      const rows = await db.selectFrom('t').select('n').orderBy('n').execute();
      // each committed transaction left both rows, each rolled back one left none
      expect(rows.map((r) => r.n)).toEqual([1, 2, 4, 5, 7, 8, 101, 102, 104, 105, 107, 108]);
      const r = await db.updateTable('t').set({ n: 0 }).where('n', '>', 100).executeTakeFirst();
      expect(r.numUpdatedRows).toBe(6n);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
