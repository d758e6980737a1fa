import { fromPublic, fromSeed, type KeyPair, Prefix } from '@nats-io/nkeys';
import { nativeFromSeedPair } from './ed25519.ts';
import { BusAuthError } from './errors.ts';

/**
 * What the platform holds to issue bus users: the Mooring account's public key (`A...`)
 * and the seed of one of the account's signing keys (`SA...`, listed in the account
 * JWT's `signing_keys`). The account's own identity key stays with the operator.
 */
export interface BusAccountSigner {
  readonly accountPublicKey: string;
  /** Secret. */
  readonly signingKey: KeyPair;
}

/** Checks both keys are account keys and returns the signer; `BusAuthError` otherwise (the seed is never in the message). */
export function busAccountSigner(accountPublicKey: string, signingKeySeed: string): BusAccountSigner {
  let account: KeyPair;
  try {
    account = fromPublic(accountPublicKey);
  } catch (e) {
    throw new BusAuthError('the bus account public key is not an NKey', { cause: e });
  }
  if (!accountPublicKey.startsWith('A')) {
    throw new BusAuthError(
      `the bus account public key must be an account key ("A..."), got "${accountPublicKey.slice(0, 1)}..."`,
    );
  }
  let signingKey: KeyPair;
  try {
    signingKey = fromSeed(new TextEncoder().encode(signingKeySeed.trim()));
  } catch {
    // the seed's parse error may quote it: leave it out
    throw new BusAuthError('the bus account signing key is not an NKey seed');
  }
  if (!signingKey.getPublicKey().startsWith('A')) {
    throw new BusAuthError('the bus account signing key must be an account seed ("SA...")');
  }
  return {
    accountPublicKey: account.getPublicKey(),
    signingKey: nativeFromSeedPair(signingKey, Prefix.Account),
  };
}
