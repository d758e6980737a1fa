import { randomUUID } from 'node:crypto';
import type { GitAuth } from '@mooring/gitops';
import { sql } from 'kysely';
import type { UserPrincipal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import { pageWithTotal } from '../db/pageQuery.ts';
import type { Database } from '../db/types.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { type Page, type PageRequest, pageOffset, sortModifier, toPage } from '../http/pagination.ts';
import type { SecretBox } from './secretBox.ts';
import { type CredentialRow, gitopsDb } from './tables.ts';

export const CREDENTIAL_KINDS = ['token', 'basic', 'ssh_key', 'bitbucket_oauth'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/** The secret part of a credential, by kind (sealed at rest, never returned). */
export type CredentialSecret =
  | { kind: 'token'; token: string; username?: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'ssh_key'; private_key: string; known_hosts?: string }
  | { kind: 'bitbucket_oauth'; client_id: string; client_secret: string };

export type NewCredential = { name: string } & CredentialSecret;

export const CREDENTIAL_SORT_FIELDS = ['name', 'kind', 'created_at', 'last_used_at'] as const;
export type CredentialSortField = (typeof CREDENTIAL_SORT_FIELDS)[number];

export interface CredentialView {
  id: string;
  name: string;
  kind: CredentialKind;
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
}

/** What a fetch authenticates with: git CLI auth, or Bitbucket Cloud's OAuth client for its API. */
export type ResolvedCredential =
  | { kind: 'git'; auth: GitAuth }
  | { kind: 'bitbucket_oauth'; clientId: string; clientSecret: string };

/** The additional data a credential's ciphertext is bound to: it decrypts only in its own row. */
const aad = (row: { id: string; organization_id: string }) =>
  `git_credentials:${row.organization_id}:${row.id}`;

function view(r: CredentialRow): CredentialView {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as CredentialKind,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
    last_used_at: r.last_used_at ? r.last_used_at.toISOString() : null,
  };
}

/** Turns a stored secret into what a fetch uses (pure). */
export function resolveSecret(s: CredentialSecret): ResolvedCredential {
  switch (s.kind) {
    case 'token':
      return {
        kind: 'git',
        auth: { kind: 'token', token: s.token, ...(s.username ? { username: s.username } : {}) },
      };
    case 'basic':
      return { kind: 'git', auth: { kind: 'token', token: s.password, username: s.username } };
    case 'ssh_key':
      return {
        kind: 'git',
        auth: {
          kind: 'ssh',
          privateKey: s.private_key,
          ...(s.known_hosts ? { knownHosts: s.known_hosts } : {}),
        },
      };
    case 'bitbucket_oauth':
      return { kind: 'bitbucket_oauth', clientId: s.client_id, clientSecret: s.client_secret };
  }
}

/** Git credentials by name: sealed with AES-256-GCM, listed without their secrets, resolved for fetches. */
export class CredentialsService {
  readonly #db;
  readonly #box: SecretBox;
  readonly #clock: Clock;
  constructor(o: { db: Database; box: SecretBox; clock: Clock }) {
    this.#db = gitopsDb(o.db);
    this.#box = o.box;
    this.#clock = o.clock;
  }

  async create(p: UserPrincipal, input: NewCredential): Promise<CredentialView> {
    const { name, ...secret } = input;
    const taken = await this.#db
      .selectFrom('git_credentials')
      .select('id')
      .where('organization_id', '=', p.organizationId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (taken) throw new ConflictError(`a credential named ${JSON.stringify(name)} already exists`);
    const id = randomUUID();
    const now = this.#clock();
    const sealed = this.#box.encrypt(JSON.stringify(secret), aad({ id, organization_id: p.organizationId }));
    const row = await this.#db
      .insertInto('git_credentials')
      .values({
        id,
        organization_id: p.organizationId,
        name,
        kind: secret.kind,
        sealed,
        created_by: p.userId,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return view(row);
  }

  async list(p: UserPrincipal, page: PageRequest<CredentialSortField>): Promise<Page<CredentialView>> {
    const base = this.#db.selectFrom('git_credentials').where('organization_id', '=', p.organizationId);
    const { rows, total } = await pageWithTotal(
      base
        .selectAll()
        .orderBy(page.sort.field, sortModifier(page.sort.direction))
        .orderBy('id')
        .limit(page.pageSize)
        .offset(pageOffset(page)),
      base.select(sql<string>`count(*)`.as('total')),
    );
    return toPage(rows.map(view), Number(total), page);
  }

  async remove(p: UserPrincipal, id: string): Promise<void> {
    const r = await this.#db
      .deleteFrom('git_credentials')
      .where('organization_id', '=', p.organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new NotFoundError('credential', id);
  }

  /** The credential named `name` in the organisation, decrypted for one fetch; marks it used. */
  async resolve(organizationId: string, name: string): Promise<ResolvedCredential> {
    const row = await this.#db
      .selectFrom('git_credentials')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row) throw new NotFoundError('credential', name);
    const secret = JSON.parse(this.#box.decrypt(row.sealed, aad(row))) as CredentialSecret;
    await this.#db
      .updateTable('git_credentials')
      .set({ last_used_at: this.#clock() })
      .where('id', '=', row.id)
      .execute();
    return resolveSecret(secret);
  }

  /** Re-encrypts every credential and webhook secret not under the current key; returns how many. */
  async reencryptAll(): Promise<{ credentials: number; webhook_secrets: number }> {
    let credentials = 0;
    let webhookSecrets = 0;
    const creds = await this.#db
      .selectFrom('git_credentials')
      .select(['id', 'organization_id', 'sealed'])
      .execute();
    for (const c of creds) {
      if (!this.#box.isStale(c.sealed)) continue;
      const sealed = this.#box.reseal(c.sealed, aad(c));
      await this.#db.updateTable('git_credentials').set({ sealed }).where('id', '=', c.id).execute();
      credentials++;
    }
    const repos = await this.#db
      .selectFrom('git_repositories')
      .select(['id', 'organization_id', 'webhook_secret_sealed'])
      .where('webhook_secret_sealed', 'is not', null)
      .execute();
    for (const r of repos) {
      if (!r.webhook_secret_sealed || !this.#box.isStale(r.webhook_secret_sealed)) continue;
      const sealed = this.#box.reseal(r.webhook_secret_sealed, webhookSecretAad(r));
      await this.#db
        .updateTable('git_repositories')
        .set({ webhook_secret_sealed: sealed })
        .where('id', '=', r.id)
        .execute();
      webhookSecrets++;
    }
    return { credentials, webhook_secrets: webhookSecrets };
  }
}

/** The additional data a repository's webhook secret is bound to. */
export const webhookSecretAad = (r: { id: string; organization_id: string }) =>
  `git_repositories.webhook_secret:${r.organization_id}:${r.id}`;
