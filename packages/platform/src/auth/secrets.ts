import { createHash, randomBytes } from 'node:crypto';
import { argon2id, argon2Verify } from 'hash-wasm';

/** Kinds of bearer secrets; the prefix tells them apart (and lets secret scanners find them). */
export const SECRET_PREFIX = {
  session: 'mooring_ses_',
  api: 'mooring_pat_',
  agent: 'mooring_agt_',
} as const;
export type SecretKind = keyof typeof SECRET_PREFIX;

/** A new high-entropy secret (256 random bits). */
export function newSecret(kind: SecretKind): string {
  return SECRET_PREFIX[kind] + randomBytes(32).toString('base64url');
}

/** What is stored for a token: sha256 hex. A 256-bit random secret needs no slow hash. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** The hash of an agent token, or undefined for a secret of another kind (pure). */
export function agentTokenHash(secret: string): string | undefined {
  return secret.startsWith(SECRET_PREFIX.agent) ? hashSecret(secret) : undefined;
}

/** The first characters of a secret, shown in lists so a person can tell tokens apart. */
export function secretPrefix(secret: string): string {
  const kind = Object.values(SECRET_PREFIX).find((p) => secret.startsWith(p)) ?? '';
  return secret.slice(0, kind.length + 4);
}

/** OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_PARAMS = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32 };

/** argon2id in PHC string form (`$argon2id$v=19$m=...`), with a random 16-byte salt. */
export async function hashPassword(password: string): Promise<string> {
  return argon2id({ ...ARGON2_PARAMS, password, salt: randomBytes(16), outputType: 'encoded' });
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  try {
    return await argon2Verify({ password, hash });
  } catch {
    return false;
  }
}

/** A hash that matches nothing, verified for unknown users so a login takes as long either way. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

/** A readable random password for the first owner (about 120 bits). */
export function newPassword(): string {
  return randomBytes(15).toString('base64url');
}
