import { type Bus, requestSubject } from '@mooring/bus';
import type { ZodType } from 'zod';
import type { UserPrincipal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import { findCluster } from '../clusters/queries.ts';
import type { ClusterRow, Database } from '../db/types.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { type Page, type PageRequest, pageOffset, toPage } from '../http/pagination.ts';
import type { OperationDetail } from '../operations/views.ts';
import { type DeclaredMember, storedMembers } from './catalog.ts';
import { maskAcceptDrift, maskValues } from './masking.ts';
import { observationOf, observationsOf } from './queries.ts';
import { healthOfState, type MemberObservation } from './readModel.ts';
import { type StacksView, stacksView, storedPlan } from './stacks.ts';
import {
  type AcceptDriftView,
  type AcceptManifestDriftView,
  type AddonDetail,
  type AddonSortField,
  type AddonView,
  acceptDriftReplySchema,
  acceptManifestDriftReplySchema,
  eventsReplySchema,
  historyReplySchema,
  treeReplySchema,
} from './views.ts';

/** What the add-on actions need of the operations service (`OperationsService.start`). */
export interface OperationStarter {
  start(input: {
    clusterId: string;
    type: string;
    steps: { name: string; kind: string; payload?: Record<string, unknown>; timeoutSeconds?: number }[];
    payload?: Record<string, unknown>;
    createdBy: string;
  }): Promise<OperationDetail>;
}

export interface AddonsServiceOptions {
  db: Database;
  clock: Clock;
  /** The platform's bus connection: history, events and tree are asked from the agent. */
  bus?: Bus;
  operations?: OperationStarter;
  /** How long the detail waits for each answer of the agent. */
  requestTimeoutMs?: number;
}

/** One list item from what the definition declares and what the agent reported (pure). */
export function addonView(
  declared: DeclaredMember | undefined,
  seen: MemberObservation | undefined,
): AddonView {
  const kind = declared?.kind ?? seen?.kind ?? 'addon';
  const state = seen?.state ?? 'Pending';
  return {
    name: declared?.name ?? seen?.name ?? '',
    kind,
    chart: declared?.chart ?? null,
    version: declared?.version ?? null,
    namespace: declared?.namespace ?? seen?.namespace ?? null,
    stack: declared?.stack ?? seen?.stack ?? '',
    state,
    health: healthOfState(seen ? state : undefined),
    engine: declared?.engine ?? 'native',
    revision: seen?.revision ?? null,
    drifted_objects: seen?.drifted_objects ?? null,
    drift: seen?.drift ?? [],
    message: seen?.message ?? (seen ? '' : 'not reported by the agent yet'),
    last_updated: seen?.updated_at?.toISOString() ?? null,
    last_inspected: seen?.inspected_at?.toISOString() ?? null,
    in_definition: declared !== undefined,
  };
}

/** Sorts and pages a list in memory (pure): a cluster has tens of members, not thousands. */
export function sortAndPage(items: AddonView[], p: PageRequest<AddonSortField>): Page<AddonView> {
  const key = (v: AddonView): string =>
    p.sort.field === 'last_updated' ? (v.last_updated ?? '') : (v[p.sort.field] ?? '');
  const sorted = [...items].sort((a, b) => {
    const c = key(a).localeCompare(key(b)) || a.name.localeCompare(b.name);
    return p.sort.direction === 'asc' ? c : -c;
  });
  const start = pageOffset(p);
  return toPage(sorted.slice(start, start + p.pageSize), items.length, p);
}

/** The add-ons and manifests of a cluster: the read model, the agent's live answers, actions. */
export class AddonsService {
  readonly #o: AddonsServiceOptions;
  constructor(o: AddonsServiceOptions) {
    this.#o = o;
  }

  async #cluster(p: UserPrincipal, id: string): Promise<ClusterRow> {
    const row = await findCluster(this.#o.db, p.organizationId, id);
    if (!row) throw new NotFoundError('cluster', id);
    return row;
  }

  async #members(row: ClusterRow, kind: 'addon' | 'manifest') {
    const declared = storedMembers(row.definition_path, row.definition_files).filter((m) => m.kind === kind);
    const seen = new Map(
      (await observationsOf(this.#o.db, row.id))
        .filter((r) => r.kind === kind)
        .map((r) => [r.name, observationOf(r)] as const),
    );
    const items = declared.map((d) => ({ declared: d, seen: seen.get(d.name) }));
    const names = new Set(declared.map((d) => d.name));
    for (const [name, s] of seen) if (!names.has(name)) items.push({ declared: undefined as never, seen: s });
    return items as { declared: DeclaredMember | undefined; seen: MemberObservation | undefined }[];
  }

  async list(
    p: UserPrincipal,
    clusterId: string,
    kind: 'addon' | 'manifest',
    page: PageRequest<AddonSortField>,
  ): Promise<Page<AddonView>> {
    const row = await this.#cluster(p, clusterId);
    const items = (await this.#members(row, kind)).map((m) => addonView(m.declared, m.seen));
    return sortAndPage(items, page);
  }

  /** The cluster's stacks in deploy-wave order, each member with its parents, DAG layer and state. */
  async stacks(p: UserPrincipal, clusterId: string): Promise<StacksView> {
    const row = await this.#cluster(p, clusterId);
    const plan = storedPlan(row.definition_path, row.definition_files);
    if (!plan) return { waves: [], member_count: 0 };
    const seen = new Map(
      (await observationsOf(this.#o.db, row.id)).map(
        (r) => [`${r.kind}/${r.name}`, observationOf(r)] as const,
      ),
    );
    return stacksView(plan, seen);
  }

  async #one(p: UserPrincipal, clusterId: string, name: string) {
    const row = await this.#cluster(p, clusterId);
    const m = (await this.#members(row, 'addon')).find((x) => (x.declared?.name ?? x.seen?.name) === name);
    if (!m) throw new NotFoundError('add-on', name);
    return { row, ...m };
  }

  async #ask<T>(clusterId: string, what: string, payload: object, schema: ZodType<T>, errors: string[]) {
    const bus = this.#o.bus;
    if (!bus) {
      errors.push(`${what}: no bus to the agent`);
      return null;
    }
    try {
      const reply = await bus.request<unknown>(requestSubject(clusterId, what), payload, {
        timeoutMs: this.#o.requestTimeoutMs ?? 10_000,
      });
      if (reply && typeof reply === 'object' && 'error' in reply) {
        errors.push(`${what}: ${String((reply as { error: unknown }).error)}`);
        return null;
      }
      return schema.parse(reply);
    } catch (e) {
      errors.push(`${what}: ${(e as Error).message}`);
      return null;
    }
  }

  /** One add-on with its masked values, and its Helm history, recent events and resource tree from the agent. */
  async detail(p: UserPrincipal, clusterId: string, name: string): Promise<AddonDetail> {
    const { declared, seen } = await this.#one(p, clusterId, name);
    const view = addonView(declared, seen);
    const namespace = view.namespace;
    const errors: string[] = [];
    const ask = namespace ? { name, namespace } : undefined;
    const [history, events, tree] = ask
      ? await Promise.all([
          this.#ask(clusterId, 'addon.history', ask, historyReplySchema, errors),
          this.#ask(clusterId, 'addon.events', ask, eventsReplySchema, errors),
          this.#ask(clusterId, 'addon.tree', ask, treeReplySchema, errors),
        ])
      : [null, null, null];
    return {
      ...view,
      registry: declared?.registry ?? null,
      values: maskValues(declared?.values ?? {}, declared?.encryptedPaths ?? []),
      encrypted_paths: declared?.encryptedPaths ?? [],
      history: history?.revisions ?? null,
      events: events?.events ?? null,
      tree: tree?.tree ?? null,
      live_errors: errors,
    };
  }

  /**
   * Accept drift: the values change that would make Git equal to the cluster for a drifted
   * add-on, as a patch, with the field managers that changed each field (asked from the agent).
   */
  async acceptDrift(p: UserPrincipal, clusterId: string, name: string): Promise<AcceptDriftView> {
    const { declared, seen } = await this.#one(p, clusterId, name);
    const namespace = declared?.namespace ?? seen?.namespace;
    if (!namespace) throw new ValidationError(`add-on ${name} has no namespace`);
    const errors: string[] = [];
    const answer = await this.#ask(
      clusterId,
      'addon.accept-drift',
      { name, namespace },
      acceptDriftReplySchema,
      errors,
    );
    if (!answer) throw new ConflictError(errors.join('; '));
    // the agent works on the real values: hide what the definition encrypts, as the detail does
    return maskAcceptDrift(answer, declared?.values ?? {}, declared?.encryptedPaths ?? []);
  }

  /**
   * Accept drift for a manifest member: the patch to its file in Git that would make Git equal
   * to the cluster, each change with the field managers that made it (asked from the agent,
   * which reads the objects live). A Secret's data and encrypted paths are masked by the agent
   * and left out of the patch.
   */
  async acceptManifestDrift(
    p: UserPrincipal,
    clusterId: string,
    name: string,
  ): Promise<AcceptManifestDriftView> {
    const row = await this.#cluster(p, clusterId);
    const m = (await this.#members(row, 'manifest')).find((x) => (x.declared?.name ?? x.seen?.name) === name);
    if (!m) throw new NotFoundError('manifest', name);
    const errors: string[] = [];
    const answer = await this.#ask(
      clusterId,
      'manifest.accept-drift',
      { name },
      acceptManifestDriftReplySchema,
      errors,
    );
    if (!answer) throw new ConflictError(errors.join('; '));
    return answer;
  }

  #operations(): OperationStarter {
    if (!this.#o.operations) throw new ConflictError('operations are not available on this platform');
    return this.#o.operations;
  }

  /** Deploys the add-on again from the cluster's definition (an `apply` of the definition: unchanged members are skipped). */
  async sync(p: UserPrincipal, clusterId: string, name: string): Promise<OperationDetail> {
    const { row, declared } = await this.#one(p, clusterId, name);
    if (!declared) throw new ConflictError(`add-on ${name} is no longer in the definition: nothing to sync`);
    return this.#operations().start({
      clusterId,
      type: 'sync',
      payload: { addon: name },
      createdBy: p.userId,
      steps: [
        {
          name: `sync ${name}`,
          kind: 'apply',
          payload: {
            files: JSON.parse(row.definition_files) as Record<string, string>,
            path: row.definition_path,
          },
        },
      ],
    });
  }

  /** Rolls the add-on's Helm release back to a revision. */
  async rollback(
    p: UserPrincipal,
    clusterId: string,
    name: string,
    revision: number,
  ): Promise<OperationDetail> {
    const { seen, declared } = await this.#one(p, clusterId, name);
    const namespace = declared?.namespace ?? seen?.namespace;
    if (!namespace) throw new ValidationError(`add-on ${name} has no namespace`);
    return this.#operations().start({
      clusterId,
      type: 'rollback',
      payload: { addon: name, revision },
      createdBy: p.userId,
      steps: [
        { name: `rollback ${name} to ${revision}`, kind: 'rollback', payload: { name, namespace, revision } },
      ],
    });
  }

  /** Uninstalls the add-on's Helm release (the definition is unchanged: a later apply installs it again). */
  async uninstall(p: UserPrincipal, clusterId: string, name: string): Promise<OperationDetail> {
    const { seen, declared } = await this.#one(p, clusterId, name);
    const namespace = declared?.namespace ?? seen?.namespace;
    if (!namespace) throw new ValidationError(`add-on ${name} has no namespace`);
    return this.#operations().start({
      clusterId,
      type: 'uninstall',
      payload: { addon: name },
      createdBy: p.userId,
      steps: [{ name: `uninstall ${name}`, kind: 'uninstall', payload: { name, namespace } }],
    });
  }
}
