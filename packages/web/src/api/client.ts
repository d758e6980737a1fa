import { sessionToken, setSessionToken } from '../session/session.ts';
import { ApiError, apiErrorFrom, networkError } from './errors.ts';
import type { Page } from './types.ts';

export const API = '/api/v1';

export interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  /** Send the body as this content type, as is (default: JSON). */
  contentType?: string;
}

/** One call to the platform's API with the session token; a 401 ends the session. */
export async function api<T>(path: string, o: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = sessionToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (o.body !== undefined) {
    headers['content-type'] = o.contentType ?? 'application/json';
    body = o.contentType ? String(o.body) : JSON.stringify(o.body);
  }
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, { method: o.method ?? 'GET', headers, body, signal: o.signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw networkError(e);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const error = apiErrorFrom(res.status, parsed, res.headers.get('retry-after'));
    if (error.status === 401 && token && path !== '/auth/login') setSessionToken(null);
    throw error;
  }
  return parsed as T;
}

/** The page numbers after the first that a list of `total` items needs, 100 a page, up to `limit` items (pure). */
export function remainingPages(total: number, limit: number): number[] {
  const pages = Math.ceil(Math.min(total, limit) / 100);
  return Array.from({ length: Math.max(0, pages - 1) }, (_, i) => i + 2);
}

/**
 * Every item of a paged list (100 per request), for tables sorted and filtered in the browser:
 * the first page says how many there are, the others are asked for at once.
 */
export async function apiAll<T>(path: string, signal?: AbortSignal, limit = 20_000): Promise<T[]> {
  const sep = path.includes('?') ? '&' : '?';
  const page = (n: number) => api<Page<T>>(`${path}${sep}page=${n}&page_size=100`, { signal });
  const first = await page(1);
  const rest = await Promise.all(remainingPages(first.total, limit).map(page));
  return [first, ...rest].flatMap((p) => p.items).slice(0, limit);
}

export function isApiError(e: unknown, code?: string): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code);
}

/**
 * A streamed answer (Server-Sent Events, a followed log) with the session token, read chunk by
 * chunk until it ends or `signal` aborts; an error answer throws like `api`.
 */
export async function apiStream(
  path: string,
  signal: AbortSignal,
  onText: (text: string) => void,
): Promise<void> {
  const headers: Record<string, string> = {};
  const token = sessionToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, { headers, signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw networkError(e);
  }
  if (!res.ok || !res.body) {
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const error = apiErrorFrom(res.status, parsed, res.headers.get('retry-after'));
    if (error.status === 401 && token) setSessionToken(null);
    throw error;
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    onText(value);
  }
}
