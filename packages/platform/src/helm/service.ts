import { type Bus, requestSubject } from '@mooring/bus';
import type { ZodType } from 'zod';
import { storedMembers } from '../addons/catalog.ts';
import { maskValues } from '../addons/masking.ts';
import type { OperationStarter } from '../addons/service.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import { findCluster } from '../clusters/queries.ts';
import type { ClusterRow, Database } from '../db/types.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { OperationDetail } from '../operations/views.ts';
import { maskManifestSecrets } from './secretMasking.ts';
import {
  type HelmManifestView,
  type HelmReleaseView,
  type HelmValuesView,
  helmHistorySchema,
  helmManifestReplySchema,
  helmReleasesReplySchema,
  helmValuesReplySchema,
} from './views.ts';

export interface HelmServiceOptions {
  db: Database;
  bus?: Bus;
  operations?: OperationStarter;
  /** How long to wait for the agent's answer. */
  requestTimeoutMs?: number;
}

/** The agent's error as the API's (pure): a missing release or revision is 404, anything else 409. */
export function agentRefusal(target: string, message: string): Error {
  const rev = /has no revision (\d+)/.exec(message);
  if (rev) return new NotFoundError(`revision of release ${target}`, rev[1]!);
  if (/not found/.test(message)) return new NotFoundError('release', target);
  return new ConflictError(`release ${target}: ${message}`);
}

/**
 * Every Helm release of a cluster, whoever installed it: list, history, values (masked) and
 * manifest (Secrets masked) read by the agent from Helm's storage; rollback and uninstall as
 * operations the agent runs with helm.
 */
export class HelmService {
  readonly #o: HelmServiceOptions;
  constructor(o: HelmServiceOptions) {
    this.#o = o;
  }

  async #cluster(p: UserPrincipal, id: string): Promise<ClusterRow> {
    const row = await findCluster(this.#o.db, p.organizationId, id);
    if (!row) throw new NotFoundError('cluster', id);
    return row;
  }

  async #ask<T>(
    clusterId: string,
    what: string,
    payload: object,
    schema: ZodType<T>,
    target = '',
  ): Promise<T> {
    const bus = this.#o.bus;
    if (!bus) throw new ConflictError("the cluster's agent cannot be reached from this platform");
    let reply: unknown;
    try {
      reply = await bus.request<unknown>(requestSubject(clusterId, what), payload, {
        timeoutMs: this.#o.requestTimeoutMs ?? 10_000,
      });
    } catch (e) {
      throw new ConflictError(`the cluster's agent did not answer: ${(e as Error).message}`, { cause: e });
    }
    if (reply && typeof reply === 'object' && 'error' in reply)
      throw agentRefusal(target, String((reply as { error: unknown }).error));
    return schema.parse(reply);
  }

  async releases(p: UserPrincipal, clusterId: string, namespace?: string): Promise<HelmReleaseView[]> {
    const row = await this.#cluster(p, clusterId);
    const r = await this.#ask(
      row.id,
      'helm.releases',
      namespace ? { namespace } : {},
      helmReleasesReplySchema,
    );
    return r.releases;
  }

  async history(p: UserPrincipal, clusterId: string, namespace: string, name: string, limit: number) {
    const row = await this.#cluster(p, clusterId);
    const h = await this.#ask(
      row.id,
      'addon.history',
      { name, namespace, limit },
      helmHistorySchema,
      `${namespace}/${name}`,
    );
    if (h.revisions.length === 0) throw new NotFoundError('release', `${namespace}/${name}`);
    return h;
  }

  /** The values of a revision, masked: the paths the add-on of this release declares encrypted, and every SOPS-looking string. */
  async values(
    p: UserPrincipal,
    clusterId: string,
    namespace: string,
    name: string,
    revision?: number,
  ): Promise<HelmValuesView> {
    const row = await this.#cluster(p, clusterId);
    const r = await this.#ask(
      row.id,
      'helm.values',
      { name, namespace, ...(revision ? { revision } : {}) },
      helmValuesReplySchema,
      `${namespace}/${name}`,
    );
    const addon = storedMembers(row.definition_path, row.definition_files).find(
      (m) => m.kind === 'addon' && m.name === name && m.namespace === namespace,
    );
    const encrypted = addon?.encryptedPaths ?? [];
    return {
      ...r,
      values: maskValues(r.values, encrypted) as Record<string, unknown>,
      encrypted_paths: encrypted,
      addon: addon?.name ?? null,
    };
  }

  async manifest(
    p: UserPrincipal,
    clusterId: string,
    namespace: string,
    name: string,
    revision?: number,
  ): Promise<HelmManifestView> {
    const row = await this.#cluster(p, clusterId);
    const r = await this.#ask(
      row.id,
      'helm.manifest',
      { name, namespace, ...(revision ? { revision } : {}) },
      helmManifestReplySchema,
      `${namespace}/${name}`,
    );
    return {
      ...r,
      manifest: maskManifestSecrets(r.manifest),
      hooks: r.hooks.map((h) => ({ ...h, manifest: maskManifestSecrets(h.manifest) })),
    };
  }

  #operations(): OperationStarter {
    if (!this.#o.operations) throw new ConflictError('operations are not available on this platform');
    return this.#o.operations;
  }

  /** `helm rollback` to a stored revision (an operation); the revision must exist. */
  async rollback(
    p: UserPrincipal,
    clusterId: string,
    namespace: string,
    name: string,
    revision: number,
  ): Promise<OperationDetail> {
    const h = await this.history(p, clusterId, namespace, name, 500);
    if (!h.revisions.some((r) => r.revision === revision))
      throw new NotFoundError(`revision of ${namespace}/${name}`, String(revision));
    return this.#operations().start({
      clusterId,
      type: 'rollback',
      payload: { release: name, namespace, revision },
      createdBy: p.userId,
      steps: [
        {
          name: `rollback ${namespace}/${name} to ${revision}`,
          kind: 'rollback',
          payload: { name, namespace, revision },
        },
      ],
    });
  }

  /** `helm uninstall` of a release (an operation). A release of the definition is installed again by its next apply. */
  async uninstall(
    p: UserPrincipal,
    clusterId: string,
    namespace: string,
    name: string,
  ): Promise<OperationDetail> {
    await this.history(p, clusterId, namespace, name, 1);
    return this.#operations().start({
      clusterId,
      type: 'uninstall',
      payload: { release: name, namespace },
      createdBy: p.userId,
      steps: [{ name: `uninstall ${namespace}/${name}`, kind: 'uninstall', payload: { name, namespace } }],
    });
  }
}
