import type { UserPrincipal } from '../auth/principal.ts';
import type { UsersService } from '../auth/users.ts';
import type { Clock } from '../clock.ts';
import type { ClustersService } from '../clusters/service.ts';
import type { Database } from '../db/types.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { type Grant, type GrantRole, grantProblem } from './grants.ts';
import './grantsTable.ts';

export interface GrantView {
  cluster_id: string;
  user_id: string;
  username: string;
  role: GrantRole;
  namespace: string | null;
  created_by: string;
  updated_at: string;
}

/** Access grants per user and cluster, set by admins, read by the kubectl proxy. */
export class GrantsService {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #clusters: ClustersService;
  readonly #users: UsersService;

  constructor(o: { db: Database; clock: Clock; clusters: ClustersService; users: UsersService }) {
    this.#db = o.db;
    this.#clock = o.clock;
    this.#clusters = o.clusters;
    this.#users = o.users;
  }

  /** Sets (or replaces) a user's grant on a cluster of the caller's organisation. */
  async put(p: UserPrincipal, clusterId: string, userId: string, g: Grant): Promise<GrantView> {
    const problem = grantProblem(g);
    if (problem) throw new ValidationError(problem, [{ path: 'body.namespace', message: problem }]);
    const cluster = await this.#clusters.get(p, clusterId);
    const user = await this.#users.get(p, userId);
    const now = this.#clock();
    await this.#db
      .insertInto('cluster_grants')
      .values({
        cluster_id: cluster.id,
        user_id: user.id,
        role: g.role,
        namespace: g.namespace,
        created_by: p.username,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['cluster_id', 'user_id']).doUpdateSet({
          role: g.role,
          namespace: g.namespace,
          created_by: p.username,
          updated_at: now,
        }),
      )
      .execute();
    return (await this.list(p, cluster.id)).find((v) => v.user_id === user.id)!;
  }

  /** Every grant on a cluster, by user name. */
  async list(p: UserPrincipal, clusterId: string): Promise<GrantView[]> {
    const cluster = await this.#clusters.get(p, clusterId);
    const rows = await this.#db
      .selectFrom('cluster_grants as g')
      .innerJoin('users as u', 'u.id', 'g.user_id')
      .select([
        'g.cluster_id',
        'g.user_id',
        'u.username',
        'g.role',
        'g.namespace',
        'g.created_by',
        'g.updated_at',
      ])
      .where('g.cluster_id', '=', cluster.id)
      .orderBy('u.username')
      .execute();
    return rows.map((r) => ({
      ...r,
      role: r.role as GrantRole,
      updated_at: new Date(r.updated_at).toISOString(),
    }));
  }

  async remove(p: UserPrincipal, clusterId: string, userId: string): Promise<void> {
    const cluster = await this.#clusters.get(p, clusterId);
    const r = await this.#db
      .deleteFrom('cluster_grants')
      .where('cluster_id', '=', cluster.id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new NotFoundError('grant', userId);
  }

  /** The caller's own grant on a cluster; undefined without one. */
  async of(p: UserPrincipal, clusterId: string): Promise<Grant | undefined> {
    const row = await this.#db
      .selectFrom('cluster_grants')
      .select(['role', 'namespace'])
      .where('cluster_id', '=', clusterId)
      .where('user_id', '=', p.userId)
      .executeTakeFirst();
    return row ? { role: row.role as GrantRole, namespace: row.namespace } : undefined;
  }
}
