/** Credentials sent as an `Authorization` header: none, a bearer token, or a user name and password. */
export type HeaderAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; username: string; password: string };

/** `Authorization: Basic …` for a user name (or client id) and password (or secret). */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** The headers carrying `auth`. */
export function headerAuthHeaders(auth: HeaderAuth): Record<string, string> {
  if (auth.kind === 'bearer') return { Authorization: `Bearer ${auth.token}` };
  if (auth.kind === 'basic') return { Authorization: basicAuthorization(auth.username, auth.password) };
  return {};
}

/** The secrets of `auth`, for a `Redactor`. */
export function headerAuthSecrets(auth: HeaderAuth): string[] {
  return auth.kind === 'bearer' ? [auth.token] : auth.kind === 'basic' ? [auth.password] : [];
}
