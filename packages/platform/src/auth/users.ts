import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/types.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.ts';
import { type Page, type PageRequest, toPage } from '../http/pagination.ts';
import type { UserPrincipal } from './principal.ts';
import { countOwners, findUser, findUserByName, listUsers, type UserSortField } from './queries.ts';
import { isRole, mayAssignRole, type Role } from './roles.ts';
import { hashPassword } from './secrets.ts';
import { type UserView, userView } from './views.ts';

export interface NewUser {
  username: string;
  password: string;
  role: Role;
  display_name?: string;
}

export interface UserChange {
  role?: Role;
  display_name?: string;
  password?: string;
}

export interface OrganizationView {
  id: string;
  name: string;
  created_at: string;
}

/** The people of an organisation and their roles. */
export class UsersService {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #changed: () => void;
  /** `changed`: called after a user's role, password or existence changed (cached principals are stale). */
  constructor(o: { db: Database; clock: Clock; changed?: () => void }) {
    this.#db = o.db;
    this.#clock = o.clock;
    this.#changed = o.changed ?? (() => {});
  }

  async me(p: UserPrincipal): Promise<UserView> {
    return this.get(p, p.userId);
  }

  async organization(p: UserPrincipal): Promise<OrganizationView> {
    const o = await this.#db
      .selectFrom('organizations')
      .selectAll()
      .where('id', '=', p.organizationId)
      .executeTakeFirst();
    if (!o) throw new NotFoundError('organization', p.organizationId);
    return { id: o.id, name: o.name, created_at: o.created_at.toISOString() };
  }

  async get(p: UserPrincipal, id: string): Promise<UserView> {
    const u = await findUser(this.#db, p.organizationId, id);
    if (!u) throw new NotFoundError('user', id);
    return userView(u);
  }

  async list(p: UserPrincipal, page: PageRequest<UserSortField>): Promise<Page<UserView>> {
    const { rows, total } = await listUsers(this.#db, p.organizationId, page);
    return toPage(rows.map(userView), total, page);
  }

  async create(p: UserPrincipal, u: NewUser): Promise<UserView> {
    if (!mayAssignRole(p.role, u.role))
      throw new ForbiddenError(`the ${p.role} role cannot give the ${u.role} role`);
    if (await findUserByName(this.#db, u.username)) {
      throw new ConflictError(`the user name ${JSON.stringify(u.username)} is taken`);
    }
    const id = randomUUID();
    await this.#db
      .insertInto('users')
      .values({
        id,
        organization_id: p.organizationId,
        username: u.username,
        display_name: u.display_name ?? '',
        password_hash: await hashPassword(u.password),
        role: u.role,
      })
      .execute();
    return this.get(p, id);
  }

  async update(p: UserPrincipal, id: string, change: UserChange): Promise<UserView> {
    try {
      return await this.#update(p, id, change);
    } finally {
      this.#changed();
    }
  }

  async #update(p: UserPrincipal, id: string, change: UserChange): Promise<UserView> {
    return this.#db.transaction().execute(async (tx) => {
      const u = await findUser(tx, p.organizationId, id);
      if (!u || !isRole(u.role)) throw new NotFoundError('user', id);
      if (change.role !== undefined && change.role !== u.role) {
        if (!mayAssignRole(p.role, change.role, u.role)) {
          throw new ForbiddenError(`the ${p.role} role cannot change ${u.role} to ${change.role}`);
        }
        if (u.role === 'owner' && (await countOwners(tx, p.organizationId)) <= 1) {
          throw new ConflictError('the organisation keeps at least one owner');
        }
      } else if (u.role === 'owner' && p.role !== 'owner' && change.password !== undefined) {
        throw new ForbiddenError('only an owner can set an owner’s password');
      }
      await tx
        .updateTable('users')
        .set({
          ...(change.role !== undefined ? { role: change.role } : {}),
          ...(change.display_name !== undefined ? { display_name: change.display_name } : {}),
          ...(change.password !== undefined ? { password_hash: await hashPassword(change.password) } : {}),
        })
        .where('id', '=', id)
        .execute();
      if (change.password !== undefined || change.role !== undefined) {
        // a new password or role ends the user's sessions
        await tx
          .updateTable('tokens')
          .set({ revoked_at: this.#clock() })
          .where('user_id', '=', id)
          .where('kind', '=', 'session')
          .where('revoked_at', 'is', null)
          .execute();
      }
      const after = await findUser(tx, p.organizationId, id);
      return userView(after ?? u);
    });
  }

  async remove(p: UserPrincipal, id: string): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      const u = await findUser(tx, p.organizationId, id);
      if (!u || !isRole(u.role)) throw new NotFoundError('user', id);
      if (!mayAssignRole(p.role, u.role, u.role))
        throw new ForbiddenError(`the ${p.role} role cannot remove an ${u.role}`);
      if (u.role === 'owner' && (await countOwners(tx, p.organizationId)) <= 1) {
        throw new ConflictError('the organisation keeps at least one owner');
      }
      await tx.deleteFrom('users').where('id', '=', id).execute();
    });
    this.#changed();
  }
}
