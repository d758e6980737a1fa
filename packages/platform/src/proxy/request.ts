/** Pure decisions about one request through the kubectl proxy. */

/** The API server path (with its query) below `/api/v1/clusters/{id}/k8s`. */
export function apiServerPath(url: string): string | undefined {
  const m = /^\/api\/v1\/clusters\/[^/?]+\/k8s(\/[\s\S]*)?$/.exec(url);
  if (!m) return undefined;
  return m[1] ?? '/';
}

const TRUE = new Set(['true', '1']);

/** A long-lived answer: a watch (`?watch=true`, `/watch/` paths) or a followed log. */
export function isStream(method: string, path: string): boolean {
  if (method !== 'GET') return false;
  const q = path.indexOf('?');
  const params = new URLSearchParams(q >= 0 ? path.slice(q + 1) : '');
  const p = q >= 0 ? path.slice(0, q) : path;
  return (
    TRUE.has(params.get('watch') ?? '') ||
    TRUE.has(params.get('follow') ?? '') ||
    /^\/api\/v1\/watch\/|^\/apis\/[^/]+\/[^/]+\/watch\//.test(p)
  );
}

/** Request headers passed to the agent. */
const PASSED = ['accept', 'content-type', 'user-agent'];

export function passedHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of PASSED) {
    const v = h[k];
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** A Kubernetes `Status` body: kubectl prints `Error from server (Reason): message`. */
export function kubeStatus(code: number, reason: string, message: string): string {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
}

/**
 * Discovery (`/version`, `/api`, `/api/v1`, `/apis`, `/apis/{group}`, `/apis/{group}/{version}`,
 * `/openapi/...`): what API groups and kinds the cluster serves, readable by every signed-in
 * Kubernetes user, so kubectl can say what a user without a grant may not do.
 */
export function isDiscovery(method: string, path: string): boolean {
  if (method !== 'GET') return false;
  const p = path.split('?')[0]!.replace(/\/+$/, '') || '/';
  return /^\/version$|^\/api(\/v1)?$|^\/apis(\/[^/]+){0,2}$|^\/openapi(\/[^?]*)?$/.test(p);
}
