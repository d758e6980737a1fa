import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { KitInfo } from './kit.ts';

/** Clients for the kit's cluster, for tests. */
export function kitClients(kit: KitInfo): { kc: KubeConfig; core: CoreV1Api; apps: AppsV1Api } {
  if (!kit.kubeconfig) throw new Error('the kit was started without kubernetes');
  const kc = new KubeConfig();
  kc.loadFromFile(kit.kubeconfig);
  return { kc, core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api) };
}

/**
 * A `@kubernetes/client-node` KubeConfig with the clusters, users and contexts of another
 * kubeconfig object of the same shape (the product's lean `KubeConfig` from `@mooring/kube`),
 * for tests that use client-node's typed APIs.
 */
export function clientNodeConfig(kc: {
  clusters: readonly object[];
  users: readonly object[];
  contexts: readonly object[];
  currentContext: string;
}): KubeConfig {
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: kc.clusters.map((c) => ({ skipTLSVerify: false, ...c })),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  } as never);
  return out;
}

/** Creates a namespace for one test and returns a function that deletes it. */
export async function createNamespace(core: CoreV1Api, name: string): Promise<() => Promise<void>> {
  await core.createNamespace({ body: { metadata: { name } } });
  // Pods are admitted only once the namespace's default ServiceAccount exists
  for (let i = 0; i < 100; i++) {
    try {
      await core.readNamespacedServiceAccount({ name: 'default', namespace: name });
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return async () => {
    await core.deleteNamespace({ name }).catch(() => undefined);
  };
}

/** Polls until `fn` returns a truthy value; returns it. */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined | false | null>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
