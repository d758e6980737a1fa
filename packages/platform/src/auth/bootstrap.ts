import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../db/types.ts';
import { hashPassword, newPassword } from './secrets.ts';

export const FIRST_ORGANIZATION = 'default';
export const FIRST_USER = 'admin';
/** The file (mode 0600, in the data directory) that keeps the first owner's credentials. */
export const CREDENTIALS_FILE = 'initial-admin-credentials.txt';

export interface FirstCredentials {
  organization: string;
  username: string;
  password: string;
  /** Where they were written, when a data directory was given. */
  file?: string;
}

/**
 * On the first start (no organisation yet): makes the organisation `default`
 * and its owner `admin` with a random password, writes the credentials to a
 * 0600 file in `dataDir` and returns them once. Later starts return undefined.
 * Safe when replicas start together: one of them wins the insert.
 */
export async function bootstrap(db: Database, dataDir?: string): Promise<FirstCredentials | undefined> {
  const password = newPassword();
  const passwordHash = await hashPassword(password);
  const made = await db.transaction().execute(async (tx) => {
    const any = await tx.selectFrom('organizations').select('id').limit(1).executeTakeFirst();
    if (any) return false;
    const orgId = randomUUID();
    const inserted = await tx
      .insertInto('organizations')
      .values({ id: orgId, name: FIRST_ORGANIZATION })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return false;
    await tx
      .insertInto('users')
      .values({
        id: randomUUID(),
        organization_id: orgId,
        username: FIRST_USER,
        display_name: 'Administrator',
        password_hash: passwordHash,
        role: 'owner',
      })
      .execute();
    return true;
  });
  if (!made) return undefined;
  const creds: FirstCredentials = { organization: FIRST_ORGANIZATION, username: FIRST_USER, password };
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, CREDENTIALS_FILE);
    writeFileSync(
      file,
      `organization: ${creds.organization}\nusername: ${creds.username}\npassword: ${password}\n`,
      { mode: 0o600 },
    );
    creds.file = file;
  }
  return creds;
}

/** The lines printed once on the first start (to the terminal, never to the log). */
export function firstCredentialsMessage(c: FirstCredentials): string {
  return [
    '',
    'Mooring: first start. An organisation and its owner were created:',
    `  organisation: ${c.organization}`,
    `  user name:    ${c.username}`,
    `  password:     ${c.password}`,
    c.file ? `  (also in ${c.file}, readable by you only; delete it once you have changed the password)` : '',
    'This password is shown once.',
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}
