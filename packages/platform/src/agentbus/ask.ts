import { type Bus, requestSubject } from '@mooring/bus';
import { ConflictError } from '../errors.ts';

/**
 * One request to a cluster's agent on its own subjects (`what`): no bus, no
 * answer in time, or an answer `{ error }` is a 409 that says so, prefixed by
 * `label` (default `what`).
 */
export async function askAgent(
  bus: Bus | undefined,
  clusterId: string,
  what: string,
  payload: object,
  o: { timeoutMs?: number; label?: string } = {},
): Promise<unknown> {
  const label = o.label ?? what;
  if (!bus) throw new ConflictError(`${label}: no bus to the agent`);
  let reply: unknown;
  try {
    reply = await bus.request<unknown>(requestSubject(clusterId, what), payload, {
      timeoutMs: o.timeoutMs ?? 60_000,
    });
  } catch (e) {
    throw new ConflictError(`${label}: the agent did not answer (${(e as Error).message})`);
  }
  if (reply && typeof reply === 'object' && 'error' in reply)
    throw new ConflictError(`${label}: ${String((reply as { error: unknown }).error)}`);
  return reply;
}
