import type { ReactNode } from 'react';
import type { Me } from '../api/types.ts';
import { Link, useLocation } from '../router/navigation.tsx';

interface Props {
  me: Me | undefined;
  theme: 'light' | 'dark';
  onToggleTheme: () => void;
  onSignOut: () => void;
  children: ReactNode;
}

const NAV = [
  {
    href: '/',
    label: 'Fleet',
    match: (p: string) => p === '/' || (p.startsWith('/clusters/') && p !== '/clusters/import'),
  },
  { href: '/clusters/import', label: 'Import a cluster', match: (p: string) => p === '/clusters/import' },
  { href: '/charts', label: 'Charts', match: (p: string) => p === '/charts' },
  { href: '/members', label: 'Members', match: (p: string) => p === '/members' },
  { href: '/profile', label: 'Profile', match: (p: string) => p === '/profile' },
];

/** The frame of every signed-in page: a skip link, the navigation, the theme toggle, sign out. */
export function Layout(p: Props) {
  const { pathname } = useLocation();
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href="/" className="brand">
          Mooring
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={n.match(pathname) ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="top-actions">
          <button
            type="button"
            onClick={p.onToggleTheme}
            aria-label={`Switch to ${p.theme === 'dark' ? 'light' : 'dark'} theme`}
            title="Theme"
          >
            {p.theme === 'dark' ? '☀' : '☾'}
          </button>
          {p.me ? (
            <span className="who">
              {p.me.user.display_name || p.me.user.username} <small>({p.me.role})</small>
            </span>
          ) : null}
          <button type="button" onClick={p.onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {p.children}
      </main>
    </>
  );
}
