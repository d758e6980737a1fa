// Node's Ed25519 behind the NKey interface: the same keys, text forms and
// signatures as @nats-io/nkeys' own implementation, at a fraction of the cost.
import { randomBytes } from 'node:crypto';
import { decode as decodeJwt } from '@nats-io/jwt';
import { createAccount, fromPublic, fromSeed, Prefix } from '@nats-io/nkeys';
import { describe, expect, it } from 'vitest';
import { nativeFromSeedPair, nativeKeyPair, newNativeUser } from '../src/busauth/ed25519.ts';
import { busAccountSigner, issueAgentCredentials } from '../src/busauth/index.ts';

describe('native NKey pairs', () => {
  it('give the same public key, seed, private key and signatures as @nats-io/nkeys', () => {
    for (let i = 0; i < 20; i++) {
      const js = createAccount();
      const native = nativeFromSeedPair(js, Prefix.Account);
      expect(native).not.toBe(js);
      expect(native.getPublicKey()).toBe(js.getPublicKey());
      expect(new TextDecoder().decode(native.getSeed())).toBe(new TextDecoder().decode(js.getSeed()));
      expect(new TextDecoder().decode(native.getPrivateKey())).toBe(
        new TextDecoder().decode(js.getPrivateKey()),
      );
      const data = randomBytes(100 + i);
      const sig = native.sign(data);
      expect(Buffer.from(sig).toString('hex')).toBe(Buffer.from(js.sign(data)).toString('hex'));
      expect(fromPublic(js.getPublicKey()).verify(data, sig)).toBe(true);
      expect(native.verify(data, js.sign(data))).toBe(true);
      expect(native.verify(randomBytes(10), sig)).toBe(false);
    }
  });

  it('makes user keys that @nats-io/nkeys reads back from their seed', () => {
    const u = newNativeUser();
    expect(u.getPublicKey()).toMatch(/^U[A-Z2-7]{55}$/);
    const back = fromSeed(u.getSeed());
    expect(back.getPublicKey()).toBe(u.getPublicKey());
    expect(new TextDecoder().decode(u.getSeed())).toMatch(/^SU/);
    expect(() => u.seal(new Uint8Array(1), 'X')).toThrow(/curve/);
    const again = nativeKeyPair(Prefix.User, (back as unknown as { getRawSeed(): Uint8Array }).getRawSeed());
    expect(again.getPublicKey()).toBe(u.getPublicKey());
  });

  it('issues credentials whose JWT verifies against the signing key, far cheaper than in JavaScript', async () => {
    const account = createAccount();
    const signingKey = createAccount();
    const signer = busAccountSigner(account.getPublicKey(), new TextDecoder().decode(signingKey.getSeed()));
    const c = await issueAgentCredentials(signer, 'c1');
    const claims = decodeJwt(c.jwt) as { iss: string; sub: string; nats: { issuer_account: string } };
    expect(claims.iss).toBe(signingKey.getPublicKey());
    expect(claims.sub).toBe(c.userPublicKey);
    expect(claims.nats.issuer_account).toBe(account.getPublicKey());
    const [h, p, s] = c.jwt.split('.');
    expect(
      fromPublic(signingKey.getPublicKey()).verify(
        new TextEncoder().encode(`${h}.${p}`),
        Buffer.from(s!, 'base64url'),
      ),
    ).toBe(true);
    // the cost of one issue: measured, not asserted as a time (bench/ holds timings); printed for the record
    const t = performance.now();
    for (let i = 0; i < 50; i++) await issueAgentCredentials(signer, `c${i}`);
    console.log(`[busauth] one agent's credentials: ${((performance.now() - t) / 50).toFixed(2)} ms`);
  });
});
