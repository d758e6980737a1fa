import type { OrderByModifiersCallbackExpression } from 'kysely';
import { z } from 'zod';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** A parsed sort: a whitelisted field and a direction. */
export interface Sort<F extends string> {
  field: F;
  direction: 'asc' | 'desc';
}

/**
 * A sort's direction as an ORDER BY modifier; empty values go last either way. For a column that
 * cannot be empty pass `nullable: false`: the plain direction, which an index can serve (an index
 * read backwards gives `DESC NULLS FIRST`, so `DESC NULLS LAST` would sort every row).
 */
export function sortModifier(
  direction: Sort<string>['direction'],
  nullable = true,
): OrderByModifiersCallbackExpression {
  if (!nullable) return (o) => (direction === 'asc' ? o.asc() : o.desc());
  return (o) => (direction === 'asc' ? o.asc() : o.desc()).nullsLast();
}

/** Lists whose table can grow large count their rows up to this many (see `Page.total_capped`). */
export const COUNT_CAP = 10_000;

export interface PageRequest<F extends string> {
  page: number;
  pageSize: number;
  sort: Sort<F>;
}

/**
 * The query schema of a list: `page` (from 1), `page_size` (1..100), `sort`
 * (`field` ascending, `-field` descending, only `fields`).
 */
export function listQuerySchema<const F extends string>(
  fields: readonly [F, ...F[]],
  defaultSort: string,
  defaultPageSize: number = DEFAULT_PAGE_SIZE,
) {
  const allowed = fields.flatMap((f) => [f, `-${f}`]) as [string, ...string[]];
  return z.object({
    page: z.coerce.number().int().min(1).default(1).describe('page number, from 1'),
    page_size: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_PAGE_SIZE)
      .default(defaultPageSize)
      .describe(`items per page, at most ${MAX_PAGE_SIZE}`),
    sort: z
      .enum(allowed, { error: `must be one of ${allowed.join(', ')}` })
      .default(defaultSort)
      .describe('a field, `-field` for descending'),
  });
}

/** Reads `sort=-name` into `{ field: 'name', direction: 'desc' }` (pure). */
export function parseSort<F extends string>(sort: string): Sort<F> {
  return sort.startsWith('-')
    ? { field: sort.slice(1) as F, direction: 'desc' }
    : { field: sort as F, direction: 'asc' };
}

export function pageRequest<F extends string>(q: {
  page: number;
  page_size: number;
  sort: string;
}): PageRequest<F> {
  return { page: q.page, pageSize: q.page_size, sort: parseSort<F>(q.sort) };
}

/** Rows to skip for a page. */
export function pageOffset(p: { page: number; pageSize: number }): number {
  return (p.page - 1) * p.pageSize;
}

export interface Page<T> {
  items: T[];
  page: number;
  page_size: number;
  total: number;
  /** Present (true) when counting stopped at `total`: there are at least that many. */
  total_capped?: true;
}

/** The response schema of a list of `item`. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    page: z.number().int(),
    page_size: z.number().int(),
    total: z.number().int().describe('items in all pages'),
    total_capped: z
      .literal(true)
      .optional()
      .describe(
        `present when counting stopped at \`total\` (${COUNT_CAP.toLocaleString('en')}): there are at least that many`,
      ),
  });
}

export function toPage<T>(
  items: T[],
  total: number,
  p: { page: number; pageSize: number },
  capped = false,
): Page<T> {
  return {
    items,
    page: p.page,
    page_size: p.pageSize,
    total,
    ...(capped ? { total_capped: true as const } : {}),
  };
}
