import { type ComponentPropsWithRef, type MouseEvent, useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();

function notify(): void {
  for (const l of listeners) l();
}

if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

const snapshot = () => `${window.location.pathname}${window.location.search}`;

/** The current path and query; re-renders on navigation. */
export function useLocation(): { pathname: string; search: string } {
  const href = useSyncExternalStore(subscribe, snapshot);
  const i = href.indexOf('?');
  return i < 0 ? { pathname: href, search: '' } : { pathname: href.slice(0, i), search: href.slice(i) };
}

/** Go to a URL inside the UI; `replace` keeps the history entry (filters, sort). */
export function navigate(to: string, o: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (o.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
  if (!o.replace) window.scrollTo(0, 0);
}

/** A real link (opens in a new tab, can be copied) that navigates in place on a plain click. */
export function Link(props: ComponentPropsWithRef<'a'> & { href: string }) {
  const { onClick, ...rest } = props;
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return <a {...rest} href={props.href} onClick={click} />;
}
