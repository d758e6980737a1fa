/** The session token, kept in sessionStorage for this tab; listeners hear sign-in and sign-out. */

const KEY = 'mooring.session';
const listeners = new Set<() => void>();

function storage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}

export function sessionToken(): string | null {
  return storage()?.getItem(KEY) ?? null;
}

export function setSessionToken(token: string | null): void {
  const s = storage();
  if (token) s?.setItem(KEY, token);
  else s?.removeItem(KEY);
  for (const l of listeners) l();
}

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
