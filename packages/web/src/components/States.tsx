import type { ReactNode } from 'react';
import { describeError } from '../api/errors.ts';
import { Link } from '../router/navigation.tsx';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const d = describeError(error);
  return (
    <div className="state error" role="alert">
      <h2>{d.title}</h2>
      <p>{d.detail}</p>
      {d.retry && onRetry ? (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
      {(error as { code?: string })?.code === 'unauthenticated' ? <Link href="/sign-in">Sign in</Link> : null}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="state empty">
      <h2>{title}</h2>
      {children}
    </div>
  );
}
