import { useCallback, useMemo } from 'react';
import { navigate, useLocation } from '../router/navigation.tsx';
import { withQuery } from '../router/routes.ts';
import {
  type TableAction,
  type TableState,
  tableReducer,
  tableStateFromQuery,
  tableStateToQuery,
} from './tableState.ts';

/** A table's state kept in the URL (so a filtered, sorted view can be shared); changes replace the entry. */
/* facetKeys: a constant of the caller's module (compared by identity) */
export function useUrlTable(facetKeys: readonly string[]): [TableState, (a: TableAction) => void] {
  const { pathname, search } = useLocation();
  const state = useMemo(() => tableStateFromQuery(search, facetKeys), [search, facetKeys]);
  const dispatch = useCallback(
    (a: TableAction) => {
      const next = tableReducer(state, a);
      navigate(`${pathname}${withQuery(search, tableStateToQuery(next, facetKeys))}`, { replace: true });
    },
    [state, pathname, search, facetKeys],
  );
  return [state, dispatch];
}
