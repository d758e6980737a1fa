import { CoreApi, type KubeConfig } from '@mooring/kube';
import { z } from 'zod';

// `node:http` through process.getBuiltinModule, not an import: Node makes an ES module of `node:http` by
// reading all its exports, and its WebSocket, CloseEvent and MessageEvent getters load undici (≈ 4 MiB
// of resident memory the agent does not use).
const { request: httpRequest } = process.getBuiltinModule('node:http');

/** The platform's request to forward one HTTP request to an in-cluster Service (e.g. a Prometheus query). */
export const SERVICE_FORWARD_REQUEST = 'service.forward';

export const serviceForwardSchema = z.strictObject({
  namespace: z.string().min(1).max(63),
  service: z.string().min(1).max(63),
  /** The Service port: its number or its name. */
  port: z.union([z.number().int().min(1).max(65535), z.string().min(1).max(15)]),
  method: z.enum(['GET', 'POST']),
  /** The path with its query, e.g. `/api/v1/query?query=up`. */
  path: z.string().startsWith('/').max(8192),
  headers: z.record(z.string(), z.string()).optional(),
  /** base64 */
  body: z.string().max(1_400_000).optional(),
  timeout_seconds: z.number().positive().max(3600).optional(),
});
export type ServiceForward = z.infer<typeof serviceForwardSchema>;

/** The largest answer body passed back (bigger ones are cut and marked `truncated`). */
export const FORWARD_BODY_LIMIT = 512 * 1024;
/** Request headers passed to the Service; never credentials of the platform. */
const PASSED = new Set(['accept', 'content-type', 'user-agent']);

export interface EndpointTarget {
  address: string;
  port: number;
}

interface SliceLike {
  endpoints?: { addresses?: string[]; conditions?: { ready?: boolean } }[];
  ports?: { name?: string; port?: number }[];
}
interface ServicePortLike {
  name?: string;
  port: number;
}

/**
 * Where to send a request for a Service port (pure): the Service's port (by number or name),
 * then the first ready endpoint of its EndpointSlices with the port of the same name.
 * Undefined when none is ready.
 */
export function pickEndpoint(
  servicePorts: ServicePortLike[],
  slices: SliceLike[],
  port: number | string,
): { target?: EndpointTarget; problem?: string } {
  const sp = servicePorts.find((p) => (typeof port === 'number' ? p.port === port : p.name === port));
  if (!sp) return { problem: `the Service has no port ${port}` };
  for (const s of slices) {
    const match = (s.ports ?? []).find((p) => (p.name ?? '') === (sp.name ?? ''));
    if (!match?.port) continue;
    for (const e of s.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      const address = e.addresses?.[0];
      if (address) return { target: { address, port: match.port } };
    }
  }
  return { problem: 'the Service has no ready endpoint' };
}

export interface ForwardAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  truncated?: boolean;
}

/**
 * Forwards one HTTP request to an in-cluster Service, straight to a ready endpoint from its
 * EndpointSlices (the agent runs in the cluster, so it reaches the Pods), within the
 * request's timeout bounded by `FORWARD_SERVICE_REQUEST_MAX_TIMEOUT_SECONDS`. A request
 * that takes longer is answered 504; a Service without a ready endpoint 503.
 */
export function serviceForwardHandler(kc: KubeConfig, maxTimeoutSeconds: number) {
  const core = new CoreApi(kc);
  const discovery = core;
  return async (data: unknown): Promise<ForwardAnswer> => {
    const p = serviceForwardSchema.safeParse(data);
    if (!p.success)
      throw new Error(
        `invalid request: ${p.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}`,
      );
    const r = p.data;
    const timeoutMs = Math.min(r.timeout_seconds ?? maxTimeoutSeconds, maxTimeoutSeconds) * 1000;
    const svc = await core.readNamespacedService({ name: r.service, namespace: r.namespace });
    const slices = await discovery.listNamespacedEndpointSlice({
      namespace: r.namespace,
      labelSelector: `kubernetes.io/service-name=${r.service}`,
    });
    const picked = pickEndpoint(
      (svc.spec?.ports ?? []).map((x) => ({ name: x.name, port: x.port })),
      slices.items as SliceLike[],
      r.port,
    );
    if (!picked.target)
      return { status: 503, headers: {}, body: Buffer.from(picked.problem!).toString('base64') };
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers ?? {}))
      if (PASSED.has(k.toLowerCase())) headers[k.toLowerCase()] = v;
    const body = r.body ? Buffer.from(r.body, 'base64') : undefined;
    if (body) headers['content-length'] = String(body.length);
    const host = picked.target.address.includes(':') ? `[${picked.target.address}]` : picked.target.address;
    return new Promise<ForwardAnswer>((resolve) => {
      const req = httpRequest(
        `http://${host}:${picked.target!.port}${r.path}`,
        { method: r.method, headers, signal: AbortSignal.timeout(timeoutMs) },
        (res) => {
          const parts: Buffer[] = [];
          let size = 0;
          let truncated = false;
          res.on('data', (c: Buffer) => {
            if (size >= FORWARD_BODY_LIMIT) {
              truncated = true;
              return;
            }
            parts.push(c);
            size += c.length;
          });
          res.on('end', () => {
            const all = Buffer.concat(parts);
            truncated ||= all.length > FORWARD_BODY_LIMIT;
            const out: Record<string, string> = {};
            const ct = res.headers['content-type'];
            if (ct) out['content-type'] = ct;
            resolve({
              status: res.statusCode ?? 502,
              headers: out,
              body: all.subarray(0, FORWARD_BODY_LIMIT).toString('base64'),
              ...(truncated ? { truncated } : {}),
            });
          });
          res.on('error', (err) => resolve(failure(err, timeoutMs)));
        },
      );
      req.on('error', (err) => resolve(failure(err, timeoutMs)));
      req.end(body);
    });
  };
}

function failure(err: Error, timeoutMs: number): ForwardAnswer {
  const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
  const message = timedOut
    ? `the Service did not answer within ${timeoutMs / 1000} s`
    : `the Service could not be reached: ${err.message}`;
  return { status: timedOut ? 504 : 502, headers: {}, body: Buffer.from(message).toString('base64') };
}
