/** Credentials for a chart source. Never put in process arguments or logs. */
export type Credentials =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string };

export function authorizationHeader(c: Credentials | undefined): string | undefined {
  if (!c) return undefined;
  if (c.kind === 'bearer') return `Bearer ${c.token}`;
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

export function secretsOf(c: Credentials | undefined): string[] {
  if (!c) return [];
  return c.kind === 'bearer' ? [c.token] : [c.password];
}
