import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteAccess } from '../../src/auth/principal.ts';
import { ROLES, type Role, roleAtLeast } from '../../src/auth/roles.ts';
import { hashSecret } from '../../src/auth/secrets.ts';
import { DOCS_PATH } from '../../src/http/docs.ts';
import { addonsApiTests } from './addonsApi.ts';
import { INVALID_DEFINITION, validDefinition } from './fixtures.ts';
import { fuzzBody, mulberry32 } from './fuzz.ts';
import { grantsApiTests } from './grantsApi.ts';
import { createHarness, type DatabaseUnderTest, type Harness, PUBLIC_URL } from './harness.ts';
import { operationsApiTests } from './operationsApi.ts';

/**
 * Every route under /api/v1 and who may call it. A route missing here (or
 * here but not registered) fails the route × role test.
 */
export const ROUTE_ACCESS: Record<string, RouteAccess> = {
  'GET /api/v1/health': { public: true },
  'GET /api/v1/openapi.json': { public: true },
  'POST /api/v1/auth/login': { public: true },
  'POST /api/v1/auth/logout': { role: 'viewer' },
  'GET /api/v1/me': { role: 'viewer' },
  'GET /api/v1/organization': { role: 'viewer' },
  'GET /api/v1/users': { role: 'admin' },
  'POST /api/v1/users': { role: 'admin' },
  'GET /api/v1/users/:id': { role: 'admin' },
  'PATCH /api/v1/users/:id': { role: 'admin' },
  'DELETE /api/v1/users/:id': { role: 'admin' },
  'GET /api/v1/tokens': { role: 'viewer' },
  'POST /api/v1/tokens': { role: 'viewer' },
  'DELETE /api/v1/tokens/:id': { role: 'viewer' },
  'GET /api/v1/clusters': { role: 'viewer' },
  'POST /api/v1/clusters': { role: 'admin' },
  'GET /api/v1/clusters/:id': { role: 'viewer' },
  'GET /api/v1/clusters/:id/definition': { role: 'viewer' },
  'DELETE /api/v1/clusters/:id': { role: 'admin' },
  'POST /api/v1/clusters/:id/agent-token': { role: 'admin' },
  'POST /api/v1/agent/check-in': { agent: true },
  'GET /api/v1/clusters/:id/heartbeats': { role: 'viewer' },
  'GET /api/v1/operations': { role: 'viewer' },
  'GET /api/v1/operations/:id': { role: 'viewer' },
  'POST /api/v1/operations/:id/retry': { role: 'operator' },
  'POST /api/v1/operations/:id/cancel': { role: 'operator' },
  'GET /api/v1/clusters/:id/addons': { role: 'viewer' },
  'GET /api/v1/clusters/:id/manifests': { role: 'viewer' },
  'GET /api/v1/clusters/:id/addons/:name': { role: 'viewer' },
  'GET /api/v1/clusters/:id/stacks': { role: 'viewer' },
  'POST /api/v1/clusters/:id/addons/:name/sync': { role: 'operator' },
  'POST /api/v1/clusters/:id/addons/:name/values/encrypt': { role: 'operator' },
  'GET /api/v1/clusters/:id/addons/:name/accept-drift': { role: 'viewer' },
  'GET /api/v1/clusters/:id/manifests/:name/accept-drift': { role: 'viewer' },
  'GET /api/v1/clusters/:id/argocd': { role: 'viewer' },
  'PUT /api/v1/clusters/:id/argocd': { role: 'admin' },
  'POST /api/v1/clusters/:id/argocd/rotate': { role: 'admin' },
  'POST /api/v1/clusters/:id/argocd/reconnect': { role: 'admin' },
  'DELETE /api/v1/clusters/:id/argocd': { role: 'admin' },
  'POST /api/v1/clusters/:id/argocd/decommission': { role: 'admin' },
  'GET /api/v1/clusters/:id/engines': { role: 'viewer' },
  'PUT /api/v1/clusters/:id/engines/default': { role: 'admin' },
  'GET /api/v1/clusters/:id/migration/eligibility': { role: 'viewer' },
  'POST /api/v1/clusters/:id/migrations': { role: 'admin' },
  'GET /api/v1/clusters/:id/migrations': { role: 'viewer' },
  'GET /api/v1/clusters/:id/migrations/:migration': { role: 'viewer' },
  'POST /api/v1/clusters/:id/addons/:addon/engine/rollback': { role: 'admin' },
  'POST /api/v1/clusters/:id/addons/:name/rollback': { role: 'operator' },
  'POST /api/v1/clusters/:id/addons/:name/uninstall': { role: 'operator' },
  'POST /api/v1/credentials': { role: 'admin' },
  'GET /api/v1/credentials': { role: 'viewer' },
  'DELETE /api/v1/credentials/:id': { role: 'admin' },
  'POST /api/v1/credentials/reencrypt': { role: 'admin' },
  'GET /api/v1/repositories': { role: 'viewer' },
  'PUT /api/v1/repositories/:id/webhook-secret': { role: 'admin' },
  'GET /api/v1/clusters/:id/gitops': { role: 'viewer' },
  'POST /api/v1/clusters/:id/sync': { role: 'operator' },
  'POST /api/v1/clusters/:id/preview': { role: 'operator' },
  'POST /api/v1/clusters/:id/drafts': { role: 'operator' },
  'GET /api/v1/clusters/:id/drafts': { role: 'viewer' },
  'GET /api/v1/clusters/:id/drafts/:draftId': { role: 'viewer' },
  'PATCH /api/v1/clusters/:id/drafts/:draftId': { role: 'operator' },
  'DELETE /api/v1/clusters/:id/drafts/:draftId': { role: 'operator' },
  'POST /api/v1/clusters/:id/drafts/:draftId/stacks': { role: 'operator' },
  'PATCH /api/v1/clusters/:id/drafts/:draftId/stacks/:stack': { role: 'operator' },
  'DELETE /api/v1/clusters/:id/drafts/:draftId/stacks/:stack': { role: 'operator' },
  'POST /api/v1/clusters/:id/drafts/:draftId/stacks/:stack/addons': { role: 'operator' },
  'PATCH /api/v1/clusters/:id/drafts/:draftId/stacks/:stack/addons/:name': { role: 'operator' },
  'DELETE /api/v1/clusters/:id/drafts/:draftId/stacks/:stack/addons/:name': { role: 'operator' },
  'POST /api/v1/clusters/:id/drafts/:draftId/stacks/:stack/manifests': { role: 'operator' },
  'PATCH /api/v1/clusters/:id/drafts/:draftId/stacks/:stack/manifests/:name': { role: 'operator' },
  'DELETE /api/v1/clusters/:id/drafts/:draftId/stacks/:stack/manifests/:name': { role: 'operator' },
  'POST /api/v1/clusters/:id/drafts/:draftId/validate': { role: 'viewer' },
  'POST /api/v1/clusters/:id/drafts/:draftId/preview': { role: 'operator' },
  'POST /api/v1/clusters/:id/drafts/:draftId/publish': { role: 'operator' },
  'GET /api/v1/clusters/:id/syncs': { role: 'viewer' },
  'GET /api/v1/registries': { role: 'viewer' },
  'GET /api/v1/registries/:id': { role: 'viewer' },
  'POST /api/v1/registries': { role: 'admin' },
  'PATCH /api/v1/registries/:id': { role: 'admin' },
  'DELETE /api/v1/registries/:id': { role: 'admin' },
  'POST /api/v1/registries/:id/index': { role: 'admin' },
  'GET /api/v1/registries/:id/jobs': { role: 'viewer' },
  'GET /api/v1/charts': { role: 'viewer' },
  'GET /api/v1/charts/:registry/:chart/versions': { role: 'viewer' },
  'GET /api/v1/charts/:registry/:chart/versions/:version': { role: 'viewer' },
  'POST /api/v1/charts/:registry/:chart/versions/:version/template': { role: 'viewer' },
  'POST /api/v1/webhooks/github': { public: true },
  'POST /api/v1/webhooks/bitbucket-cloud': { public: true },
  'POST /api/v1/webhooks/bitbucket-dc': { public: true },
  'GET /api/v1/clusters/:id/grants': { role: 'admin' },
  'PUT /api/v1/clusters/:id/grants/:user_id': { role: 'admin' },
  'DELETE /api/v1/clusters/:id/grants/:user_id': { role: 'admin' },
  'POST /api/v1/clusters/:id/kube-token': { role: 'viewer' },
  'GET /api/v1/clusters/:id/k8s/*': { role: 'viewer' },
  'POST /api/v1/clusters/:id/k8s/*': { role: 'viewer' },
  'PUT /api/v1/clusters/:id/k8s/*': { role: 'viewer' },
  'PATCH /api/v1/clusters/:id/k8s/*': { role: 'viewer' },
  'DELETE /api/v1/clusters/:id/k8s/*': { role: 'viewer' },
  'GET /api/v1/clusters/:id/resources': { role: 'viewer' },
  'GET /api/v1/clusters/:id/resources/kinds': { role: 'viewer' },
  'GET /api/v1/clusters/:id/resources/events': { role: 'viewer' },
  'GET /api/v1/clusters/:id/pods/:namespace/:name/logs': { role: 'viewer' },
  'GET /api/v1/clusters/:id/helm/releases': { role: 'viewer' },
  'GET /api/v1/clusters/:id/helm/releases/:namespace/:name/history': { role: 'viewer' },
  'GET /api/v1/clusters/:id/helm/releases/:namespace/:name/values': { role: 'viewer' },
  'GET /api/v1/clusters/:id/helm/releases/:namespace/:name/manifest': { role: 'viewer' },
  'POST /api/v1/clusters/:id/helm/releases/:namespace/:name/rollback': { role: 'operator' },
  'POST /api/v1/clusters/:id/helm/releases/:namespace/:name/uninstall': { role: 'operator' },
  'POST /api/v1/clusters/:id/services/:namespace/:name/forward': { role: 'operator' },
};

/** Public routes whose request is authenticated by a signature: unsigned, they answer 401 to everyone. */
export const SIGNED_ROUTES: ReadonlySet<string> = new Set([
  'POST /api/v1/webhooks/github',
  'POST /api/v1/webhooks/bitbucket-cloud',
  'POST /api/v1/webhooks/bitbucket-dc',
]);

const concrete = (url: string) => url.replace(/:[A-Za-z_]+/g, randomUUID()).replace(/\*/g, 'x');

/** The API suite; runs on PGlite (unit) and on the kit's PostgreSQL (kit) with the same body. */
export function describeApiSuite(label: string, open: () => Promise<DatabaseUnderTest>): void {
  describe(`platform API on ${label}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await createHarness(await open());
    }, 120_000);
    afterAll(async () => {
      await h?.close();
    });

    const importCluster = async (name: string, token = h.tokens.admin) => {
      const res = await h.request({
        method: 'POST',
        url: '/api/v1/clusters',
        token,
        payload: validDefinition(name),
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as {
        cluster: { id: string; name: string; state: string };
        agent_token: string;
        install_command: string;
        operation_id?: string;
      };
    };

    describe('route guard', () => {
      it('every registered route declares its access, as the table says', () => {
        const registered: Record<string, RouteAccess | undefined> = {};
        for (const r of h.server.routes()) {
          if (r.url.startsWith(DOCS_PATH)) {
            expect(r.access, r.url).toEqual({ public: true });
            continue;
          }
          registered[`${r.method} ${r.url}`] = r.access;
        }
        expect(registered).toEqual(ROUTE_ACCESS);
      });

      it('each route × each role: 401 without a token, 403 below the minimum, through at or above it', async () => {
        const agent = (await importCluster(`guard-${randomUUID().slice(0, 8)}`)).agent_token;
        const callers: { name: string; role?: Role; agent?: boolean }[] = [
          { name: 'anonymous' },
          ...ROLES.map((role) => ({ name: role, role })),
          { name: 'agent', agent: true },
        ];
        const failures: string[] = [];
        for (const r of h.server.routes()) {
          if (r.url.startsWith(DOCS_PATH)) continue;
          const access = r.access!;
          for (const c of callers) {
            const token = c.role ? await h.tokenFor(c.role) : c.agent ? agent : undefined;
            const res = await h.request({
              method: r.method as 'GET',
              url: concrete(r.url),
              token,
              ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: {} }),
            });
            let expected: 'ok' | 401 | 403;
            if (SIGNED_ROUTES.has(`${r.method} ${r.url}`)) expected = 401;
            else if ('public' in access) expected = 'ok';
            else if ('agent' in access) expected = c.agent ? 'ok' : 401;
            else if (!c.role) expected = 401;
            else expected = roleAtLeast(c.role, access.role) ? 'ok' : 403;
            const got = res.statusCode;
            const ok = expected === 'ok' ? got !== 401 && got !== 403 && got < 500 : got === expected;
            if (!ok)
              failures.push(
                `${r.method} ${r.url} as ${c.name}: expected ${expected}, got ${got} ${res.body}`,
              );
            if (got === 401 || got === 403) {
              expect(res.json().error.code).toBe(got === 401 ? 'unauthenticated' : 'forbidden');
            }
          }
        }
        expect(failures).toEqual([]);
      }, 60_000);

      it('a token scope caps the role: an owner’s read token acts as viewer', async () => {
        const read = await h.tokenFor('owner', ['read']);
        expect((await h.request({ method: 'GET', url: '/api/v1/clusters', token: read })).statusCode).toBe(
          200,
        );
        const res = await h.request({ method: 'GET', url: '/api/v1/users', token: read });
        expect(res.statusCode).toBe(403);
        expect(res.json().error.message).toMatch(/scopes/);
        const write = await h.tokenFor('owner', ['write']);
        expect((await h.request({ method: 'GET', url: '/api/v1/me', token: write })).json().role).toBe(
          'operator',
        );
      });

      it('a malformed or unknown bearer is 401', async () => {
        for (const authorization of [
          'Bearer',
          'Basic abc',
          'Bearer mooring_pat_nope',
          `Bearer ${hashSecret('x')}`,
        ]) {
          const res = await h.request({ method: 'GET', url: '/api/v1/me', headers: { authorization } });
          expect(res.statusCode).toBe(401);
        }
      });
    });

    describe('sessions', () => {
      it('logs in, uses the session, logs out', async () => {
        const res = await h.request({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: 'viewer-user', password: 'viewer-password-1234' },
        });
        expect(res.statusCode, res.body).toBe(200);
        const { token, user } = res.json();
        expect(user.role).toBe('viewer');
        expect(token).toMatch(/^mooring_ses_/);
        expect((await h.request({ method: 'GET', url: '/api/v1/me', token })).json().user.username).toBe(
          'viewer-user',
        );
        expect((await h.request({ method: 'POST', url: '/api/v1/auth/logout', token })).statusCode).toBe(204);
        expect((await h.request({ method: 'GET', url: '/api/v1/me', token })).statusCode).toBe(401);
      });

      it('the first owner logs in with the one-time credentials', async () => {
        const res = await h.request({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: h.owner.username, password: h.owner.password },
        });
        expect(res.statusCode).toBe(200);
        expect(res.json().user.role).toBe('owner');
      });

      it('a session expires', async () => {
        const login = await h.request({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: 'operator-user', password: 'operator-password-1234' },
        });
        const { token } = login.json();
        expect((await h.request({ method: 'GET', url: '/api/v1/me', token })).statusCode).toBe(200);
        h.advance(h.config.sessionTtlSeconds + 1);
        try {
          expect((await h.request({ method: 'GET', url: '/api/v1/me', token })).statusCode).toBe(401);
        } finally {
          h.advance(-(h.config.sessionTtlSeconds + 1));
        }
      });

      it('login is rate-limited per IP and user name (429 with Retry-After)', async () => {
        const attempt = (username: string, ip = '10.1.2.3') =>
          h.request({
            method: 'POST',
            url: '/api/v1/auth/login',
            remoteAddress: ip,
            payload: { username, password: 'wrong password' },
          });
        for (let i = 0; i < h.config.loginRateLimitMax; i++) {
          const r = await attempt('admin-user');
          expect(r.statusCode).toBe(401);
          expect(r.json().error.message).toBe('wrong user name or password');
        }
        const limited = await attempt('admin-user');
        expect(limited.statusCode).toBe(429);
        expect(limited.json().error.code).toBe('rate_limited');
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
        // another user name from the same address, and the same user from another address, still go through
        expect((await attempt('someone-else')).statusCode).toBe(401);
        expect((await attempt('admin-user', '10.9.9.9')).statusCode).toBe(401);
      });
    });

    describe('API tokens', () => {
      it('shows the secret once and stores only its sha256', async () => {
        const res = await h.request({
          method: 'POST',
          url: '/api/v1/tokens',
          token: h.tokens.operator,
          payload: { name: 'ci', scopes: ['read', 'write'] },
        });
        expect(res.statusCode, res.body).toBe(201);
        const { token, secret } = res.json();
        expect(secret).toMatch(/^mooring_pat_[A-Za-z0-9_-]{43}$/);
        expect(token.scopes).toEqual(['read', 'write']);
        const row = await h.db
          .selectFrom('tokens')
          .selectAll()
          .where('id', '=', token.id)
          .executeTakeFirstOrThrow();
        expect(row.token_hash).toBe(hashSecret(secret));
        expect(JSON.stringify(row)).not.toContain(secret);
        const list = await h.request({ method: 'GET', url: '/api/v1/tokens', token: secret });
        expect(list.statusCode).toBe(200);
        expect(list.body).not.toContain(secret);
        const mine = list.json().items.find((t: { id: string }) => t.id === token.id);
        expect(mine.last_used_at).not.toBeNull();
        expect(h.logs()).not.toContain(secret);
      });

      it('revoke: the token stops working', async () => {
        const { token, secret } = (
          await h.request({
            method: 'POST',
            url: '/api/v1/tokens',
            token: h.tokens.viewer,
            payload: { name: 'to revoke', scopes: ['read'] },
          })
        ).json();
        expect((await h.request({ method: 'GET', url: '/api/v1/me', token: secret })).statusCode).toBe(200);
        const other = await h.request({
          method: 'DELETE',
          url: `/api/v1/tokens/${token.id}`,
          token: h.tokens.operator,
        });
        expect(other.statusCode).toBe(404);
        const del = await h.request({
          method: 'DELETE',
          url: `/api/v1/tokens/${token.id}`,
          token: h.tokens.viewer,
        });
        expect(del.statusCode).toBe(200);
        expect(del.json().revoked_at).not.toBeNull();
        expect((await h.request({ method: 'GET', url: '/api/v1/me', token: secret })).statusCode).toBe(401);
      });

      it('expiry: the token works until expires_at', async () => {
        const expires = new Date(Date.now() + 3600_000).toISOString();
        const { secret, token } = (
          await h.request({
            method: 'POST',
            url: '/api/v1/tokens',
            token: h.tokens.admin,
            payload: { name: 'short', scopes: ['read'], expires_at: expires },
          })
        ).json();
        expect(token.expires_at).toBe(expires);
        expect((await h.request({ method: 'GET', url: '/api/v1/me', token: secret })).statusCode).toBe(200);
        h.advance(3601);
        try {
          expect((await h.request({ method: 'GET', url: '/api/v1/me', token: secret })).statusCode).toBe(401);
        } finally {
          h.advance(-3601);
        }
        const past = await h.request({
          method: 'POST',
          url: '/api/v1/tokens',
          token: h.tokens.admin,
          payload: { name: 'past', scopes: ['read'], expires_at: '2000-01-01T00:00:00Z' },
        });
        expect(past.statusCode).toBe(400);
        expect(past.json().error.fields).toEqual([
          { path: 'body.expires_at', message: 'must be in the future' },
        ]);
      });

      it('a read token cannot make a wider token', async () => {
        const read = await h.tokenFor('admin', ['read']);
        const res = await h.request({
          method: 'POST',
          url: '/api/v1/tokens',
          token: read,
          payload: { name: 'wider', scopes: ['admin'] },
        });
        expect(res.statusCode).toBe(403);
      });
    });

    describe('users', () => {
      it('an admin adds users but only an owner gives the owner role; the last owner stays', async () => {
        const add = (token: string, role: Role, username = `u-${randomUUID().slice(0, 8)}`) =>
          h.request({
            method: 'POST',
            url: '/api/v1/users',
            token,
            payload: { username, password: 'a long enough password', role },
          });
        expect((await add(h.tokens.admin, 'operator')).statusCode).toBe(201);
        expect((await add(h.tokens.admin, 'owner')).statusCode).toBe(403);
        const owner2 = await add(h.tokens.owner, 'owner');
        expect(owner2.statusCode).toBe(201);
        const dup = await add(h.tokens.admin, 'viewer', 'viewer-user');
        expect(dup.statusCode).toBe(409);
        expect(dup.json().error.code).toBe('conflict');
        const short = await h.request({
          method: 'POST',
          url: '/api/v1/users',
          token: h.tokens.admin,
          payload: { username: 'x y', password: 'short', role: 'boss' },
        });
        expect(short.statusCode).toBe(400);
        expect(
          short
            .json()
            .error.fields.map((f: { path: string }) => f.path)
            .sort(),
        ).toEqual(['body.password', 'body.role', 'body.username']);
        // demote the second owner: fine; the first is then the last owner
        const id2 = owner2.json().id;
        const demote = await h.request({
          method: 'PATCH',
          url: `/api/v1/users/${id2}`,
          token: h.tokens.owner,
          payload: { role: 'viewer' },
        });
        expect(demote.statusCode).toBe(200);
        expect(demote.json().role).toBe('viewer');
        const last = await h.request({
          method: 'DELETE',
          url: `/api/v1/users/${h.userIds.owner}`,
          token: h.tokens.owner,
        });
        expect(last.statusCode).toBe(409);
      });

      it('a checked token is kept 5 s; a revocation, role change or removal through the API counts at once', async () => {
        const username = `cache-${randomUUID().slice(0, 8)}`;
        const created = await h.request({
          method: 'POST',
          url: '/api/v1/users',
          token: h.tokens.admin,
          payload: { username, password: 'a long enough password', role: 'operator' },
        });
        expect(created.statusCode).toBe(201);
        const session = (
          await h.request({
            method: 'POST',
            url: '/api/v1/auth/login',
            payload: { username, password: 'a long enough password' },
          })
        ).json().token as string;
        const api = (
          await h.request({
            method: 'POST',
            url: '/api/v1/tokens',
            token: session,
            payload: { name: 'cached', scopes: ['read', 'write'] },
          })
        ).json() as { secret: string; token: { id: string } };
        const me = (token: string) => h.request({ method: 'GET', url: '/api/v1/me', token });
        expect((await me(api.secret)).json().role).toBe('operator');
        // revoked behind the platform's back (as another replica would): this replica trusts what it
        // checked for at most 5 s
        await h.db
          .updateTable('tokens')
          .set({ revoked_at: h.now() })
          .where('id', '=', api.token.id)
          .execute();
        expect((await me(api.secret)).statusCode).toBe(200);
        h.advance(6);
        expect((await me(api.secret)).statusCode).toBe(401);
        await h.db.updateTable('tokens').set({ revoked_at: null }).where('id', '=', api.token.id).execute();
        expect((await me(api.secret)).json().role).toBe('operator');
        // through the API: the next request sees the change
        const demoted = await h.request({
          method: 'PATCH',
          url: `/api/v1/users/${created.json().id}`,
          token: h.tokens.admin,
          payload: { role: 'viewer' },
        });
        expect(demoted.statusCode).toBe(200);
        expect((await me(api.secret)).json().role).toBe('viewer');
        expect((await me(session)).statusCode).toBe(401);
        const removed = await h.request({
          method: 'DELETE',
          url: `/api/v1/users/${created.json().id}`,
          token: h.tokens.admin,
        });
        expect(removed.statusCode).toBe(204);
        expect((await me(api.secret)).statusCode).toBe(401);
      });

      it('stores argon2id password hashes', async () => {
        const row = await h.db
          .selectFrom('users')
          .selectAll()
          .where('username', '=', 'viewer-user')
          .executeTakeFirstOrThrow();
        expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
        expect(row.password_hash).not.toContain('viewer-password-1234');
      });
    });

    describe('clusters', () => {
      it('records an import as an operation whose step deploys the definition once the agent connects', async () => {
        const { cluster, operation_id } = await importCluster('imported-op');
        expect(operation_id).toBeDefined();
        const op = await h.request({
          method: 'GET',
          url: `/api/v1/operations/${operation_id}`,
          token: h.tokens.viewer,
        });
        expect(op.statusCode, op.body).toBe(200);
        const body = op.json() as {
          type: string;
          cluster_id: string;
          state: string;
          steps: { kind: string; state: string; name: string }[];
        };
        expect(body).toMatchObject({ type: 'import', cluster_id: cluster.id });
        expect(['pending', 'running']).toContain(body.state);
        expect(body.steps.map((s) => [s.kind, s.name])).toEqual([['apply', 'deploy imported-op']]);
      });

      it('imports a valid definition: install command with the chart values, token hashed at rest', async () => {
        const { cluster, agent_token, install_command } = await importCluster('prod-eu');
        expect(cluster).toMatchObject({
          name: 'prod-eu',
          state: 'offline',
          description: 'A cluster for tests',
        });
        expect(agent_token).toMatch(/^mooring_agt_/);
        expect(install_command).toBe(
          `helm upgrade --install mooring-agent oci://registry.example.test/charts/mooring-agent --namespace mooring --create-namespace --set config.token=${agent_token} --set config.platform_url=${PUBLIC_URL}`,
        );
        const row = await h.db
          .selectFrom('clusters')
          .selectAll()
          .where('id', '=', cluster.id)
          .executeTakeFirstOrThrow();
        expect(row.agent_token_hash).toBe(hashSecret(agent_token));
        expect(JSON.stringify(row)).not.toContain(agent_token);
        const got = await h.request({
          method: 'GET',
          url: `/api/v1/clusters/${cluster.id}`,
          token: h.tokens.viewer,
        });
        expect(got.statusCode).toBe(200);
        expect(got.body).not.toContain(agent_token);
        const def = await h.request({
          method: 'GET',
          url: `/api/v1/clusters/${cluster.id}/definition`,
          token: h.tokens.viewer,
        });
        expect(Object.keys(def.json().files).sort()).toEqual(['import-cluster.yaml', 'manifests/ns.yaml']);
        expect(h.logs()).not.toContain(agent_token);
        const again = await h.request({
          method: 'POST',
          url: '/api/v1/clusters',
          token: h.tokens.admin,
          payload: validDefinition('prod-eu'),
        });
        expect(again.statusCode).toBe(409);
      });

      it('imports YAML sent as application/yaml', async () => {
        const res = await h.request({
          method: 'POST',
          url: '/api/v1/clusters',
          token: h.tokens.admin,
          headers: { 'content-type': 'application/yaml' },
          payload: validDefinition('yaml-body')
            .definition.replace(/ {6}manifests:\n(.*\n){2}/, '')
            .replace(/ {10}parents:\n.*\n/, ''),
        });
        expect(res.statusCode, res.body).toBe(201);
      });

      it('an invalid definition is 422 with every diagnostic (file:line:col) and stores nothing', async () => {
        const before = await h.db.selectFrom('clusters').select('id').execute();
        const res = await h.request({
          method: 'POST',
          url: '/api/v1/clusters',
          token: h.tokens.admin,
          payload: { definition: INVALID_DEFINITION, path: 'clusters/broken.yaml' },
        });
        expect(res.statusCode).toBe(422);
        const { error } = res.json();
        expect(error.code).toBe('invalid_definition');
        const at = error.diagnostics.map(
          (d: { file: string; line: number; column: number; code: string }) =>
            `${d.file}:${d.line}:${d.column} ${d.code}`,
        );
        expect(at).toEqual(
          expect.arrayContaining([
            expect.stringMatching(/^clusters\/broken\.yaml:13:\d+ file-not-found$/),
            expect.stringMatching(/^clusters\/broken\.yaml:17:\d+ unquoted-chart-version$/),
            expect.stringMatching(/^clusters\/broken\.yaml:19:\d+ unknown-field$/),
          ]),
        );
        const typo = error.diagnostics.find((d: { code: string }) => d.code === 'unknown-field');
        expect(typo.path).toContain('namespcae');
        expect(`${typo.message} ${typo.hint ?? ''}`).toMatch(/namespace/);
        const after = await h.db.selectFrom('clusters').select('id').execute();
        expect(after.length).toBe(before.length);
      });

      it('lists with pagination and whitelisted sort', async () => {
        const names = ['page-c', 'page-a', 'page-e', 'page-b', 'page-d'];
        for (const n of names) await importCluster(n);
        const all: string[] = [];
        for (let page = 1; ; page++) {
          const res = await h.request({
            method: 'GET',
            url: `/api/v1/clusters?page=${page}&page_size=2&sort=-name`,
            token: h.tokens.viewer,
          });
          expect(res.statusCode).toBe(200);
          const body = res.json();
          expect(body.page).toBe(page);
          expect(body.page_size).toBe(2);
          all.push(...body.items.map((c: { name: string }) => c.name));
          if (page * 2 >= body.total) break;
        }
        const sorted = [...all].sort().reverse();
        expect(all).toEqual(sorted);
        expect(all.filter((n) => n.startsWith('page-'))).toEqual([
          'page-e',
          'page-d',
          'page-c',
          'page-b',
          'page-a',
        ]);
        const bad = await h.request({
          method: 'GET',
          url: '/api/v1/clusters?sort=agent_token_hash',
          token: h.tokens.viewer,
        });
        expect(bad.statusCode).toBe(400);
        expect(bad.json().error.fields[0].path).toBe('query.sort');
        const big = await h.request({
          method: 'GET',
          url: '/api/v1/clusters?page_size=101',
          token: h.tokens.viewer,
        });
        expect(big.statusCode).toBe(400);
        expect(big.json().error.fields[0].path).toBe('query.page_size');
      });

      it('agent check-in records the agent’s report; offline after 30 s; a new token replaces the old', async () => {
        const { cluster, agent_token } = await importCluster('checkin');
        const report = {
          agent_version: '2.0.3',
          kubernetes_version: 'v1.33.1',
          node_count: 3,
          region: 'eu-west-1',
        };
        const ci = await h.request({
          method: 'POST',
          url: '/api/v1/agent/check-in',
          token: agent_token,
          payload: report,
        });
        expect(ci.statusCode, ci.body).toBe(200);
        expect(ci.json()).toEqual({ cluster_id: cluster.id, state: 'online' });
        // routine check-ins (every agent every 15 s) are not logged
        expect(h.logs()).not.toContain('/api/v1/agent/check-in');
        const got = (
          await h.request({ method: 'GET', url: `/api/v1/clusters/${cluster.id}`, token: h.tokens.viewer })
        ).json();
        expect(got).toMatchObject({ state: 'online', ...report });
        h.advance(31);
        try {
          const later = await h.request({
            method: 'GET',
            url: `/api/v1/clusters/${cluster.id}`,
            token: h.tokens.viewer,
          });
          expect(later.json().state).toBe('offline');
        } finally {
          h.advance(-31);
        }
        const regen = await h.request({
          method: 'POST',
          url: `/api/v1/clusters/${cluster.id}/agent-token`,
          token: h.tokens.admin,
        });
        expect(regen.statusCode).toBe(200);
        const fresh = regen.json().agent_token;
        expect(fresh).not.toBe(agent_token);
        expect(regen.json().install_command).toContain(fresh);
        const old = await h.request({
          method: 'POST',
          url: '/api/v1/agent/check-in',
          token: agent_token,
          payload: report,
        });
        expect(old.statusCode).toBe(401);
        expect(h.logs()).toMatch(/"status":401[^\n]*agent check-in refused/);
        const ok = await h.request({
          method: 'POST',
          url: '/api/v1/agent/check-in',
          token: fresh,
          payload: report,
        });
        expect(ok.statusCode).toBe(200);
        // a user token is not an agent token
        expect(
          (
            await h.request({
              method: 'POST',
              url: '/api/v1/agent/check-in',
              token: h.tokens.owner,
              payload: report,
            })
          ).statusCode,
        ).toBe(401);
      });

      it('delete forgets the cluster and disconnects its agent', async () => {
        const { cluster, agent_token } = await importCluster('to-delete');
        expect(
          (
            await h.request({
              method: 'DELETE',
              url: `/api/v1/clusters/${cluster.id}`,
              token: h.tokens.operator,
            })
          ).statusCode,
        ).toBe(403);
        expect(
          (
            await h.request({
              method: 'DELETE',
              url: `/api/v1/clusters/${cluster.id}`,
              token: h.tokens.admin,
            })
          ).statusCode,
        ).toBe(204);
        expect(
          (await h.request({ method: 'GET', url: `/api/v1/clusters/${cluster.id}`, token: h.tokens.admin }))
            .statusCode,
        ).toBe(404);
        const ci = await h.request({
          method: 'POST',
          url: '/api/v1/agent/check-in',
          token: agent_token,
          payload: { agent_version: '2', kubernetes_version: '1', node_count: 1 },
        });
        expect(ci.statusCode).toBe(401);
        const row = await h.db
          .selectFrom('clusters')
          .selectAll()
          .where('id', '=', cluster.id)
          .executeTakeFirstOrThrow();
        expect(row.agent_connected).toBe(false);
        expect(row.deleted_at).not.toBeNull();
        // the name is free again
        await importCluster('to-delete');
      });
    });

    describe('operations and metrics', () => operationsApiTests(() => h));

    describe('add-ons and manifests', () => addonsApiTests(() => h));
    describe('kubectl access: grants, kube tokens, the /k8s route', () => grantsApiTests(() => h));

    describe('the API document', () => {
      it('serves OpenAPI 3.1 built from the schemas, and the reference page locally', async () => {
        const doc = await h.request({ method: 'GET', url: '/api/v1/openapi.json' });
        expect(doc.statusCode).toBe(200);
        const api = doc.json();
        expect(api.openapi).toBe('3.1.0');
        expect(Object.keys(api.paths)).toEqual(
          expect.arrayContaining(['/api/v1/clusters', '/api/v1/tokens']),
        );
        expect(api.paths['/api/v1/clusters'].post.responses['422']).toBeDefined();
        // live resources and pod logs, with their filters
        expect(
          api.paths['/api/v1/clusters/{id}/resources'].get.parameters.map((p: { name: string }) => p.name),
        ).toEqual(expect.arrayContaining(['kind', 'namespace', 'label_selector', 'page', 'page_size']));
        expect(Object.keys(api.paths)).toEqual(
          expect.arrayContaining([
            '/api/v1/clusters/{id}/resources/kinds',
            '/api/v1/clusters/{id}/resources/events',
            '/api/v1/clusters/{id}/pods/{namespace}/{name}/logs',
          ]),
        );
        expect(api.paths['/api/v1/clusters'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
          expect.arrayContaining(['page', 'page_size', 'sort']),
        );
        expect(api.components.securitySchemes.bearer).toBeDefined();
        const page = await h.request({ method: 'GET', url: '/api/v1/docs/' });
        expect(page.statusCode).toBe(200);
        expect(page.body).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)/);
      });
    });

    describe('fuzzing', () => {
      it('1,000 random bodies against every POST/PUT/PATCH route: no 500, no change in the database', async () => {
        const { cluster, agent_token } = await importCluster(`fuzz-${randomUUID().slice(0, 8)}`);
        const snapshot = async () => {
          const out: Record<string, string> = {};
          for (const t of ['organizations', 'users', 'tokens', 'clusters'] as const) {
            const rows = (await h.db.selectFrom(t).selectAll().orderBy('id').execute()) as Record<
              string,
              unknown
            >[];
            for (const { last_used_at: _ignored, ...row } of rows)
              out[`${t}/${row.id}`] = JSON.stringify(row);
          }
          return out;
        };
        const changes = (a: Record<string, string>, b: Record<string, string>) =>
          [...new Set([...Object.keys(a), ...Object.keys(b)])]
            .filter((k) => a[k] !== b[k])
            .map((k) => `${k}: ${a[k] ?? '(none)'} -> ${b[k] ?? '(none)'}`);
        const before = await snapshot();
        const random = mulberry32(20261129);
        const failures: string[] = [];
        let sent = 0;
        for (const r of h.server.routes()) {
          if (!['POST', 'PUT', 'PATCH'].includes(r.method)) continue;
          // the Kubernetes API passes bodies of any type through to the cluster (kubeProxyApi.ts)
          if (r.url.includes('/k8s/')) continue;
          const url = r.url.replace(':id', r.url.includes('/users/') ? h.userIds.viewer : cluster.id);
          const token = r.access && 'agent' in r.access ? agent_token : h.tokens.owner;
          const schema = r.body as { safeParse(v: unknown): { success: boolean } } | undefined;
          expect(schema, `${r.method} ${r.url} declares its body`).toBeDefined();
          for (let i = 0; i < 1000; i++) {
            const body = fuzzBody(random, (v) => !schema?.safeParse(v).success);
            const res = await h.request({ method: r.method as 'POST', url, token, ...body });
            sent++;
            if (res.statusCode < 400 || res.statusCode >= 500)
              failures.push(`${r.method} ${r.url} ${res.statusCode} ${JSON.stringify(body).slice(0, 200)}`);
          }
        }
        expect(failures.slice(0, 5)).toEqual([]);
        expect(sent).toBeGreaterThanOrEqual(7000);
        expect(changes(before, await snapshot())).toEqual([]);
      }, 600_000);
    });

    describe('database outage', () => {
      it('answers 503 with a clear message while the database is unreachable, and recovers', async () => {
        h.fault.cut();
        try {
          const res = await h.request({ method: 'GET', url: '/api/v1/clusters', token: h.tokens.viewer });
          expect(res.statusCode).toBe(503);
          expect(res.json().error).toMatchObject({ code: 'database_unavailable' });
          expect(res.json().error.message).toMatch(/database is unreachable/);
          expect(res.headers['retry-after']).toBeDefined();
          expect((await h.request({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(503);
        } finally {
          h.fault.restore();
        }
        let status = 0;
        for (let i = 0; i < 50 && status !== 200; i++) {
          status = (await h.request({ method: 'GET', url: '/api/v1/clusters', token: h.tokens.viewer }))
            .statusCode;
          if (status !== 200) await new Promise((r) => setTimeout(r, 100));
        }
        expect(status).toBe(200);
        expect((await h.request({ method: 'GET', url: '/api/v1/health' })).json()).toEqual({
          status: 'ok',
          database: 'up',
        });
      });
    });
  });
}
