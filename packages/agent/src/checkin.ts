import { type HttpAnswer, type HttpRequestInit, httpFetch } from '@mooring/engine';
import { z } from 'zod';

/** What the agent reports at each check-in (`POST /api/v1/agent/check-in`). */
export interface CheckInReport {
  agent_version: string;
  kubernetes_version: string;
  node_count: number;
  region: string | null;
  /** The public egress IP, when `public_ip.reporting_enabled` is on and a lookup succeeded. */
  public_ip?: string;
  /** Ask for new bus credentials (none yet, or their renewal time came). */
  bus_credentials: boolean;
  /** False when the agent has no Argo CD connection: the platform answers the stored one. */
  argocd_connected?: boolean;
}

/** Bus credentials for this cluster's subjects only. `creds` is secret. */
export const checkInBusSchema = z.object({
  kind: z.literal('nats'),
  servers: z.array(z.string()).min(1),
  creds: z.string().min(1),
  inbox_prefix: z.string().min(1),
  expires_at: z.iso.datetime({ offset: true }),
  renew_at: z.iso.datetime({ offset: true }),
});
export type CheckInBus = z.infer<typeof checkInBusSchema>;

export const checkInAnswerSchema = z.object({
  cluster_id: z.string().min(1),
  state: z.enum(['online', 'offline']),
  bus: checkInBusSchema.optional(),
  /** The stored Argo CD connection, answered when the agent said it has none; `token` is secret. */
  argocd: z
    .object({
      url: z.string().min(1),
      namespace: z.string().min(1),
      deletion: z.enum(['foreground', 'background', 'non-cascading']),
      token: z.string().min(1),
    })
    .optional(),
});
export type CheckInAnswer = z.infer<typeof checkInAnswerSchema>;

/** The platform refused the token (401/403): replaced, or the cluster was deleted. The agent stops. */
export class CheckInRejectedError extends Error {
  override readonly name = 'CheckInRejectedError';
  readonly status: number;
  constructor(status: number) {
    super(
      `the platform refused the agent token (HTTP ${status}): it was replaced or the cluster was deleted`,
    );
    this.status = status;
  }
}

/** The check-in did not get an answer it could use (network, 5xx, a malformed answer); retried later. */
export class CheckInFailedError extends Error {
  override readonly name = 'CheckInFailedError';
}

export interface CheckInRequest {
  platformUrl: string;
  /** Secret. */
  token: string;
  report: CheckInReport;
  timeoutMs?: number;
  /** How the request is sent (default `httpFetch`: fetch's contract without loading undici). */
  fetch?: (url: string, init: HttpRequestInit) => Promise<HttpAnswer>;
}

/** The check-in URL under the platform URL (pure). */
export function checkInUrl(platformUrl: string): string {
  return `${platformUrl.replace(/\/+$/, '')}/api/v1/agent/check-in`;
}

/** Checks in once: the platform's answer, `CheckInRejectedError` or `CheckInFailedError`. The token is never in an error. */
export async function checkIn(r: CheckInRequest): Promise<CheckInAnswer> {
  const url = checkInUrl(r.platformUrl);
  let res: HttpAnswer;
  try {
    res = await (r.fetch ?? httpFetch)(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${r.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(r.report),
      signal: AbortSignal.timeout(r.timeoutMs ?? 10_000),
    });
  } catch (e) {
    throw new CheckInFailedError(`check-in at ${url} failed: ${(e as Error).message}`, { cause: e });
  }
  if (res.status === 401 || res.status === 403) throw new CheckInRejectedError(res.status);
  if (!res.ok) throw new CheckInFailedError(`check-in at ${url} answered HTTP ${res.status}`);
  const parsed = checkInAnswerSchema.safeParse(await res.json().catch(() => undefined));
  if (!parsed.success) throw new CheckInFailedError(`check-in at ${url} answered something unexpected`);
  return parsed.data;
}

/** Whether the next check-in should ask for new bus credentials (pure). */
export function needsBusCredentials(current: CheckInBus | undefined, now: Date): boolean {
  return !current || now.getTime() >= Date.parse(current.renew_at);
}
