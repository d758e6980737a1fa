import type { Bus } from '@mooring/bus';
import { z } from 'zod';
import { askAgent } from '../agentbus/ask.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import { findCluster } from '../clusters/queries.ts';
import type { Database } from '../db/types.ts';
import { NotFoundError } from '../errors.ts';
import type { SecretBox } from '../gitops/secretBox.ts';
import { argocdDb, type ClusterArgocdRow } from './tables.ts';

export const DELETION_MODES = ['foreground', 'background', 'non-cascading'] as const;

/** What connecting a cluster's Argo CD takes: admin credentials are passed to the agent once and never stored. */
export const connectBodySchema = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .describe('the Argo CD API as the agent reaches it'),
  namespace: z.string().min(1).max(63).default('argocd'),
  username: z
    .string()
    .min(1)
    .max(253)
    .describe('an Argo CD admin, used once to create the mooring account token'),
  password: z.string().min(1).max(1024),
  deletion: z.enum(DELETION_MODES).default('foreground'),
});
export type ConnectBody = z.infer<typeof connectBodySchema>;

/** A cluster's Argo CD connection as the API shows it: never the token. */
export const argocdViewSchema = z.object({
  cluster_id: z.string(),
  url: z.string(),
  namespace: z.string(),
  deletion: z.enum(DELETION_MODES),
  account: z.string(),
  token_id: z.string(),
  connected_at: z.string(),
  rotated_at: z.string().nullable(),
  /** What the agent changed in argocd-cm and argocd-rbac-cm when connecting. */
  changed: z.array(z.string()).optional(),
});
export type ArgocdView = z.infer<typeof argocdViewSchema>;

const tokenReply = z.object({
  token: z.string().min(1),
  token_id: z.string().min(1),
  changed: z.array(z.string()).optional(),
});

function view(row: ClusterArgocdRow, changed?: string[]): ArgocdView {
  return {
    cluster_id: row.cluster_id,
    url: row.url,
    namespace: row.namespace,
    deletion: row.deletion as ArgocdView['deletion'],
    account: row.account,
    token_id: row.token_id,
    connected_at: new Date(row.connected_at).toISOString(),
    rotated_at: row.rotated_at ? new Date(row.rotated_at).toISOString() : null,
    ...(changed ? { changed } : {}),
  };
}

/**
 * A cluster's Argo CD: the agent creates the `mooring` account's API token with
 * admin credentials given once, the platform keeps the token sealed (AES-256-GCM,
 * its purpose as additional data), rotates it and revokes it through the agent,
 * and hands it back to the agent when asked to reconnect.
 */
export class ArgocdService {
  readonly #o: { db: Database; box: SecretBox; clock: Clock; bus?: Bus; requestTimeoutMs?: number };

  constructor(o: { db: Database; box: SecretBox; clock: Clock; bus?: Bus; requestTimeoutMs?: number }) {
    this.#o = o;
  }

  #db() {
    return argocdDb(this.#o.db);
  }

  static aad(clusterId: string): string {
    return `cluster_argocd.token:${clusterId}`;
  }

  async #cluster(p: UserPrincipal, id: string) {
    const row = await findCluster(this.#o.db, p.organizationId, id);
    if (!row) throw new NotFoundError('cluster', id);
    return row;
  }

  #ask(clusterId: string, what: string, payload: object): Promise<unknown> {
    return askAgent(this.#o.bus, clusterId, what, payload, { timeoutMs: this.#o.requestTimeoutMs });
  }

  async #row(clusterId: string): Promise<ClusterArgocdRow | undefined> {
    return this.#db()
      .selectFrom('cluster_argocd')
      .selectAll()
      .where('cluster_id', '=', clusterId)
      .executeTakeFirst();
  }

  async get(p: UserPrincipal, clusterId: string): Promise<ArgocdView> {
    await this.#cluster(p, clusterId);
    const row = await this.#row(clusterId);
    if (!row) throw new NotFoundError('Argo CD connection of cluster', clusterId);
    return view(row);
  }

  /** Connects the cluster's Argo CD: the agent declares the account and creates its token; the token is stored sealed. */
  async connect(p: UserPrincipal, clusterId: string, body: ConnectBody): Promise<ArgocdView> {
    await this.#cluster(p, clusterId);
    const reply = tokenReply.parse(await this.#ask(clusterId, 'argocd.connect', body));
    const row = {
      cluster_id: clusterId,
      organization_id: p.organizationId,
      url: body.url,
      namespace: body.namespace,
      deletion: body.deletion,
      account: 'mooring',
      token_sealed: this.#o.box.encrypt(reply.token, ArgocdService.aad(clusterId)),
      token_id: reply.token_id,
      connected_by: p.userId,
      connected_at: this.#o.clock(),
      rotated_at: null,
    };
    const saved = await this.#db()
      .insertInto('cluster_argocd')
      .values(row)
      .onConflict((oc) => oc.column('cluster_id').doUpdateSet({ ...row }))
      .returningAll()
      .executeTakeFirstOrThrow();
    return view(saved, reply.changed ?? []);
  }

  /** A new token for the account; the agent revokes the old one. */
  async rotate(p: UserPrincipal, clusterId: string): Promise<ArgocdView> {
    await this.#cluster(p, clusterId);
    const row = await this.#row(clusterId);
    if (!row) throw new NotFoundError('Argo CD connection of cluster', clusterId);
    const reply = tokenReply.parse(await this.#ask(clusterId, 'argocd.rotate', {}));
    const saved = await this.#db()
      .updateTable('cluster_argocd')
      .set({
        token_sealed: this.#o.box.encrypt(reply.token, ArgocdService.aad(clusterId)),
        token_id: reply.token_id,
        rotated_at: this.#o.clock(),
      })
      .where('cluster_id', '=', clusterId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return view(saved);
  }

  /** Hands the stored token to the agent again (after the agent restarted). */
  async reconnect(p: UserPrincipal, clusterId: string): Promise<ArgocdView> {
    await this.#cluster(p, clusterId);
    const row = await this.#row(clusterId);
    if (!row) throw new NotFoundError('Argo CD connection of cluster', clusterId);
    const token = this.#o.box.decrypt(row.token_sealed, ArgocdService.aad(clusterId));
    await this.#ask(clusterId, 'argocd.connect', {
      url: row.url,
      namespace: row.namespace,
      deletion: row.deletion,
      token,
    });
    return view(row);
  }

  /** The stored connection for the agent's check-in (the token unsealed); undefined when none. */
  async handoff(
    clusterId: string,
  ): Promise<{ url: string; namespace: string; deletion: string; token: string } | undefined> {
    const row = await this.#row(clusterId);
    if (!row) return undefined;
    return {
      url: row.url,
      namespace: row.namespace,
      deletion: row.deletion,
      token: this.#o.box.decrypt(row.token_sealed, ArgocdService.aad(clusterId)),
    };
  }

  async connected(clusterId: string): Promise<boolean> {
    return !!(await this.#row(clusterId));
  }

  /**
   * For a decommission: revokes the token through the agent (when it answers)
   * and deletes the stored credentials either way. Answers what was done.
   */
  async forget(clusterId: string): Promise<string> {
    const row = await this.#row(clusterId);
    if (!row) return 'no stored Argo CD credentials';
    let revoked = 'the token revoked';
    try {
      await this.#ask(clusterId, 'argocd.disconnect', {});
    } catch (e) {
      revoked = `the token not revoked (${(e as Error).message}): delete token ${row.token_id} of account ${row.account} in Argo CD`;
    }
    await this.#db().deleteFrom('cluster_argocd').where('cluster_id', '=', clusterId).execute();
    return `${revoked}, the stored credentials cleared, account ${row.account} forgotten`;
  }

  /** Revokes the token through the agent and forgets the connection. */
  async disconnect(p: UserPrincipal, clusterId: string): Promise<void> {
    await this.#cluster(p, clusterId);
    const row = await this.#row(clusterId);
    if (!row) throw new NotFoundError('Argo CD connection of cluster', clusterId);
    await this.#ask(clusterId, 'argocd.disconnect', {});
    await this.#db().deleteFrom('cluster_argocd').where('cluster_id', '=', clusterId).execute();
  }
}
