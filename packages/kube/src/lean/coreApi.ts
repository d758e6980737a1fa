import { resourcePath } from './discovery.ts';
import type { KubeConfig } from './kubeConfig.ts';
import type { ObjectList } from './objectApi.ts';
import { PATCH_CONTENT_TYPES, type PatchStrategy } from './objectApi.ts';
import { kubeRequest, type Query } from './transport.ts';

/** Object metadata as JSON (timestamps are RFC 3339 strings). */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  managedFields?: { manager?: string; operation?: string; subresource?: string }[];
  [k: string]: unknown;
}

export interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [k: string]: unknown;
}
export interface Secret extends Obj {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}
export interface ConfigMap extends Obj {
  data?: Record<string, string>;
}
export interface Service extends Obj {
  spec?: {
    type?: string;
    clusterIP?: string;
    selector?: Record<string, string>;
    ports?: { name?: string; port: number; targetPort?: number | string; protocol?: string }[];
    [k: string]: unknown;
  };
}
export interface EndpointSlice extends Obj {
  addressType?: string;
  endpoints?: {
    addresses: string[];
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  }[];
  ports?: { name?: string; port?: number; protocol?: string }[];
}
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
export interface CustomResourceDefinition extends Obj {
  status?: { conditions?: Condition[] };
}

interface Named {
  name: string;
  namespace: string;
}
interface Listed {
  namespace: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  _continue?: string;
}
type ClusterListed = Omit<Listed, 'namespace'>;

const listQuery = (o: ClusterListed): Query => ({
  labelSelector: o.labelSelector,
  fieldSelector: o.fieldSelector,
  limit: o.limit,
  continue: o._continue,
});

/**
 * The few typed calls on built-in kinds the engine and the agent make, with the parameter
 * objects of `@kubernetes/client-node`'s `CoreV1Api` (`{ name, namespace, body }`), answering
 * plain JSON. `patch*` sends a JSON patch when the body is an array, else a merge patch.
 */
export class CoreApi {
  readonly kc: KubeConfig;
  constructor(kc: KubeConfig) {
    this.kc = kc;
  }

  #get<T>(path: string, query?: Query): Promise<T> {
    return kubeRequest<T>(this.kc, { path, ...(query ? { query } : {}) });
  }
  #send<T>(method: string, path: string, body?: unknown, strategy?: PatchStrategy): Promise<T> {
    return kubeRequest<T>(this.kc, {
      method,
      path,
      ...(body !== undefined ? { body } : {}),
      ...(strategy ? { contentType: PATCH_CONTENT_TYPES[strategy] } : {}),
    });
  }
  #patch<T>(path: string, body: unknown): Promise<T> {
    return this.#send<T>('PATCH', path, body, Array.isArray(body) ? 'json' : 'merge');
  }

  readNamespace(o: { name: string }): Promise<Obj> {
    return this.#get(resourcePath('v1', 'namespaces', undefined, o.name));
  }
  createNamespace(o: { body: Obj }): Promise<Obj> {
    return this.#send('POST', resourcePath('v1', 'namespaces'), {
      apiVersion: 'v1',
      kind: 'Namespace',
      ...o.body,
    });
  }
  listNode(o: ClusterListed = {}): Promise<ObjectList<Obj>> {
    return this.#get(resourcePath('v1', 'nodes'), listQuery(o));
  }

  readNamespacedConfigMap(o: Named): Promise<ConfigMap> {
    return this.#get(resourcePath('v1', 'configmaps', o.namespace, o.name));
  }
  listNamespacedConfigMap(o: Listed): Promise<ObjectList<ConfigMap>> {
    return this.#get(resourcePath('v1', 'configmaps', o.namespace), listQuery(o));
  }
  createNamespacedConfigMap(o: { namespace: string; body: ConfigMap }): Promise<ConfigMap> {
    return this.#send('POST', resourcePath('v1', 'configmaps', o.namespace), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      ...o.body,
    });
  }
  replaceNamespacedConfigMap(o: Named & { body: ConfigMap }): Promise<ConfigMap> {
    return this.#send('PUT', resourcePath('v1', 'configmaps', o.namespace, o.name), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      ...o.body,
    });
  }
  patchNamespacedConfigMap(o: Named & { body: unknown }): Promise<ConfigMap> {
    return this.#patch(resourcePath('v1', 'configmaps', o.namespace, o.name), o.body);
  }
  deleteNamespacedConfigMap(o: Named): Promise<unknown> {
    return this.#send('DELETE', resourcePath('v1', 'configmaps', o.namespace, o.name));
  }

  readNamespacedSecret(o: Named): Promise<Secret> {
    return this.#get(resourcePath('v1', 'secrets', o.namespace, o.name));
  }
  listNamespacedSecret(o: Listed): Promise<ObjectList<Secret>> {
    return this.#get(resourcePath('v1', 'secrets', o.namespace), listQuery(o));
  }
  listSecretForAllNamespaces(o: ClusterListed = {}): Promise<ObjectList<Secret>> {
    return this.#get(resourcePath('v1', 'secrets'), listQuery(o));
  }
  createNamespacedSecret(o: { namespace: string; body: Secret }): Promise<Secret> {
    return this.#send('POST', resourcePath('v1', 'secrets', o.namespace), {
      apiVersion: 'v1',
      kind: 'Secret',
      ...o.body,
    });
  }
  replaceNamespacedSecret(o: Named & { body: Secret }): Promise<Secret> {
    return this.#send('PUT', resourcePath('v1', 'secrets', o.namespace, o.name), {
      apiVersion: 'v1',
      kind: 'Secret',
      ...o.body,
    });
  }
  deleteNamespacedSecret(o: Named): Promise<unknown> {
    return this.#send('DELETE', resourcePath('v1', 'secrets', o.namespace, o.name));
  }

  readNamespacedService(o: Named): Promise<Service> {
    return this.#get(resourcePath('v1', 'services', o.namespace, o.name));
  }
  listNamespacedEndpointSlice(o: Listed): Promise<ObjectList<EndpointSlice>> {
    return this.#get(resourcePath('discovery.k8s.io/v1', 'endpointslices', o.namespace), listQuery(o));
  }

  listNamespacedPersistentVolumeClaim(o: Listed): Promise<ObjectList<Obj>> {
    return this.#get(resourcePath('v1', 'persistentvolumeclaims', o.namespace), listQuery(o));
  }
  deleteNamespacedPersistentVolumeClaim(o: Named): Promise<unknown> {
    return this.#send('DELETE', resourcePath('v1', 'persistentvolumeclaims', o.namespace, o.name));
  }

  readCustomResourceDefinition(o: { name: string }): Promise<CustomResourceDefinition> {
    return this.#get(resourcePath('apiextensions.k8s.io/v1', 'customresourcedefinitions', undefined, o.name));
  }

  /** `/version`: the API server's build. */
  getCode(): Promise<{ gitVersion: string; major?: string; minor?: string; platform?: string }> {
    return this.#get('/version');
  }
}
