import type { Database } from '../../src/db/types.ts';

/** The same database, counting the statements sent through it (`statements()`). */
export function countingStatements(db: Database): { db: Database; statements: () => number } {
  let n = 0;
  const counted = db.withPlugin({
    transformQuery: (q) => {
      n++;
      return q.node;
    },
    transformResult: async (r) => r.result,
  });
  return { db: counted, statements: () => n };
}
