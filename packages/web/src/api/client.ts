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

/** Every item of a paged list (100 per request), for tables sorted and filtered in the browser. */
export async function apiAll<T>(path: string, signal?: AbortSignal, limit = 20_000): Promise<T[]> {
  const items: T[] = [];
  const sep = path.includes('?') ? '&' : '?';
  for (let page = 1; ; page++) {
    const p = await api<Page<T>>(`${path}${sep}page=${page}&page_size=100`, { signal });
    items.push(...p.items);
    if (p.items.length === 0 || items.length >= p.total || items.length >= limit) return items;
  }
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
