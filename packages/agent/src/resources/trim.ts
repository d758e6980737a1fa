import type { StreamedObject } from '@mooring/bus';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Marks an object cut to its metadata because it did not fit one message. */
export const TRUNCATED_ANNOTATION = 'mooring.dev/truncated';

type Obj = Record<string, unknown> & { metadata?: Record<string, unknown> };

/**
 * An object as it may leave the agent (pure, returns a copy): without
 * `metadata.managedFields` and the last-applied annotation (which can hold a Secret's
 * data), and a Secret without `data` and `stringData`: only its metadata and type
 * leave the cluster, never its values.
 */
export function trimObject(kindKey: string, obj: Obj): StreamedObject {
  const { managedFields: _m, ...meta } = (obj.metadata ?? {}) as Record<string, unknown>;
  const annotations = meta.annotations as Record<string, string> | undefined;
  if (annotations && LAST_APPLIED in annotations) {
    const { [LAST_APPLIED]: _l, ...rest } = annotations;
    if (Object.keys(rest).length > 0) meta.annotations = rest;
    else delete meta.annotations;
  }
  const out: Obj = { ...obj, metadata: meta };
  if (kindKey === 'secrets' || obj.kind === 'Secret') {
    delete out.data;
    delete out.stringData;
  }
  return out as StreamedObject;
}

/** An object cut to its identity, for one too large to send (pure). */
export function truncatedObject(obj: StreamedObject): StreamedObject {
  const m = obj.metadata;
  return {
    ...(obj.apiVersion ? { apiVersion: obj.apiVersion } : {}),
    ...(obj.kind ? { kind: obj.kind } : {}),
    metadata: {
      name: m.name,
      ...(m.namespace ? { namespace: m.namespace } : {}),
      ...(m.uid ? { uid: m.uid } : {}),
      ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
      ...(m.labels ? { labels: m.labels } : {}),
      annotations: { [TRUNCATED_ANNOTATION]: 'true' },
    },
  };
}

/** The object, or its identity when its JSON is larger than `maxBytes` (pure). */
export function fitObject(obj: StreamedObject, maxBytes: number): StreamedObject {
  return Buffer.byteLength(JSON.stringify(obj)) > maxBytes ? truncatedObject(obj) : obj;
}

/**
 * Groups objects into message-sized parts (pure): each part's JSON stays under
 * `maxBytes` (an object larger than that alone is cut to its identity).
 */
export class PartPacker {
  readonly #max: number;
  #items: StreamedObject[] = [];
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#max = maxBytes;
  }

  /** Adds one object; returns a full part to send first when it would not fit. */
  add(obj: StreamedObject): StreamedObject[] | undefined {
    const o = fitObject(obj, this.#max - 1024);
    const size = Buffer.byteLength(JSON.stringify(o)) + 1;
    let full: StreamedObject[] | undefined;
    if (this.#bytes + size > this.#max - 1024 && this.#items.length > 0) full = this.take();
    this.#items.push(o);
    this.#bytes += size;
    return full;
  }

  /** The objects gathered so far (emptied). */
  take(): StreamedObject[] {
    const items = this.#items;
    this.#items = [];
    this.#bytes = 0;
    return items;
  }
}
