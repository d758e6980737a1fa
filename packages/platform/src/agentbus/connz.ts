import { z } from 'zod';

/** One client connection as a server's CONNZ reports it (with `auth: true`). */
export interface ClientConnection {
  serverId: string;
  cid: number;
  /** The user's public key (`U...`) for a JWT user. */
  user?: string;
  name?: string;
}

const connzReply = z.object({
  server: z.object({ id: z.string() }),
  data: z
    .object({
      connections: z
        .array(
          z.object({
            cid: z.number(),
            authorized_user: z.string().optional(),
            name: z.string().optional(),
          }),
        )
        .nullish(),
    })
    .nullish(),
});

/** The connections in one server's CONNZ reply (pure); none when the reply is not one. */
export function connectionsOf(reply: unknown): ClientConnection[] {
  const r = connzReply.safeParse(reply);
  if (!r.success) return [];
  return (r.data.data?.connections ?? []).map((c) => ({
    serverId: r.data.server.id,
    cid: c.cid,
    ...(c.authorized_user ? { user: c.authorized_user } : {}),
    ...(c.name ? { name: c.name } : {}),
  }));
}

const connectEvent = z.object({
  server: z.object({ id: z.string() }),
  client: z.object({ id: z.number(), user: z.string().optional(), name: z.string().optional() }),
});

/** The connection a `$SYS.ACCOUNT.<account>.CONNECT` advisory announces (pure). */
export function connectionOfEvent(event: unknown): ClientConnection | undefined {
  const r = connectEvent.safeParse(event);
  if (!r.success) return undefined;
  return {
    serverId: r.data.server.id,
    cid: r.data.client.id,
    ...(r.data.client.user ? { user: r.data.client.user } : {}),
    ...(r.data.client.name ? { name: r.data.client.name } : {}),
  };
}

/** The connections to cut: those of a revoked user (pure). */
export function connectionsToKick(
  connections: readonly ClientConnection[],
  revoked: ReadonlySet<string>,
): ClientConnection[] {
  return connections.filter((c) => c.user !== undefined && revoked.has(c.user));
}
