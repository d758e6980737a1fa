import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** The text of an encrypted secret did not decrypt under any configured key. */
export class SecretDecryptError extends Error {
  override readonly name = 'SecretDecryptError';
}

/** A 32-byte AES-256-GCM key and its id (the first 16 hex digits of its sha256: never the key). */
export interface SecretKey {
  id: string;
  key: Buffer;
}

export function secretKeyFrom(base64: string): SecretKey {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) throw new RangeError('a secret key is 32 bytes');
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 16), key };
}

const VERSION = 'v1';

/**
 * Encrypts and decrypts secrets at rest with AES-256-GCM: a random 96-bit nonce per value,
 * a 128-bit tag, and the value's purpose as additional data (so a ciphertext moved to another
 * row or column does not decrypt). Stored as `v1:<key id>:<nonce>:<tag>:<ciphertext>` (base64url).
 */
export class SecretBox {
  readonly current: SecretKey;
  readonly #keys: Map<string, SecretKey>;

  constructor(current: SecretKey, previous: SecretKey[] = []) {
    this.current = current;
    this.#keys = new Map([...previous, current].map((k) => [k.id, k]));
  }

  encrypt(plaintext: string, aad: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, nonce);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [nonce, cipher.getAuthTag(), body].map((b) => b.toString('base64url'));
    return [VERSION, this.current.id, ...parts].join(':');
  }

  decrypt(sealed: string, aad: string): string {
    const [version, keyId, nonce, tag, body] = sealed.split(':');
    if (version !== VERSION || !keyId || nonce === undefined || tag === undefined || body === undefined)
      throw new SecretDecryptError('not an encrypted secret');
    const k = this.#keys.get(keyId);
    if (!k) throw new SecretDecryptError(`encrypted under key ${keyId}, which is not configured`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', k.key, Buffer.from(nonce, 'base64url'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch (e) {
      throw new SecretDecryptError('the secret does not decrypt (wrong key or altered text)', { cause: e });
    }
  }

  /** The key id a sealed value was encrypted under. */
  keyIdOf(sealed: string): string | undefined {
    return sealed.split(':')[1];
  }

  /** True when `sealed` is not under the current key (a rotation re-encrypts it). */
  isStale(sealed: string): boolean {
    return this.keyIdOf(sealed) !== this.current.id;
  }

  /** Decrypts under whichever key sealed it and encrypts under the current one. */
  reseal(sealed: string, aad: string): string {
    return this.encrypt(this.decrypt(sealed, aad), aad);
  }
}
