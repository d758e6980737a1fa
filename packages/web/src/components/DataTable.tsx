import { useVirtualizer } from '@tanstack/react-virtual';
import { type ReactNode, useMemo, useRef } from 'react';
import {
  type Column,
  facetValues,
  type TableAction,
  type TableState,
  tableRows,
} from '../table/tableState.ts';

export interface DisplayColumn<Row> extends Column<Row> {
  render?: (row: Row) => ReactNode;
  /** Offer a choice of this column's values as a filter. */
  facet?: boolean;
}

interface Props<Row> {
  caption: string;
  rows: readonly Row[];
  columns: readonly DisplayColumn<Row>[];
  state: TableState;
  onAction: (a: TableAction) => void;
  rowKey: (row: Row) => string;
  /** Shown when filters leave no row. */
  noMatch?: string;
  /** Render only the rows in view (for long lists). */
  virtual?: boolean;
}

const ROW_HEIGHT = 40;

/** A sortable, filterable table; with `virtual`, only the rows in view are in the page. */
export function DataTable<Row>(p: Props<Row>) {
  const shown = useMemo(() => tableRows(p.rows, p.columns, p.state), [p.rows, p.columns, p.state]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    enabled: p.virtual === true,
  });
  const items = p.virtual ? virtualizer.getVirtualItems() : null;
  const visible = items
    ? items.map((i) => ({ row: shown[i.index]!, index: i.index }))
    : shown.map((row, index) => ({ row, index }));
  const padTop = items && items.length > 0 ? items[0]!.start : 0;
  const padBottom = items && items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  const filterId = `filter-${p.caption.replace(/\W+/g, '-').toLowerCase()}`;

  return (
    <div className="data-table">
      <div className="table-tools">
        <label htmlFor={filterId}>Filter</label>
        <input
          id={filterId}
          type="search"
          value={p.state.filter}
          placeholder="Type to filter"
          onChange={(e) => p.onAction({ type: 'filter', text: e.target.value })}
        />
        {p.columns
          .filter((c) => c.facet)
          .map((c) => (
            <span key={c.key} className="facet">
              <label htmlFor={`${filterId}-${c.key}`}>{c.label}</label>
              <select
                id={`${filterId}-${c.key}`}
                value={p.state.facets[c.key] ?? ''}
                onChange={(e) => p.onAction({ type: 'facet', key: c.key, value: e.target.value })}
              >
                <option value="">all</option>
                {facetValues(p.rows, c).map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            </span>
          ))}
        <span className="count" aria-live="polite">
          {shown.length === p.rows.length
            ? `${p.rows.length} rows`
            : `${shown.length} of ${p.rows.length} rows`}
        </span>
      </div>
      <div
        ref={scroller}
        className={p.virtual ? 'table-scroll virtual' : 'table-scroll'}
        // the scrolled region of a long table is a landmark reachable by keyboard
        {...(p.virtual ? { role: 'region', 'aria-label': p.caption, tabIndex: 0 } : {})}
      >
        <table>
          <caption className="visually-hidden">{p.caption}</caption>
          <thead>
            <tr>
              {p.columns.map((c) => {
                const sorted = p.state.sort?.key === c.key ? p.state.sort : null;
                return (
                  <th
                    key={c.key}
                    scope="col"
                    aria-sort={sorted ? (sorted.desc ? 'descending' : 'ascending') : undefined}
                  >
                    {c.sortable === false ? (
                      c.label
                    ) : (
                      <button
                        type="button"
                        className="sort"
                        onClick={() => p.onAction({ type: 'sort', key: c.key })}
                      >
                        {c.label}
                        <span aria-hidden="true">{sorted ? (sorted.desc ? ' ▼' : ' ▲') : ''}</span>
                      </button>
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {padTop > 0 ? (
              <tr className="spacer">
                <td colSpan={p.columns.length} style={{ height: padTop }} />
              </tr>
            ) : null}
            {visible.map(({ row }) => (
              <tr key={p.rowKey(row)} style={p.virtual ? { height: ROW_HEIGHT } : undefined}>
                {p.columns.map((c) => (
                  <td key={c.key}>{c.render ? c.render(row) : (c.value(row) ?? '—')}</td>
                ))}
              </tr>
            ))}
            {padBottom > 0 ? (
              <tr className="spacer">
                <td colSpan={p.columns.length} style={{ height: padBottom }} />
              </tr>
            ) : null}
          </tbody>
        </table>
        {shown.length === 0 && p.rows.length > 0 ? (
          <p className="state empty-inline">
            {p.noMatch ?? 'No row matches the filter.'}{' '}
            <button type="button" onClick={() => p.onAction({ type: 'clear' })}>
              Clear filters
            </button>
          </p>
        ) : null}
      </div>
    </div>
  );
}
