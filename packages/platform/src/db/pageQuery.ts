/**
 * A page of a list and the total it is a page of, asked at once: the two statements run on two of
 * the pool's connections (one on PGlite's), so a list request waits for the database once instead
 * of twice. Both are read outside a transaction, as each alone would be.
 */
export async function pageWithTotal<R>(
  rows: { execute(): Promise<R[]> },
  count: { executeTakeFirstOrThrow(): Promise<{ total: string | number | bigint }> },
): Promise<{ rows: R[]; total: number }> {
  const [page, { total }] = await Promise.all([rows.execute(), count.executeTakeFirstOrThrow()]);
  return { rows: page, total: Number(total) };
}
