import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { KubeProxyRequest } from '@mooring/bus';

/** Request headers passed on to the API server; anything else (credentials, impersonation) is dropped. */
const REQUEST_HEADERS = new Set(['accept', 'content-type', 'user-agent']);
/** Answer headers passed back to the client. */
const REPLY_HEADERS = new Set(['content-type', 'audit-id', 'warning', 'retry-after', 'cache-control']);

/** The headers of the request to the API server: the client's safe headers and the impersonation. */
export function apiServerHeaders(r: Pick<KubeProxyRequest, 'headers' | 'impersonate'>): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(r.headers))
    if (REQUEST_HEADERS.has(k.toLowerCase())) out[k.toLowerCase()] = v;
  out['impersonate-user'] = r.impersonate.user;
  if (r.impersonate.groups.length > 0) out['impersonate-group'] = [...r.impersonate.groups];
  return out;
}

/** Handshake headers of an upgrade (WebSocket or SPDY), passed both ways. */
const UPGRADE_HEADERS = new Set([
  'connection',
  'upgrade',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'sec-websocket-accept',
  'x-stream-protocol-version',
]);

/** The upgrade's handshake headers, from a request or an answer; nothing else. */
export function upgradeHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    const key = k.toLowerCase();
    if (!UPGRADE_HEADERS.has(key) || v === undefined) continue;
    out[key] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** The API server's answer headers the client gets back. */
export function replyHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (!REPLY_HEADERS.has(k) || v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** A Kubernetes `Status` answer (what kubectl prints as `Error from server (Reason): message`). */
export function kubeStatus(code: number, reason: string, message: string): { status: number; body: Buffer } {
  const body = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  return { status: code, body: Buffer.from(JSON.stringify(body)) };
}
