import { describe, expect, it } from 'vitest';
import { accessDecision } from '../src/auth/guard.ts';
import type { UserPrincipal } from '../src/auth/principal.ts';
import { effectiveRole, mayAssignRole, type Role, roleAtLeast } from '../src/auth/roles.ts';
import { hashSecret, newSecret, secretPrefix } from '../src/auth/secrets.ts';
import { shouldTouch, tokenState } from '../src/auth/tokenState.ts';
import { installCommand, shellQuote } from '../src/clusters/installCommand.ts';
import { clusterState, OFFLINE_AFTER_SECONDS } from '../src/clusters/state.ts';
import { isDatabaseUnreachable } from '../src/db/unavailable.ts';
import { parseSort } from '../src/http/pagination.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);

describe('cluster state', () => {
  it.each([
    ['never checked in', null, 0, 'offline'],
    ['just checked in', t0, 0, 'online'],
    ['at the limit', t0, OFFLINE_AFTER_SECONDS, 'online'],
    ['past the limit', t0, OFFLINE_AFTER_SECONDS + 0.001, 'offline'],
    ['long gone', t0, 3600, 'offline'],
  ] as const)('%s', (_name, last, seconds, state) => {
    expect(clusterState(last, at(seconds))).toBe(state);
  });
});

describe('roles', () => {
  it('order viewer < operator < admin < owner', () => {
    expect(roleAtLeast('owner', 'admin')).toBe(true);
    expect(roleAtLeast('operator', 'admin')).toBe(false);
    expect(roleAtLeast('viewer', 'viewer')).toBe(true);
  });
  it.each([
    ['owner', ['admin'], 'owner'],
    ['owner', ['write'], 'operator'],
    ['owner', ['read', 'write'], 'operator'],
    ['admin', ['read'], 'viewer'],
    ['viewer', ['admin'], 'viewer'],
    ['operator', [], 'viewer'],
  ] as const)('a %s with scopes %j acts as %s', (role, scopes, expected) => {
    expect(effectiveRole(role, [...scopes])).toBe(expected);
  });
  it.each([
    ['admin', 'operator', undefined, true],
    ['admin', 'owner', undefined, false],
    ['admin', 'viewer', 'owner', false],
    ['owner', 'owner', undefined, true],
    ['operator', 'viewer', undefined, false],
  ] as const)('%s gives %s (from %s): %s', (actor, target, current, ok) => {
    expect(mayAssignRole(actor, target, current)).toBe(ok);
  });
});

describe('route access decision', () => {
  const user = (role: Role, userRole: Role = role): UserPrincipal => ({
    kind: 'user',
    userId: 'u',
    organizationId: 'o',
    username: 'x',
    role,
    userRole,
    tokenId: 't',
    tokenKind: 'api',
    scopes: [],
  });
  const agent = { kind: 'agent' as const, tokenHash: 'h' };
  it.each([
    ['public, anonymous', { public: true as const }, undefined, undefined],
    ['role, anonymous', { role: 'viewer' as const }, undefined, 'UnauthenticatedError'],
    ['role, below', { role: 'admin' as const }, user('operator'), 'ForbiddenError'],
    ['role, at', { role: 'admin' as const }, user('admin'), undefined],
    ['role, above', { role: 'operator' as const }, user('owner'), undefined],
    ['role, agent', { role: 'viewer' as const }, agent, 'UnauthenticatedError'],
    ['agent, user', { agent: true as const }, user('owner'), 'UnauthenticatedError'],
    ['agent, agent', { agent: true as const }, agent, undefined],
  ])('%s', (_name, access, principal, error) => {
    expect(accessDecision(access, principal)?.name).toBe(error);
  });
  it('says when a scope, not the role, is the limit', () => {
    expect(accessDecision({ role: 'admin' }, user('viewer', 'owner'))?.message).toMatch(/scopes/);
  });
});

describe('tokens', () => {
  it('are usable until revoked or expired', () => {
    expect(tokenState({ revoked_at: null, expires_at: null }, t0)).toBe('usable');
    expect(tokenState({ revoked_at: null, expires_at: at(1) }, t0)).toBe('usable');
    expect(tokenState({ revoked_at: null, expires_at: t0 }, t0)).toBe('expired');
    expect(tokenState({ revoked_at: t0, expires_at: at(10) }, t0)).toBe('revoked');
  });
  it('record last use at most once a minute', () => {
    expect(shouldTouch(null, t0)).toBe(true);
    expect(shouldTouch(t0, at(59))).toBe(false);
    expect(shouldTouch(t0, at(60))).toBe(true);
  });
  it('are 256-bit random secrets with a kind prefix, stored as sha256', () => {
    const a = newSecret('api');
    expect(a).toMatch(/^mooring_pat_[A-Za-z0-9_-]{43}$/);
    expect(newSecret('api')).not.toBe(a);
    expect(hashSecret(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(secretPrefix(a)).toBe(a.slice(0, 'mooring_pat_'.length + 4));
  });
});

describe('install command', () => {
  it('names the chart values the agent chart reads', () => {
    expect(
      installCommand({
        chart: 'oci://ghcr.io/mooring/charts/mooring-agent',
        token: 'mooring_agt_abc-_1',
        platformUrl: 'https://m.example',
      }),
    ).toBe(
      'helm upgrade --install mooring-agent oci://ghcr.io/mooring/charts/mooring-agent --namespace mooring --create-namespace --set config.token=mooring_agt_abc-_1 --set config.platform_url=https://m.example',
    );
  });
  it('quotes what a shell would split', () => {
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
    expect(shellQuote('plain-word')).toBe('plain-word');
  });
});

describe('sort', () => {
  it('reads -field as descending', () => {
    expect(parseSort('-name')).toEqual({ field: 'name', direction: 'desc' });
    expect(parseSort('created_at')).toEqual({ field: 'created_at', direction: 'asc' });
  });
});

describe('database unreachable', () => {
  it.each([
    ['refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), true],
    ['terminated', new Error('Connection terminated unexpectedly'), true],
    ['pool timeout', new Error('timeout exceeded when trying to connect'), true],
    ['admin shutdown', Object.assign(new Error('terminating connection'), { code: '57P01' }), true],
    ['connection class 08', Object.assign(new Error('x'), { code: '08006' }), true],
    [
      'wrapped',
      new Error('query failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }),
      true,
    ],
    ['unique violation', Object.assign(new Error('duplicate key'), { code: '23505' }), false],
    ['syntax', Object.assign(new Error('syntax error'), { code: '42601' }), false],
    ['plain', new Error('boom'), false],
  ])('%s', (_name, error, expected) => {
    expect(isDatabaseUnreachable(error)).toBe(expected);
  });
});
