/** Sorting and filtering of a table (pure): the state lives in the URL, these functions read and change it. */

export interface SortState {
  key: string;
  desc: boolean;
}

export interface TableState {
  sort: SortState | null;
  /** Free text matched against every searchable column. */
  filter: string;
  /** Exact matches on one column each (e.g. state=Synced). */
  facets: Record<string, string>;
}

export type TableAction =
  | { type: 'sort'; key: string }
  | { type: 'filter'; text: string }
  | { type: 'facet'; key: string; value: string }
  | { type: 'clear' };

export interface Column<Row> {
  key: string;
  label: string;
  /** The value sorted and filtered on. */
  value: (row: Row) => string | number | null;
  sortable?: boolean;
  /** Matched by the free-text filter (default true). */
  searchable?: boolean;
}

export const EMPTY_TABLE_STATE: TableState = { sort: null, filter: '', facets: {} };

/** The next state: sorting a column again reverses it, a third time removes the sort. */
export function tableReducer(state: TableState, action: TableAction): TableState {
  switch (action.type) {
    case 'sort': {
      if (state.sort?.key !== action.key) return { ...state, sort: { key: action.key, desc: false } };
      if (!state.sort.desc) return { ...state, sort: { key: action.key, desc: true } };
      return { ...state, sort: null };
    }
    case 'filter':
      return { ...state, filter: action.text };
    case 'facet': {
      const facets = { ...state.facets };
      if (action.value) facets[action.key] = action.value;
      else delete facets[action.key];
      return { ...state, facets };
    }
    case 'clear':
      return EMPTY_TABLE_STATE;
  }
}

function compare(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null || a === '') return 1; // blanks last, whichever the direction
  if (b === null || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });
}

/** The rows that match the filters, in the state's order (stable; blanks last). */
export function tableRows<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  state: TableState,
): Row[] {
  const words = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
  const searchable = columns.filter((c) => c.searchable !== false);
  const facets = Object.entries(state.facets)
    .map(([key, value]) => ({ column: columns.find((c) => c.key === key), value }))
    .filter((f) => f.column);
  const kept = rows.filter((row) => {
    for (const f of facets) if (String(f.column!.value(row) ?? '') !== f.value) return false;
    if (words.length === 0) return true;
    const text = searchable.map((c) => String(c.value(row) ?? '').toLowerCase()).join('\u0000');
    return words.every((w) => text.includes(w));
  });
  const sortColumn = state.sort ? columns.find((c) => c.key === state.sort!.key) : undefined;
  if (!sortColumn) return kept;
  const desc = state.sort!.desc;
  return kept
    .map((row, i) => ({ row, i, v: sortColumn.value(row) }))
    .sort((x, y) => {
      const blank = (v: unknown) => v === null || v === '';
      if (blank(x.v) || blank(y.v)) return compare(x.v, y.v) || x.i - y.i;
      return (desc ? -compare(x.v, y.v) : compare(x.v, y.v)) || x.i - y.i;
    })
    .map((r) => r.row);
}

/** The distinct values of a column, for a facet's choices. */
export function facetValues<Row>(rows: readonly Row[], column: Column<Row>): string[] {
  return [...new Set(rows.map((r) => String(column.value(r) ?? '')).filter(Boolean))].sort();
}

/** The state read from a query string: `sort=-name`, `q=text`, and one parameter per facet key. */
export function tableStateFromQuery(search: string, facetKeys: readonly string[] = []): TableState {
  const q = new URLSearchParams(search);
  const s = q.get('sort');
  const sort = s ? { key: s.replace(/^-/, ''), desc: s.startsWith('-') } : null;
  const facets: Record<string, string> = {};
  for (const k of facetKeys) {
    const v = q.get(k);
    if (v) facets[k] = v;
  }
  return { sort: sort?.key ? sort : null, filter: q.get('q') ?? '', facets };
}

/** The query parameters of a state (null removes one), for `withQuery`. */
export function tableStateToQuery(
  state: TableState,
  facetKeys: readonly string[] = [],
): Record<string, string | null> {
  const out: Record<string, string | null> = {
    sort: state.sort ? `${state.sort.desc ? '-' : ''}${state.sort.key}` : null,
    q: state.filter || null,
  };
  for (const k of facetKeys) out[k] = state.facets[k] ?? null;
  return out;
}
