import { agentPermissions, platformPermissions } from '@mooring/bus';
import { decode, parseCreds, type User } from '@nats-io/jwt';
import { createAccount, createOperator, createUser } from '@nats-io/nkeys';
import { describe, expect, it } from 'vitest';
import {
  BusAuthError,
  busAccountSigner,
  DEFAULT_BUS_CREDENTIALS_TTL_SECONDS,
  expirySeconds,
  issueAgentCredentials,
  issuePlatformCredentials,
  renewAt,
  userClaims,
} from '../src/busauth/index.ts';

const seedOf = (kp: { getSeed(): Uint8Array }) => new TextDecoder().decode(kp.getSeed());
const account = createAccount();
const signingKey = createAccount();
const signer = busAccountSigner(account.getPublicKey(), seedOf(signingKey));
const now = new Date('2026-03-01T12:00:00Z');

describe('userClaims', () => {
  it('allows exactly the permission lists, one reply per request, no bearer use, client connections only', () => {
    expect(userClaims(agentPermissions('c1'))).toEqual({
      pub: { allow: agentPermissions('c1').publish },
      sub: {
        allow: [
          '_INBOX.agent.c1.>',
          'agent.requests.c1.>',
          'agent.kube.c1.req',
          'agent.kube.c1.ctl.*',
          'agent.logs.c1.req',
          'agent.logs.c1.ctl.*',
        ],
      },
      resp: { max: 1, ttl: 60_000_000_000 },
      bearer_token: false,
      allowed_connection_types: ['STANDARD', 'WEBSOCKET'],
    });
  });
});

describe('expirySeconds and renewAt', () => {
  it('expires one hour after issue by default; renews at two thirds', () => {
    const exp = expirySeconds(now);
    expect(exp - now.getTime() / 1000).toBe(DEFAULT_BUS_CREDENTIALS_TTL_SECONDS);
    expect(renewAt(now, new Date(exp * 1000)).toISOString()).toBe('2026-03-01T12:40:00.000Z');
  });

  it.each([
    ['too short', 59],
    ['too long', 8 * 24 * 3600],
    ['not whole seconds', 90.5],
    ['negative', -3600],
  ])('refuses a TTL %s', (_name, ttl) => {
    expect(() => expirySeconds(now, ttl)).toThrow(BusAuthError);
  });
});

describe('busAccountSigner', () => {
  it.each([
    ['a public key that is not an NKey', 'not-a-key', seedOf(signingKey)],
    ['an operator key as the account', createOperator().getPublicKey(), seedOf(signingKey)],
    ['a seed that is not an NKey seed', account.getPublicKey(), 'SAnotaseed'],
    ['a user seed as the signing key', account.getPublicKey(), seedOf(createUser())],
  ])('refuses %s', (_name, pub, seed) => {
    expect(() => busAccountSigner(pub, seed)).toThrow(BusAuthError);
  });

  it('never puts the seed in its message', () => {
    const seed = `${seedOf(signingKey).slice(0, -3)}XYZ`;
    try {
      busAccountSigner(account.getPublicKey(), seed);
    } catch (e) {
      expect(String(e)).not.toContain(seed);
      expect(String(e)).not.toContain(seed.slice(0, 20));
    }
  });
});

describe('issueAgentCredentials', () => {
  it('signs a user of the account with the signing key, for its own cluster only', async () => {
    const c = await issueAgentCredentials(signer, 'c1', { now });
    const claims = decode<User>(c.jwt);
    expect(claims.sub).toBe(c.userPublicKey);
    expect(claims.iss).toBe(signingKey.getPublicKey());
    expect(claims.nats.issuer_account).toBe(account.getPublicKey());
    expect(claims.name).toBe('mooring-agent/c1');
    expect(claims.exp).toBe(now.getTime() / 1000 + 3600);
    expect(claims.nats.pub?.allow).toEqual(agentPermissions('c1').publish);
    expect(claims.nats.sub?.allow).toEqual([
      '_INBOX.agent.c1.>',
      'agent.requests.c1.>',
      'agent.kube.c1.req',
      'agent.kube.c1.ctl.*',
      'agent.logs.c1.req',
      'agent.logs.c1.ctl.*',
    ]);
    expect(claims.nats.pub?.deny ?? []).toEqual([]);
    expect(c.inboxPrefix).toBe('_INBOX.agent.c1');
    expect(c.expiresAt.toISOString()).toBe('2026-03-01T13:00:00.000Z');
    expect(c.renewAt.toISOString()).toBe('2026-03-01T12:40:00.000Z');
  });

  it('writes a .creds text holding the JWT and a fresh user seed', async () => {
    const a = await issueAgentCredentials(signer, 'c1', { now });
    const b = await issueAgentCredentials(signer, 'c1', { now });
    const parsed = await parseCreds(new TextEncoder().encode(a.creds));
    expect(parsed.jwt).toBe(a.jwt);
    expect(parsed.key).toMatch(/^SU/);
    expect(parsed.aid).toBe(account.getPublicKey());
    expect(b.userPublicKey).not.toBe(a.userPublicKey);
  });

  it('refuses an unsafe cluster id', async () => {
    await expect(issueAgentCredentials(signer, 'c1.>', { now })).rejects.toThrow(/cluster id/);
  });
});

describe('issuePlatformCredentials', () => {
  it("carries the platform's permissions and inbox", async () => {
    const c = await issuePlatformCredentials(signer, { now, ttlSeconds: 600 });
    const claims = decode<User>(c.jwt);
    expect(claims.nats.pub?.allow).toEqual(platformPermissions().publish);
    expect(claims.nats.sub?.allow).toEqual(platformPermissions().subscribe);
    expect(c.inboxPrefix).toBe('_INBOX.platform');
    expect(c.expiresAt.getTime() - now.getTime()).toBe(600_000);
  });
});
