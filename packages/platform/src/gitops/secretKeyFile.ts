import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlatformConfig } from '../config.ts';
import { SecretBox, secretKeyFrom } from './secretBox.ts';

/** The file, in the data directory, holding the generated key when none is configured. */
export const SECRET_KEY_FILE = 'secret.key';

/**
 * The key from the settings, else the one in `<dataDir>/secret.key`, generated on the first start
 * (mode 0600). Returns where it came from (never the key).
 */
export function loadSecretBox(config: PlatformConfig): { box: SecretBox; source: 'config' | 'file' } {
  const previous = config.secretKeyPrevious ? [secretKeyFrom(config.secretKeyPrevious)] : [];
  if (config.secretKey)
    return { box: new SecretBox(secretKeyFrom(config.secretKey), previous), source: 'config' };
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, SECRET_KEY_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    text = randomBytes(32).toString('base64');
    writeFileSync(file, `${text}\n`, { mode: 0o600, flag: 'wx' });
  }
  return { box: new SecretBox(secretKeyFrom(text), previous), source: 'file' };
}

/** A key that lives as long as the process (for an app built without a data directory, e.g. tests). */
export function ephemeralSecretBox(): SecretBox {
  return new SecretBox(secretKeyFrom(randomBytes(32).toString('base64')));
}
