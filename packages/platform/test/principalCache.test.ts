import { describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../src/auth/principal.ts';
import { PrincipalCache } from '../src/auth/principalCache.ts';

const principal = (username: string): UserPrincipal => ({
  kind: 'user',
  userId: `u-${username}`,
  organizationId: 'o1',
  username,
  role: 'viewer',
  userRole: 'viewer',
  tokenId: `t-${username}`,
  tokenKind: 'api',
  scopes: ['read'],
});
const at = (ms: number) => new Date(1_000_000 + ms);

describe('PrincipalCache', () => {
  it('keeps a principal for its TTL, then asks again', () => {
    const c = new PrincipalCache(5000);
    c.set('h1', principal('ada'), at(0), null, c.generation);
    expect(c.get('h1', at(4999))?.username).toBe('ada');
    expect(c.get('h1', at(5000))).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('never past the token’s expiry', () => {
    const c = new PrincipalCache(5000);
    c.set('h1', principal('ada'), at(0), at(1000), c.generation);
    expect(c.get('h1', at(999))).toBeDefined();
    expect(c.get('h1', at(1000))).toBeUndefined();
    // already expired: not kept at all
    c.set('h2', principal('bob'), at(0), at(0), c.generation);
    expect(c.get('h2', at(0))).toBeUndefined();
  });

  it('a principal read before a clear is not kept after it', () => {
    const c = new PrincipalCache(5000);
    const before = c.generation;
    c.clear();
    c.set('h1', principal('ada'), at(0), null, before);
    expect(c.get('h1', at(1))).toBeUndefined();
    c.set('h1', principal('ada'), at(0), null, c.generation);
    expect(c.get('h1', at(1))).toBeDefined();
    c.clear();
    expect(c.get('h1', at(1))).toBeUndefined();
  });

  it('a TTL of 0 keeps nothing; past its size the oldest goes first', () => {
    const none = new PrincipalCache(0);
    none.set('h1', principal('ada'), at(0), null, none.generation);
    expect(none.size).toBe(0);
    const c = new PrincipalCache(5000, 2);
    c.set('h1', principal('a'), at(0), null, c.generation);
    c.set('h2', principal('b'), at(0), null, c.generation);
    c.set('h3', principal('c'), at(0), null, c.generation);
    expect(c.get('h1', at(1))).toBeUndefined();
    expect(c.get('h2', at(1))?.username).toBe('b');
    expect(c.get('h3', at(1))?.username).toBe('c');
  });
});
