import { type KeyboardEvent, type ReactNode, useRef } from 'react';
import { Link, navigate } from '../router/navigation.tsx';

interface Props<T extends string> {
  label: string;
  tabs: readonly T[];
  labels: Record<T, string>;
  current: T;
  href: (tab: T) => string;
  children: ReactNode;
}

/** Tabs as links (each has its URL); the arrow keys move between them (the WAI-ARIA tabs pattern). */
export function Tabs<T extends string>(p: Props<T>) {
  const refs = useRef<(HTMLAnchorElement | null)[]>([]);
  const onKey = (e: KeyboardEvent<HTMLAnchorElement>, i: number) => {
    const n = p.tabs.length;
    const j =
      e.key === 'ArrowRight'
        ? (i + 1) % n
        : e.key === 'ArrowLeft'
          ? (i + n - 1) % n
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? n - 1
              : -1;
    if (j < 0) return;
    e.preventDefault();
    navigate(p.href(p.tabs[j]!));
    refs.current[j]?.focus();
  };
  return (
    <>
      <div role="tablist" aria-label={p.label} className="tabs">
        {p.tabs.map((t, i) => (
          <Link
            key={t}
            ref={(el) => {
              refs.current[i] = el;
            }}
            role="tab"
            id={`tab-${t}`}
            aria-selected={t === p.current}
            aria-controls={`panel-${t}`}
            tabIndex={t === p.current ? 0 : -1}
            href={p.href(t)}
            onKeyDown={(e) => onKey(e, i)}
          >
            {p.labels[t]}
          </Link>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`panel-${p.current}`}
        aria-labelledby={`tab-${p.current}`}
        className="tabpanel"
      >
        {p.children}
      </div>
    </>
  );
}
