import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/types.ts';
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../errors.ts';
import { type Page, type PageRequest, toPage } from '../http/pagination.ts';
import type { UserPrincipal } from './principal.ts';
import { PrincipalCache } from './principalCache.ts';
import {
  findToken,
  findTokenByHash,
  findUserByName,
  listApiTokens,
  revokeToken,
  type TokenSortField,
  touchToken,
} from './queries.ts';
import { effectiveRole, isRole, parseScopes, roleAtLeast, SCOPES, type Scope } from './roles.ts';
import { decoyHash, hashSecret, newSecret, secretPrefix, verifyPassword } from './secrets.ts';
import { shouldTouch, tokenState } from './tokenState.ts';
import { type TokenView, tokenView, type UserView, userView } from './views.ts';

export interface AuthServiceOptions {
  db: Database;
  clock: Clock;
  sessionTtlSeconds: number;
  /** How long a checked bearer secret's principal is kept in this process (default 5 s; 0: never). */
  cacheSeconds?: number;
}

export interface Session {
  token: string;
  expires_at: string;
  user: UserView;
}

export interface NewToken {
  name: string;
  scopes: Scope[];
  expires_at?: string | null;
}

/** Sessions (login, logout), API tokens, and checking a bearer secret. */
export class AuthService {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #sessionTtlSeconds: number;
  readonly #cache: PrincipalCache;
  constructor(o: AuthServiceOptions) {
    this.#db = o.db;
    this.#clock = o.clock;
    this.#sessionTtlSeconds = o.sessionTtlSeconds;
    this.#cache = new PrincipalCache((o.cacheSeconds ?? 5) * 1000);
  }

  /** Forgets every principal kept (a token was revoked or a user changed). */
  forget(): void {
    this.#cache.clear();
  }

  /** A session token for a user name and password; the same error whether the name or the password is wrong. */
  async login(username: string, password: string): Promise<Session> {
    const user = await findUserByName(this.#db, username);
    const ok = await verifyPassword(password, user?.password_hash ?? (await decoyHash()));
    if (!user || !ok) throw new UnauthenticatedError('wrong user name or password');
    const now = this.#clock();
    const expires = new Date(now.getTime() + this.#sessionTtlSeconds * 1000);
    const secret = newSecret('session');
    await this.#db
      .insertInto('tokens')
      .values({
        id: randomUUID(),
        organization_id: user.organization_id,
        user_id: user.id,
        kind: 'session',
        name: 'login',
        token_hash: hashSecret(secret),
        prefix: secretPrefix(secret),
        scopes: SCOPES.join(','),
        expires_at: expires,
        last_used_at: now,
      })
      .execute();
    return { token: secret, expires_at: expires.toISOString(), user: userView(user) };
  }

  /** Ends the session or revokes the API token the request came with. */
  async logout(p: UserPrincipal): Promise<void> {
    await revokeToken(this.#db, p.tokenId, this.#clock());
    this.forget();
  }

  /** The principal of a session or API token; undefined when unknown, revoked or expired. */
  async authenticate(secret: string): Promise<UserPrincipal | undefined> {
    const hash = hashSecret(secret);
    const cached = this.#cache.get(hash, this.#clock());
    if (cached) return cached;
    const generation = this.#cache.generation;
    const found = await findTokenByHash(this.#db, hash);
    if (!found) return undefined;
    const { token, user } = found;
    const now = this.#clock();
    if (tokenState(token, now) !== 'usable' || !isRole(user.role)) return undefined;
    if (shouldTouch(token.last_used_at, now)) await touchToken(this.#db, token.id, now);
    const scopes = parseScopes(token.scopes);
    const principal: UserPrincipal = {
      kind: 'user',
      userId: user.id,
      organizationId: user.organization_id,
      username: user.username,
      role: effectiveRole(user.role, scopes),
      userRole: user.role,
      tokenId: token.id,
      tokenKind: token.kind === 'session' ? 'session' : 'api',
      scopes,
    };
    this.#cache.set(hash, principal, now, token.expires_at, generation);
    return principal;
  }

  /** A new API token for the caller; the secret is in this answer only. */
  async createToken(p: UserPrincipal, t: NewToken): Promise<{ token: TokenView; secret: string }> {
    const now = this.#clock();
    const expires = t.expires_at ? new Date(t.expires_at) : null;
    if (expires && expires.getTime() <= now.getTime()) {
      throw new ValidationError('expires_at must be in the future', [
        { path: 'body.expires_at', message: 'must be in the future' },
      ]);
    }
    const scopes = [...new Set(t.scopes)];
    // a token made with a token never gets more than the token it was made with
    if (p.tokenKind === 'api' && !roleAtLeast(p.role, effectiveRole(p.userRole, scopes))) {
      throw new ForbiddenError('a token cannot make a token with wider scopes than its own');
    }
    const secret = newSecret('api');
    const id = randomUUID();
    await this.#db
      .insertInto('tokens')
      .values({
        id,
        organization_id: p.organizationId,
        user_id: p.userId,
        kind: 'api',
        name: t.name,
        token_hash: hashSecret(secret),
        prefix: secretPrefix(secret),
        scopes: scopes.join(','),
        expires_at: expires,
      })
      .execute();
    const row = await findToken(this.#db, p.organizationId, id);
    if (!row) throw new NotFoundError('token', id);
    return { token: tokenView(row), secret };
  }

  async listTokens(p: UserPrincipal, page: PageRequest<TokenSortField>): Promise<Page<TokenView>> {
    const { rows, total } = await listApiTokens(this.#db, p.userId, page);
    return toPage(rows.map(tokenView), total, page);
  }

  /** Revokes one of the caller's API tokens (an admin may revoke anyone's in the organisation). */
  async revokeToken(p: UserPrincipal, id: string): Promise<TokenView> {
    const row = await findToken(this.#db, p.organizationId, id);
    if (row?.kind !== 'api' || (row.user_id !== p.userId && !roleAtLeast(p.role, 'admin'))) {
      throw new NotFoundError('token', id);
    }
    await revokeToken(this.#db, id, this.#clock());
    this.forget();
    const after = await findToken(this.#db, p.organizationId, id);
    return tokenView(after ?? row);
  }
}
