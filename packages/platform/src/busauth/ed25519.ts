/**
 * NKey pairs on Node's own Ed25519 (OpenSSL) instead of the pure-JavaScript
 * curve arithmetic: issuing one agent's credentials takes a new user key and a
 * signature, about 35 ms of CPU on the event loop in JavaScript and a few
 * hundredths of a millisecond natively. The keys and their text forms are the
 * NKey ones (`Codec` of @nats-io/nkeys), so servers and clients see no
 * difference; tests compare both implementations byte for byte.
 */
import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign, verify } from 'node:crypto';
import { type KeyPair, NKeysError, NKeysErrorCode, Prefix } from '@nats-io/nkeys';
// the codec is not re-exported by the package's entry; it is part of its published files
import { Codec } from '@nats-io/nkeys/lib/codec.js';

/** PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

class NativeKeyPair implements KeyPair {
  readonly #prefix: Prefix;
  readonly #seed: Uint8Array;
  readonly #private: KeyObject;
  readonly #public: KeyObject;
  readonly #publicRaw: Uint8Array;

  constructor(prefix: Prefix, rawSeed: Uint8Array) {
    if (rawSeed.length !== 32) throw new Error('an Ed25519 seed has 32 bytes');
    this.#prefix = prefix;
    this.#seed = Uint8Array.from(rawSeed);
    this.#private = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519, Buffer.from(this.#seed)]),
      format: 'der',
      type: 'pkcs8',
    });
    this.#public = createPublicKey(this.#private);
    const jwk = this.#public.export({ format: 'jwk' }) as { x: string };
    this.#publicRaw = Buffer.from(jwk.x, 'base64url');
  }

  getPublicKey(): string {
    return new TextDecoder().decode(Codec.encode(this.#prefix, this.#publicRaw));
  }

  getPrivateKey(): Uint8Array {
    return Codec.encode(
      Prefix.Private,
      Buffer.concat([Buffer.from(this.#seed), Buffer.from(this.#publicRaw)]),
    );
  }

  getSeed(): Uint8Array {
    return Codec.encodeSeed(this.#prefix, this.#seed);
  }

  sign(input: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, input, this.#private));
  }

  verify(input: Uint8Array, sig: Uint8Array): boolean {
    return verify(null, input, this.#public, sig);
  }

  clear(): void {
    this.#seed.fill(0);
  }

  /** Only curve keys seal and open (as in @nats-io/nkeys). */
  seal(): Uint8Array {
    throw new NKeysError(NKeysErrorCode.InvalidNKeyOperation);
  }

  open(): Uint8Array | null {
    throw new NKeysError(NKeysErrorCode.InvalidNKeyOperation);
  }
}

/** A key pair of `prefix` (User, Account...) from its raw 32-byte seed. */
export function nativeKeyPair(prefix: Prefix, rawSeed: Uint8Array): KeyPair {
  return new NativeKeyPair(prefix, rawSeed);
}

/** A new user key pair (`U...`, seed `SU...`). */
export function newNativeUser(): KeyPair {
  return new NativeKeyPair(Prefix.User, randomBytes(32));
}

/** The same key as `kp` (from a seed), signing natively. */
export function nativeFromSeedPair(kp: KeyPair, prefix: Prefix): KeyPair {
  const raw = (kp as KeyPair & { getRawSeed?(): Uint8Array }).getRawSeed?.();
  if (!raw) return kp;
  return new NativeKeyPair(prefix, raw);
}
