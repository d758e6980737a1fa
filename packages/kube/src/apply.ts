import { CoreApi } from './lean/coreApi.ts';
import type { KubeConfig } from './lean/kubeConfig.ts';
import { ObjectApi } from './lean/objectApi.ts';
import { type KubeObject, objectRef } from './objects.ts';

export const FIELD_MANAGER = 'mooring';

/** What applying one object did. */
/** `replaced`: deleted and created again because it could not be changed in place (`force`). */
export type ChangeAction = 'created' | 'configured' | 'replaced' | 'unchanged' | 'deleted' | 'skipped';

export interface AppliedObject {
  ref: string;
  action: ChangeAction;
  object: KubeObject;
}

export class ApplyError extends Error {
  readonly ref: string;
  readonly applied: AppliedObject[];
  constructor(ref: string, message: string, applied: AppliedObject[], cause?: unknown) {
    super(`${ref}: ${message}`, { cause });
    this.name = 'ApplyError';
    this.ref = ref;
    this.applied = applied;
  }
}

/** CRDs first, then Namespaces, then everything else in the given order. */
export function applyOrder(objects: KubeObject[]): KubeObject[] {
  const rank = (o: KubeObject) =>
    o.kind === 'CustomResourceDefinition' ? 0 : o.kind === 'Namespace' ? 1 : 2;
  return objects
    .map((o, i) => ({ o, i }))
    .sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i)
    .map((x) => x.o);
}

function errorMessage(e: unknown): string {
  const body = (e as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  if (body && typeof body === 'object' && 'message' in body)
    return String((body as { message: unknown }).message);
  return (e as Error).message;
}

function statusOf(e: unknown): number | undefined {
  return (e as { code?: number; statusCode?: number }).code ?? (e as { statusCode?: number }).statusCode;
}

/**
 * Server-side apply with Mooring's field manager. CRDs and Namespaces go first
 * and CRDs are waited for (Established) before objects of their kinds. A failure
 * stops the batch and reports what was applied before it.
 */
export async function applyObjects(
  kc: KubeConfig,
  objects: KubeObject[],
  opts: {
    defaultNamespace?: string;
    force?: boolean;
    dryRun?: boolean;
    labels?: Record<string, string>;
    /**
     * When the API server refuses the change in place (422: an immutable
     * field; 409: a conflict), delete the live object and create it again
     * instead of failing (the manifest's `force`).
     */
    replaceOnConflict?: boolean;
  } = {},
): Promise<AppliedObject[]> {
  const client = new ObjectApi(kc);
  const ext = new CoreApi(kc);
  const done: AppliedObject[] = [];
  for (const input of applyOrder(objects)) {
    const obj: KubeObject = structuredClone(input);
    if (opts.labels) obj.metadata.labels = { ...obj.metadata.labels, ...opts.labels };
    const ref = objectRef(obj);
    let before: KubeObject | undefined;
    try {
      before = await client.read<KubeObject>(obj);
    } catch (e) {
      if (statusOf(e) !== 404) throw new ApplyError(ref, errorMessage(e), done, e);
      if (!obj.metadata.namespace && opts.defaultNamespace && (await isNamespaced(client, obj))) {
        obj.metadata.namespace = opts.defaultNamespace;
      }
    }
    const apply = async () =>
      await client.patch<KubeObject>(obj, {
        dryRun: opts.dryRun,
        fieldManager: FIELD_MANAGER,
        force: opts.force ?? true,
        strategy: 'apply',
      });
    let after: KubeObject;
    let replaced = false;
    try {
      after = await apply();
    } catch (e) {
      const status = statusOf(e);
      const inPlaceRefused = before !== undefined && (status === 422 || status === 409);
      if (!inPlaceRefused) throw new ApplyError(ref, errorMessage(e), done, e);
      if (!opts.replaceOnConflict)
        throw new ApplyError(
          ref,
          `${errorMessage(e)} (the live object cannot be changed in place; set force: true on the manifest to replace it)`,
          done,
          e,
        );
      try {
        if (!opts.dryRun) await deleteAndWait(client, before!);
        after = await apply();
        replaced = true;
      } catch (e2) {
        throw new ApplyError(ref, `replacing it failed: ${errorMessage(e2)}`, done, e2);
      }
    }
    const action: ChangeAction = replaced
      ? 'replaced'
      : !before
        ? 'created'
        : before.metadata.resourceVersion === after.metadata.resourceVersion
          ? 'unchanged'
          : 'configured';
    done.push({ ref, action, object: after });
    if (obj.kind === 'CustomResourceDefinition' && !opts.dryRun)
      await waitEstablished(ext, obj.metadata.name);
  }
  return done;
}

/** Deletes the object (foreground) and waits until it is gone, so it can be created again under its name. */
async function deleteAndWait(client: ObjectApi, obj: KubeObject, timeoutMs = 60_000): Promise<void> {
  const key = {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace },
  };
  try {
    await client.delete(key, { propagationPolicy: 'Foreground' });
  } catch (e) {
    if (statusOf(e) !== 404) throw e;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const live = await client.read<KubeObject>(key);
      if (live.metadata.uid !== obj.metadata.uid) return;
    } catch (e) {
      if (statusOf(e) === 404) return;
      throw e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`still present ${timeoutMs} ms after its deletion`);
}

async function isNamespaced(client: ObjectApi, obj: KubeObject): Promise<boolean> {
  try {
    const r = await (
      client as unknown as { resource(a: string, k: string): Promise<{ namespaced: boolean } | undefined> }
    ).resource(obj.apiVersion, obj.kind);
    return r?.namespaced ?? true;
  } catch {
    return true;
  }
}

async function waitEstablished(ext: CoreApi, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const crd = await ext.readCustomResourceDefinition({ name });
    if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ApplyError(`CustomResourceDefinition/${name}`, `not Established within ${timeoutMs} ms`, []);
}

/** Deletes objects (background propagation); a missing object counts as deleted. */
export async function deleteObjects(
  kc: KubeConfig,
  objects: KubeObject[],
): Promise<{ results: AppliedObject[]; errors: { ref: string; message: string }[] }> {
  const client = new ObjectApi(kc);
  const results: AppliedObject[] = [];
  const errors: { ref: string; message: string }[] = [];
  // reverse apply order: everything else, then Namespaces, then CRDs
  for (const obj of applyOrder(objects).reverse()) {
    const ref = objectRef(obj);
    try {
      await client.delete(obj, { propagationPolicy: 'Background' });
      results.push({ ref, action: 'deleted', object: obj });
    } catch (e) {
      if (statusOf(e) === 404) results.push({ ref, action: 'deleted', object: obj });
      else errors.push({ ref, message: errorMessage(e) });
    }
  }
  return { results, errors };
}
