import { type Bus, requestSubject, requestSubjects, type Unsubscribe } from '@mooring/bus';
import { type EngineContext, mooringApplication, parseManifest } from '@mooring/engine';
import { type KubeObject, WatchCache } from '@mooring/kube';
import { z } from 'zod';
import { argoResourceTree, eventsOf, resourceTree, type TreeNode } from './addonTree.ts';
import type { Logger } from './logger.ts';

/** The requests the platform sends about one add-on (its Helm release). */
export const ADDON_REQUESTS = ['addon.history', 'addon.events', 'addon.tree'] as const;
export type AddonRequest = (typeof ADDON_REQUESTS)[number];

export const addonRequestSchema = z.strictObject({
  name: z.string().min(1).max(253),
  namespace: z.string().min(1).max(63),
  limit: z.number().int().min(1).max(500).optional(),
});

/** Kinds whose objects may be owned by what a release declares (read for the tree). */
const OWNED_KINDS: [string, string][] = [
  ['apps/v1', 'ReplicaSet'],
  ['apps/v1', 'ControllerRevision'],
  ['batch/v1', 'Job'],
  ['v1', 'Pod'],
];

/** Release storage as history entries, newest first. */
async function history(engine: EngineContext, name: string, namespace: string, limit: number) {
  const revisions = await engine.releases.history(name, namespace);
  return {
    revisions: revisions
      .sort((a, b) => b.version - a.version)
      .slice(0, limit)
      .map((r) => ({
        revision: r.version,
        status: r.status,
        chart: r.chart.name,
        chart_version: r.chart.version,
        ...(r.chart.appVersion ? { app_version: r.chart.appVersion } : {}),
        ...(r.lastDeployed ? { updated: r.lastDeployed } : {}),
        ...(r.description ? { description: r.description } : {}),
      })),
  };
}

/**
 * Answers the platform's requests about add-ons on `agent.requests.{cluster_id}.addon.*`:
 * `addon.history` (release storage, decoded without helm), `addon.tree` (the objects of
 * the latest revision, live from a watch cache, with what they own through
 * `ownerReferences`) and `addon.events` (events about those objects, newest first). Each
 * request is answered once with `{...}` or `{ error }`. Returns a stop function.
 */
export async function serveAddonRequests(o: {
  bus: Bus;
  clusterId: string;
  engine: EngineContext;
  logger: Logger;
  /** Other requests by name, each validating its own payload (e.g. `cluster.preview`). */
  more?: Record<string, (data: unknown) => Promise<object>>;
}): Promise<() => Promise<void>> {
  // the engine's shared object cache when it has one (its owner stops it), else one of our own
  let cache: WatchCache | undefined;
  const objects = () => {
    cache ??= o.engine.objects ?? new WatchCache(o.engine.kc);
    return cache;
  };

  const tree = async (name: string, namespace: string): Promise<TreeNode[]> => {
    // an add-on on the argocd engine: the tree of its Application, from the Argo CD API
    const argo = o.engine.argocd;
    if (argo && (await mooringApplication(argo, o.engine.cluster, name)))
      return argoResourceTree((await argo.client.resourceTree(name)).nodes ?? []);
    const latest = await o.engine.releases.latest(name, namespace);
    if (!latest) return [];
    const declared = parseManifest(latest.manifest, namespace);
    const c = objects();
    const kinds = new Map<string, [string, string]>();
    for (const d of declared) kinds.set(`${d.apiVersion}/${d.kind}`, [d.apiVersion, d.kind]);
    for (const k of OWNED_KINDS) kinds.set(`${k[0]}/${k[1]}`, k);
    await Promise.all(
      [...kinds.values()].map(([a, k]) =>
        c.ensure(a, k).catch((err: unknown) => o.logger.debug({ err, kind: k }, 'kind not readable')),
      ),
    );
    const owned: KubeObject[] = OWNED_KINDS.flatMap(([a, k]) => c.list(a, k)).filter(
      (x) => x.metadata.namespace === namespace,
    );
    return resourceTree(
      declared,
      (d) => c.get(d.apiVersion, d.kind, d.metadata.namespace, d.metadata.name ?? ''),
      owned,
    );
  };

  const handlers: Record<AddonRequest, (r: z.infer<typeof addonRequestSchema>) => Promise<object>> = {
    'addon.history': (r) => history(o.engine, r.name, r.namespace, r.limit ?? 20),
    'addon.tree': async (r) => ({ tree: await tree(r.name, r.namespace) }),
    'addon.events': async (r) => {
      const t = await tree(r.name, r.namespace);
      await objects().ensure('v1', 'Event');
      return { events: eventsOf(objects().list('v1', 'Event'), t, r.limit ?? 50) };
    },
  };

  const prefix = requestSubject(o.clusterId, 'x').slice(0, -1);
  const unsubscribe: Unsubscribe = await o.bus.subscribe(
    requestSubjects(o.clusterId),
    async (m) => {
      const kind = m.subject.slice(prefix.length) as AddonRequest;
      const handler = handlers[kind];
      if (!m.reply) return;
      const other = o.more?.[kind];
      if (other) {
        try {
          return m.reply(await other(m.data));
        } catch (err) {
          o.logger.warn({ err, request: kind }, 'request failed');
          return m.reply({ error: (err as Error).message });
        }
      }
      if (!handler) return m.reply({ error: `unknown request ${kind}` });
      const p = addonRequestSchema.safeParse(m.data);
      if (!p.success)
        return m.reply({ error: `invalid request: ${p.error.issues.map((i) => i.message).join('; ')}` });
      try {
        m.reply(await handler(p.data));
      } catch (err) {
        o.logger.warn({ err, request: kind, addon: p.data.name }, 'request failed');
        m.reply({ error: (err as Error).message });
      }
    },
    { onError: (err, subject) => o.logger.warn({ err, subject }, 'request not handled') },
  );
  return async () => {
    await unsubscribe().catch(() => undefined);
    if (cache !== o.engine.objects) cache?.stop();
  };
}
