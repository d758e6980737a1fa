import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useRef, useSyncExternalStore } from 'react';
import { api } from './api/client.ts';
import { ApiError } from './api/errors.ts';
import { useMe } from './api/queries.ts';
import { Layout } from './components/Layout.tsx';
import { Loading } from './components/States.tsx';
import { ClusterPage } from './pages/ClusterPage.tsx';
import { DashboardPage } from './pages/DashboardPage.tsx';
import { ImportPage } from './pages/ImportPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { ProfilePage } from './pages/ProfilePage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { navigate, useLocation } from './router/navigation.tsx';
import { hrefOf, matchRoute, type Route } from './router/routes.ts';
import { sessionToken, setSessionToken, subscribeSession } from './session/session.ts';
import { useTheme } from './theme/useTheme.ts';

// loaded when first opened: the add-on page brings the graph libraries of its Resource Map
const AddonPage = lazy(() => import('./pages/AddonPage.tsx').then((m) => ({ default: m.AddonPage })));
const PodLogsPage = lazy(() => import('./pages/PodLogsPage.tsx').then((m) => ({ default: m.PodLogsPage })));
const ChartsPage = lazy(() => import('./pages/ChartsPage.tsx').then((m) => ({ default: m.ChartsPage })));
const MembersPage = lazy(() => import('./pages/MembersPage.tsx').then((m) => ({ default: m.MembersPage })));

const TITLES: Record<Route['page'], string> = {
  'sign-in': 'Sign in',
  dashboard: 'Fleet',
  import: 'Import a cluster',
  cluster: 'Cluster',
  addon: 'Add-on',
  members: 'Members',
  charts: 'Charts',
  'pod-logs': 'Pod log',
  profile: 'Profile',
  'not-found': 'Not found',
};

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // a refused or missing object will not change by asking again
        retry: (n, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2,
        staleTime: 5_000,
      },
    },
  });
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'dashboard':
      return <DashboardPage />;
    case 'import':
      return <ImportPage />;
    case 'cluster':
      return <ClusterPage id={route.id} tab={route.tab} />;
    case 'addon':
      return (
        <Suspense fallback={<Loading what="the add-on" />}>
          <AddonPage id={route.id} name={route.name} tab={route.tab} />
        </Suspense>
      );
    case 'pod-logs':
      return (
        <Suspense fallback={<Loading what="the log" />}>
          <PodLogsPage id={route.id} namespace={route.namespace} name={route.name} />
        </Suspense>
      );
    case 'members':
      return (
        <Suspense fallback={<Loading what="members" />}>
          <MembersPage cluster={route.cluster} />
        </Suspense>
      );
    case 'charts':
      return (
        <Suspense fallback={<Loading what="charts" />}>
          <ChartsPage q={route.q} chart={route.chart} version={route.version} />
        </Suspense>
      );
    case 'profile':
      return <ProfilePage />;
    default:
      return <NotFoundPage path={route.page === 'not-found' ? route.path : ''} />;
  }
}

function SignedIn({ route }: { route: Route }) {
  const me = useMe();
  const { theme, toggle } = useTheme();
  const client = useQueryClient();
  const main = useRef<string>('');
  const key = `${route.page}:${route.page === 'cluster' || route.page === 'addon' ? route.id : ''}:${route.page === 'addon' ? route.name : ''}`;
  // move focus to the page on navigation, so keyboard and screen reader users start at its top
  useEffect(() => {
    if (main.current && main.current !== key) document.getElementById('main')?.focus();
    main.current = key;
  }, [key]);
  const signOut = async () => {
    try {
      await api('/auth/logout', { method: 'POST' });
    } catch {
      // the session ends here either way
    }
    setSessionToken(null);
    client.clear();
    navigate('/sign-in', { replace: true });
  };
  return (
    <Layout me={me.data} theme={theme} onToggleTheme={toggle} onSignOut={signOut}>
      <Page route={route} />
    </Layout>
  );
}

export function AppRoutes() {
  const { pathname, search } = useLocation();
  const token = useSyncExternalStore(subscribeSession, sessionToken);
  const route = matchRoute(pathname, search);
  useTheme();
  useEffect(() => {
    document.title = `${TITLES[route.page]} · Mooring`;
  }, [route.page]);
  const here = `${pathname}${search}`;
  const redirect = !token
    ? route.page === 'sign-in'
      ? null
      : hrefOf({ page: 'sign-in', next: here === '/' ? null : here })
    : route.page === 'sign-in'
      ? (route.next ?? '/')
      : null;
  useEffect(() => {
    if (redirect) navigate(redirect, { replace: true });
  }, [redirect]);
  if (redirect) return null;
  if (route.page === 'sign-in') return <SignInPage next={route.next} />;
  return <SignedIn route={route} />;
}

export function App({ client }: { client: QueryClient }) {
  return (
    <QueryClientProvider client={client}>
      <AppRoutes />
    </QueryClientProvider>
  );
}
