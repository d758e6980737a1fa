import { describe, expect, it } from 'vitest';
import {
  type Column,
  EMPTY_TABLE_STATE,
  facetValues,
  tableReducer,
  tableRows,
  tableStateFromQuery,
  tableStateToQuery,
} from '../src/table/tableState.ts';

interface Row {
  name: string;
  state: string;
  nodes: number | null;
  updated: string | null;
}

const columns: Column<Row>[] = [
  { key: 'name', label: 'Name', value: (r) => r.name },
  { key: 'state', label: 'State', value: (r) => r.state },
  { key: 'nodes', label: 'Nodes', value: (r) => r.nodes },
  { key: 'updated', label: 'Updated', value: (r) => r.updated, searchable: false },
];

const rows: Row[] = [
  { name: 'app-10', state: 'Synced', nodes: 3, updated: '2026-01-02' },
  { name: 'app-2', state: 'Degraded', nodes: null, updated: null },
  { name: 'App-1', state: 'Synced', nodes: 12, updated: '2026-01-01' },
  { name: 'db', state: 'OutOfSync', nodes: 1, updated: '2026-01-03' },
];

const names = (rs: Row[]) => rs.map((r) => r.name);

describe('tableReducer', () => {
  it('sorts ascending, then descending, then not at all', () => {
    let s = tableReducer(EMPTY_TABLE_STATE, { type: 'sort', key: 'name' });
    expect(s.sort).toEqual({ key: 'name', desc: false });
    s = tableReducer(s, { type: 'sort', key: 'name' });
    expect(s.sort).toEqual({ key: 'name', desc: true });
    s = tableReducer(s, { type: 'sort', key: 'name' });
    expect(s.sort).toBeNull();
  });

  it('starts a new column ascending', () => {
    const s = tableReducer(
      { ...EMPTY_TABLE_STATE, sort: { key: 'name', desc: true } },
      { type: 'sort', key: 'state' },
    );
    expect(s.sort).toEqual({ key: 'state', desc: false });
  });

  it('sets and removes facets, and clears everything', () => {
    let s = tableReducer(EMPTY_TABLE_STATE, { type: 'facet', key: 'state', value: 'Synced' });
    expect(s.facets).toEqual({ state: 'Synced' });
    s = tableReducer(s, { type: 'filter', text: 'app' });
    s = tableReducer(s, { type: 'facet', key: 'state', value: '' });
    expect(s.facets).toEqual({});
    expect(s.filter).toBe('app');
    expect(tableReducer(s, { type: 'clear' })).toEqual(EMPTY_TABLE_STATE);
  });

  it('does not change the state it is given', () => {
    const s = { ...EMPTY_TABLE_STATE, facets: { state: 'Synced' } };
    tableReducer(s, { type: 'facet', key: 'state', value: '' });
    expect(s.facets).toEqual({ state: 'Synced' });
  });
});

describe('tableRows', () => {
  it('keeps the given order without a sort', () => {
    expect(names(tableRows(rows, columns, EMPTY_TABLE_STATE))).toEqual(['app-10', 'app-2', 'App-1', 'db']);
  });

  it('sorts text naturally and case-insensitively', () => {
    const s = { ...EMPTY_TABLE_STATE, sort: { key: 'name', desc: false } };
    expect(names(tableRows(rows, columns, s))).toEqual(['App-1', 'app-2', 'app-10', 'db']);
    expect(names(tableRows(rows, columns, { ...s, sort: { key: 'name', desc: true } }))).toEqual([
      'db',
      'app-10',
      'app-2',
      'App-1',
    ]);
  });

  it('sorts numbers as numbers and puts blanks last in both directions', () => {
    const asc = { ...EMPTY_TABLE_STATE, sort: { key: 'nodes', desc: false } };
    expect(names(tableRows(rows, columns, asc))).toEqual(['db', 'app-10', 'App-1', 'app-2']);
    const desc = { ...EMPTY_TABLE_STATE, sort: { key: 'nodes', desc: true } };
    expect(names(tableRows(rows, columns, desc))).toEqual(['App-1', 'app-10', 'db', 'app-2']);
    const upd = { ...EMPTY_TABLE_STATE, sort: { key: 'updated', desc: true } };
    expect(names(tableRows(rows, columns, upd)).at(-1)).toBe('app-2');
  });

  it('is stable for equal values', () => {
    const s = { ...EMPTY_TABLE_STATE, sort: { key: 'state', desc: false } };
    expect(names(tableRows(rows, columns, s))).toEqual(['app-2', 'db', 'app-10', 'App-1']);
  });

  it('filters by every word across the searchable columns', () => {
    expect(names(tableRows(rows, columns, { ...EMPTY_TABLE_STATE, filter: 'synced APP' }))).toEqual([
      'app-10',
      'App-1',
    ]);
    expect(names(tableRows(rows, columns, { ...EMPTY_TABLE_STATE, filter: '2026-01-03' }))).toEqual([]);
  });

  it('filters by facets exactly', () => {
    const s = { ...EMPTY_TABLE_STATE, facets: { state: 'Synced' } };
    expect(names(tableRows(rows, columns, s))).toEqual(['app-10', 'App-1']);
    expect(tableRows(rows, columns, { ...EMPTY_TABLE_STATE, facets: { state: 'Sync' } })).toEqual([]);
  });

  it('ignores a sort or facet on a column it does not have', () => {
    const s = { sort: { key: 'nope', desc: false }, filter: '', facets: { nope: 'x' } };
    expect(tableRows(rows, columns, s)).toHaveLength(4);
  });

  it('sorts and filters 5,000 rows quickly', () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({
      name: `app-${i}`,
      state: i % 3 ? 'Synced' : 'Degraded',
      nodes: i,
      updated: null,
    }));
    const t = performance.now();
    const out = tableRows(many, columns, { sort: { key: 'name', desc: true }, filter: 'app-4', facets: {} });
    expect(out[0]!.name).toBe('app-4999');
    expect(performance.now() - t).toBeLessThan(500);
  });
});

describe('the table state in the URL', () => {
  it('round-trips', () => {
    const s = { sort: { key: 'name', desc: true }, filter: 'a b', facets: { state: 'Synced' } };
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(tableStateToQuery(s, ['state', 'health']))) if (v) q.set(k, v);
    expect(q.toString()).toBe('sort=-name&q=a+b&state=Synced');
    expect(tableStateFromQuery(`?${q}`, ['state', 'health'])).toEqual(s);
  });

  it('reads nothing from an empty query and removes what a state does not set', () => {
    expect(tableStateFromQuery('', ['state'])).toEqual(EMPTY_TABLE_STATE);
    expect(tableStateFromQuery('?sort=-', [])).toEqual(EMPTY_TABLE_STATE);
    expect(tableStateToQuery(EMPTY_TABLE_STATE, ['state'])).toEqual({ sort: null, q: null, state: null });
  });
});

describe('facetValues', () => {
  it('lists the distinct non-blank values, sorted', () => {
    expect(facetValues(rows, columns[1]!)).toEqual(['Degraded', 'OutOfSync', 'Synced']);
  });
});
