import { type ApiResource, discoverResource, resourcePath } from './discovery.ts';
import { KubeApiError } from './errors.ts';
import type { KubeConfig } from './kubeConfig.ts';
import { kubeRequest, type Query } from './transport.ts';

/** The least an object needs to be addressed. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string };
  [k: string]: unknown;
}

/** A list answer: the items as plain JSON and the list's metadata (`continue`, `resourceVersion`). */
export interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  items: T[];
  metadata?: { continue?: string; resourceVersion?: string; remainingItemCount?: number };
}

export type PatchStrategy = 'apply' | 'merge' | 'strategic' | 'json';

/** The content type of each patch strategy. */
export const PATCH_CONTENT_TYPES: Record<PatchStrategy, string> = {
  apply: 'application/apply-patch+yaml',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
}

export interface PatchOptions extends WriteOptions {
  /** Default `apply` (server-side apply: the object is the patch). */
  strategy?: PatchStrategy;
  /** Server-side apply only: take fields other managers own. */
  force?: boolean;
  /** The patch body when it is not the object itself (merge, strategic, json). */
  patch?: unknown;
}

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
}

/**
 * Reads and writes objects of any kind as plain JSON, finding each kind's resource by
 * discovery (cached). A namespaced object without a namespace goes to the context's
 * namespace (`default`), as kubectl and `@kubernetes/client-node` do.
 */
export class ObjectApi {
  readonly kc: KubeConfig;
  constructor(kc: KubeConfig) {
    this.kc = kc;
  }

  /** The resource of a kind; throws a 404 `KubeApiError` when the cluster does not serve it. */
  async resource(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    return discoverResource(this.kc, apiVersion, kind);
  }

  async #path(o: ObjectRef, withName: boolean): Promise<string> {
    const r = await this.resource(o.apiVersion, o.kind);
    if (!r)
      throw new KubeApiError('GET', `${o.apiVersion}/${o.kind}`, 404, {
        kind: 'Status',
        status: 'Failure',
        reason: 'NotFound',
        code: 404,
        message: `the server does not serve ${o.kind} in ${o.apiVersion}`,
      });
    const ns = r.namespaced ? o.metadata.namespace || this.kc.getNamespace() : undefined;
    return resourcePath(o.apiVersion, r.name, ns, withName ? o.metadata.name : undefined);
  }

  read<T = Record<string, unknown>>(o: ObjectRef): Promise<T> {
    return this.#path(o, true).then((path) => kubeRequest<T>(this.kc, { path }));
  }

  async list<T = Record<string, unknown>>(
    apiVersion: string,
    kind: string,
    opts: ListOptions = {},
  ): Promise<ObjectList<T>> {
    const r = await this.resource(apiVersion, kind);
    if (!r) throw new KubeApiError('GET', `${apiVersion}/${kind}`, 404, `the server does not serve ${kind}`);
    const path = resourcePath(apiVersion, r.name, r.namespaced ? opts.namespace : undefined);
    const query: Query = {
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      limit: opts.limit,
      continue: opts.continue,
      resourceVersion: opts.resourceVersion,
    };
    return kubeRequest<ObjectList<T>>(this.kc, { path, query });
  }

  async create<T = Record<string, unknown>>(o: ObjectRef, opts: WriteOptions = {}): Promise<T> {
    const path = await this.#path(o, false);
    return kubeRequest<T>(this.kc, { method: 'POST', path, query: writeQuery(opts), body: o });
  }

  async replace<T = Record<string, unknown>>(o: ObjectRef, opts: WriteOptions = {}): Promise<T> {
    const path = await this.#path(o, true);
    return kubeRequest<T>(this.kc, { method: 'PUT', path, query: writeQuery(opts), body: o });
  }

  async patch<T = Record<string, unknown>>(o: ObjectRef, opts: PatchOptions = {}): Promise<T> {
    const strategy = opts.strategy ?? 'apply';
    const path = await this.#path(o, true);
    return kubeRequest<T>(this.kc, {
      method: 'PATCH',
      path,
      query: { ...writeQuery(opts), ...(strategy === 'apply' && opts.force ? { force: true } : {}) },
      body: opts.patch ?? o,
      contentType: PATCH_CONTENT_TYPES[strategy],
    });
  }

  async delete(o: ObjectRef, opts: DeleteOptions = {}): Promise<unknown> {
    const path = await this.#path(o, true);
    return kubeRequest(this.kc, {
      method: 'DELETE',
      path,
      query: {
        ...(opts.dryRun ? { dryRun: 'All' } : {}),
        propagationPolicy: opts.propagationPolicy,
        gracePeriodSeconds: opts.gracePeriodSeconds,
      },
    });
  }
}

function writeQuery(o: WriteOptions): Query {
  return { ...(o.dryRun ? { dryRun: 'All' } : {}), fieldManager: o.fieldManager };
}
