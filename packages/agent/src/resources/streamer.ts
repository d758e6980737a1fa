import { randomUUID } from 'node:crypto';
import { type Bus, RESOURCES_MESSAGE_BYTES, type ResourcesMessage, resourcesSubject } from '@mooring/bus';
import { type KubeConfig, Watch } from '@mooring/kube';
import type { Logger } from '../logger.ts';
import { ApiServerClient } from '../proxy/apiServer.ts';
import {
  type ApiResourceList,
  BUILTIN_KINDS,
  discoveredKinds,
  kindInfo,
  preferredGroupVersions,
  type StreamedKind,
} from './kinds.ts';
import { fitObject, PartPacker, trimObject } from './trim.ts';

export interface ResourceStreamerOptions {
  bus: Bus;
  clusterId: string;
  kc: KubeConfig;
  logger: Logger;
  /** `k8s_watch.enabled`: list then watch; false: list again every `listIntervalMs`. */
  watch: boolean;
  listIntervalMs: number;
  /** `DYNAMIC_API_DISCOVERY_ENABLED`: stream every served kind that can be listed and watched. */
  dynamicDiscovery: boolean;
  /** Objects per list page from the API server (default 500). */
  pageSize?: number;
  /** Time between `alive` messages (default 30 s). */
  aliveMs?: number;
  /** Delay before a failed list or watch starts again (default 5 s). */
  retryMs?: number;
}

export interface ResourceStreamer {
  /** Lists every kind again and sends it (the platform lost its copy, or the bus reconnected). */
  resync(): void;
  /** The kinds streamed now. */
  kinds(): StreamedKind[];
  stop(): Promise<void>;
}

/** The API server answered a list with an error status. */
export class ListError extends Error {
  override readonly name = 'ListError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

/**
 * Streams the cluster's live resources to the platform on `agent.resources.{cluster_id}`:
 * for each kind a full list in message-sized parts (`sync`), then the watch's changes
 * (`event`), resumed from the last resource version and listed again when the API
 * server has forgotten it (410). Objects are trimmed before they leave (no
 * managedFields, no last-applied annotation, no Secret data) and nothing is kept: the
 * agent holds at most one list page per kind at a time.
 */
export async function startResourceStreamer(o: ResourceStreamerOptions): Promise<ResourceStreamer> {
  const api = new ApiServerClient(o.kc);
  const subject = resourcesSubject(o.clusterId);
  const log = o.logger.child({ component: 'resources' });
  const pageSize = o.pageSize ?? 500;
  const retryMs = o.retryMs ?? 5000;
  const stopAll = new AbortController();
  const streams = new Map<string, KindStream>();
  let publishing: Promise<void> = Promise.resolve();

  // one ordered publisher: watch callbacks are synchronous, their messages keep their order
  const publish = (m: ResourcesMessage): Promise<void> => {
    const p = publishing.then(() => o.bus.publish(subject, m));
    publishing = p.catch(() => undefined);
    return p;
  };

  const getJson = async (path: string, signal: AbortSignal): Promise<unknown> => {
    const res = await api.send({ method: 'GET', path, headers: { accept: 'application/json' }, signal });
    const parts: Buffer[] = [];
    for await (const c of res) parts.push(c as Buffer);
    const text = Buffer.concat(parts).toString('utf8');
    if ((res.statusCode ?? 500) >= 300) {
      let message = text.slice(0, 500);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {}
      throw new ListError(res.statusCode ?? 500, message);
    }
    return JSON.parse(text);
  };

  class KindStream {
    readonly kind: StreamedKind;
    readonly #stop = new AbortController();
    #cycle = new AbortController();
    readonly done: Promise<void>;

    constructor(kind: StreamedKind) {
      this.kind = kind;
      this.done = this.#run();
    }

    /** Ends the current watch or wait and lists again. */
    relist() {
      this.#cycle.abort();
    }

    stop() {
      this.#stop.abort();
      this.#cycle.abort();
    }

    async #run() {
      while (!this.#stop.signal.aborted && !stopAll.signal.aborted) {
        this.#cycle = new AbortController();
        const cycle = this.#cycle.signal;
        try {
          let rv = await this.#list(cycle);
          if (!o.watch) {
            await sleep(o.listIntervalMs, cycle);
            continue;
          }
          while (!cycle.aborted) {
            const next = await this.#watch(rv, cycle);
            if (next === undefined) break; // 410 Gone: list again
            rv = next;
          }
        } catch (err) {
          if (cycle.aborted || this.#stop.signal.aborted) continue;
          const message = (err as Error).message;
          log.warn({ kind: this.kind.key, err: message }, 'listing or watching a kind failed; retrying');
          await publish({ op: 'error', kind: this.kind.key, message: message.slice(0, 2000) }).catch(
            () => undefined,
          );
          await sleep(
            err instanceof ListError && err.status === 403 ? retryMs * 12 : retryMs,
            this.#stop.signal,
          );
        }
      }
    }

    /** Lists the kind page by page, sends it in parts; resolves with the list's resource version. */
    async #list(signal: AbortSignal): Promise<string> {
      const syncId = randomUUID().slice(0, 8);
      const kind = kindInfo(this.kind);
      const packer = new PartPacker(RESOURCES_MESSAGE_BYTES);
      let part = 0;
      let cont: string | undefined;
      let rv = '';
      do {
        const q = new URLSearchParams({ limit: String(pageSize) });
        if (cont) q.set('continue', cont);
        const list = (await getJson(`${this.kind.base}/${this.kind.plural}?${q}`, signal)) as {
          items?: Record<string, unknown>[];
          metadata?: { continue?: string; resourceVersion?: string };
        };
        const [apiVersion, itemKind] = [this.kind.api_version, this.kind.kind];
        for (const item of list.items ?? []) {
          const full = packer.add(trimObject(this.kind.key, { apiVersion, kind: itemKind, ...item }));
          if (full)
            await publish({ op: 'sync', kind, sync_id: syncId, part: part++, last: false, items: full });
        }
        cont = list.metadata?.continue || undefined;
        rv = list.metadata?.resourceVersion ?? rv;
      } while (cont && !signal.aborted);
      if (signal.aborted) throw new Error('list interrupted');
      await publish({ op: 'sync', kind, sync_id: syncId, part, last: true, items: packer.take() });
      return rv;
    }

    /** Watches from `rv` until the server ends the watch; the last version seen, or undefined after 410. */
    #watch(rv: string, signal: AbortSignal): Promise<string | undefined> {
      return new Promise((resolve, reject) => {
        let last = rv;
        let gone = false;
        const w = new Watch(o.kc);
        // the server ends each watch after timeoutSeconds; bookmarks keep a quiet one alive
        w.requestTimeoutMs = 330_000;
        let controller: AbortController | undefined;
        const onAbort = () => controller?.abort();
        signal.addEventListener('abort', onAbort, { once: true });
        const finish = (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted || gone) return resolve(gone ? undefined : last);
          if (err) return reject(err);
          resolve(last);
        };
        void w
          .watch(
            `${this.kind.base}/${this.kind.plural}`,
            { resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: 290 },
            (type, obj: Record<string, unknown>) => {
              const meta = (obj?.metadata ?? {}) as { resourceVersion?: string };
              if (type === 'ERROR') {
                if ((obj as { code?: number }).code === 410) {
                  gone = true;
                  controller?.abort();
                }
                return;
              }
              if (meta.resourceVersion) last = meta.resourceVersion;
              if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return;
              const object = fitObject(trimObject(this.kind.key, obj), RESOURCES_MESSAGE_BYTES - 1024);
              void publish({ op: 'event', kind: this.kind.key, type, object }).catch((err: unknown) =>
                log.debug({ err, kind: this.kind.key }, 'a watch event was not published'),
              );
              if (this.kind.key === 'customresourcedefinitions.apiextensions.k8s.io') crdsChanged();
            },
            finish,
          )
          .then((c) => {
            controller = c;
            if (signal.aborted) c.abort();
          }, reject);
      });
    }
  }

  const discover = async (): Promise<StreamedKind[]> => {
    if (!o.dynamicDiscovery) return [...BUILTIN_KINDS];
    const lists: ApiResourceList[] = [(await getJson('/api/v1', stopAll.signal)) as ApiResourceList];
    const apis = (await getJson('/apis', stopAll.signal)) as Parameters<typeof preferredGroupVersions>[0];
    for (const gv of preferredGroupVersions(apis)) {
      try {
        lists.push((await getJson(`/apis/${gv}`, stopAll.signal)) as ApiResourceList);
      } catch (err) {
        // an aggregated API that is down must not stop the others
        log.warn({ group_version: gv, err: (err as Error).message }, 'discovery of a group failed');
      }
    }
    return [...BUILTIN_KINDS, ...discoveredKinds(lists)];
  };

  const applyKinds = async (kinds: StreamedKind[]) => {
    const keys = new Set(kinds.map((k) => k.key));
    for (const [key, s] of streams)
      if (!keys.has(key)) {
        s.stop();
        streams.delete(key);
      }
    await publish({ op: 'kinds', at: new Date().toISOString(), kinds: kinds.map(kindInfo) }).catch(
      (err: unknown) => log.debug({ err }, 'kinds not published'),
    );
    for (const k of kinds) if (!streams.has(k.key)) streams.set(k.key, new KindStream(k));
  };

  // a CRD added or removed: discover again (once things settle)
  let rediscover: NodeJS.Timeout | undefined;
  const crdsChanged = () => {
    if (!o.dynamicDiscovery || stopAll.signal.aborted) return;
    clearTimeout(rediscover);
    rediscover = setTimeout(() => {
      void discover()
        .then(applyKinds)
        .catch((err: unknown) => log.warn({ err }, 'discovery failed'));
    }, 2000);
  };

  let kinds: StreamedKind[];
  try {
    kinds = await discover();
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'discovery failed; streaming the built-in kinds');
    kinds = [...BUILTIN_KINDS];
  }
  await applyKinds(kinds);

  const resync = () => {
    void publish({
      op: 'kinds',
      at: new Date().toISOString(),
      kinds: [...streams.values()].map((s) => kindInfo(s.kind)),
    }).catch(() => undefined);
    for (const s of streams.values()) s.relist();
  };

  // the platform may have missed messages while the bus was down: send everything again
  let busWas = o.bus.status();
  const busCheck = setInterval(() => {
    const now = o.bus.status();
    if (now === 'connected' && busWas !== 'connected') {
      log.info({}, 'bus reconnected; sending every kind again');
      resync();
    }
    busWas = now;
  }, 1000);
  const alive = setInterval(
    () => void publish({ op: 'alive', at: new Date().toISOString() }).catch(() => undefined),
    o.aliveMs ?? 30_000,
  );
  busCheck.unref();
  alive.unref();

  return {
    resync,
    kinds: () => [...streams.values()].map((s) => s.kind),
    stop: async () => {
      stopAll.abort();
      clearInterval(busCheck);
      clearInterval(alive);
      clearTimeout(rediscover);
      for (const s of streams.values()) s.stop();
      await Promise.all([...streams.values()].map((s) => s.done));
      await publishing;
    },
  };
}
