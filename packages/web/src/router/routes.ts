/** The UI's pages and their URLs (pure): every state worth sharing is in the path or the query. */

export type Route =
  | { page: 'sign-in'; next: string | null }
  | { page: 'dashboard' }
  | { page: 'import' }
  | { page: 'cluster'; id: string; tab: ClusterTab }
  | { page: 'addon'; id: string; name: string; tab: AddonTab }
  | { page: 'members'; cluster: string | null }
  | { page: 'charts'; q: string; chart: string | null; version: string | null }
  | { page: 'pod-logs'; id: string; namespace: string; name: string }
  | { page: 'profile' }
  | { page: 'not-found'; path: string };

export const CLUSTER_TABS = [
  'overview',
  'addons',
  'stacks',
  'resources',
  'operations',
  'gitops',
  'engines',
  'builder',
] as const;
export type ClusterTab = (typeof CLUSTER_TABS)[number];

export const ADDON_TABS = ['overview', 'values', 'history', 'events', 'map'] as const;
export type AddonTab = (typeof ADDON_TABS)[number];

function decode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** The page for a path and query string. */
export function matchRoute(pathname: string, search: string): Route {
  const q = new URLSearchParams(search);
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { page: 'dashboard' };
  if (path === '/sign-in') {
    const next = q.get('next');
    return { page: 'sign-in', next: next?.startsWith('/') && !next.startsWith('//') ? next : null };
  }
  if (path === '/profile') return { page: 'profile' };
  if (path === '/clusters/import') return { page: 'import' };
  if (path === '/charts')
    return {
      page: 'charts',
      q: q.get('q') ?? '',
      chart: q.get('chart') || null,
      version: q.get('version') || null,
    };
  if (path === '/members') return { page: 'members', cluster: q.get('cluster') || null };
  const l = /^\/clusters\/([^/]+)\/pods\/([^/]+)\/([^/]+)\/logs$/.exec(path);
  if (l) {
    const [id, namespace, name] = [decode(l[1]!), decode(l[2]!), decode(l[3]!)];
    if (id && namespace && name) return { page: 'pod-logs', id, namespace, name };
  }
  const a = /^\/clusters\/([^/]+)\/addons\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (a) {
    const id = decode(a[1]!);
    const name = decode(a[2]!);
    const tab = (a[3] ?? 'overview') as AddonTab;
    if (id && name && ADDON_TABS.includes(tab)) return { page: 'addon', id, name, tab };
  }
  const m = /^\/clusters\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (m) {
    const id = decode(m[1]!);
    const tab = (m[2] ?? 'overview') as ClusterTab;
    if (id && CLUSTER_TABS.includes(tab)) return { page: 'cluster', id, tab };
  }
  return { page: 'not-found', path: pathname };
}

/** The path of a page (the inverse of matchRoute for the pages one links to). */
export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'dashboard':
      return '/';
    case 'sign-in':
      return route.next ? `/sign-in?next=${encodeURIComponent(route.next)}` : '/sign-in';
    case 'profile':
      return '/profile';
    case 'import':
      return '/clusters/import';
    case 'cluster':
      return `/clusters/${encodeURIComponent(route.id)}${route.tab === 'overview' ? '' : `/${route.tab}`}`;
    case 'addon':
      return `/clusters/${encodeURIComponent(route.id)}/addons/${encodeURIComponent(route.name)}${route.tab === 'overview' ? '' : `/${route.tab}`}`;
    case 'pod-logs':
      return `/clusters/${encodeURIComponent(route.id)}/pods/${encodeURIComponent(route.namespace)}/${encodeURIComponent(route.name)}/logs`;
    case 'charts':
      return `/charts${withQuery('', { q: route.q, chart: route.chart, version: route.version })}`;
    case 'members':
      return route.cluster ? `/members?cluster=${encodeURIComponent(route.cluster)}` : '/members';
    case 'not-found':
      return route.path;
  }
}

/** A query string with `changes` applied (empty values removed), kept in a stable order. */
export function withQuery(search: string, changes: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams(search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') q.delete(k);
    else q.set(k, v);
  }
  q.sort();
  const s = q.toString();
  return s ? `?${s}` : '';
}
