import { Sops } from '@mooring/gitops';
import { ChartCache, Helm, type Mirror } from '@mooring/helm';
import { CoreApi, Inventory, loadKubeConfig, ReleaseStore } from '@mooring/kube';
import type { EngineContext } from './context.ts';

export interface EngineContextOptions {
  cluster: string;
  kubeconfig?: string;
  context?: string;
  /** Speak HTTP/2 to the API server (`KUBERNETES_HTTP2_ENABLED`). */
  kubernetesHttp2?: boolean;
  helmBinary?: string;
  /** Environment for helm (HELM_CACHE_HOME, ...). */
  helmEnv?: Record<string, string>;
  chartCacheDir: string;
  mirrors?: Mirror[];
  decrypt?: (text: string) => Promise<string>;
  /** Without `decrypt`: age identities in this file decrypt SOPS values with the sops CLI (in memory). */
  sopsAgeKeyFile?: string;
  /** The sops program (default `sops` on PATH). */
  sopsBinary?: string;
  credentials?: EngineContext['credentials'];
}

/** Wires the adapters for one cluster. */
export function createEngineContext(o: EngineContextOptions): EngineContext {
  const kc = loadKubeConfig({ kubeconfig: o.kubeconfig, context: o.context, http2: o.kubernetesHttp2 });
  const core = new CoreApi(kc);
  const sops =
    !o.decrypt && o.sopsAgeKeyFile
      ? new Sops({ ageKeyFile: o.sopsAgeKeyFile, ...(o.sopsBinary ? { binary: o.sopsBinary } : {}) })
      : undefined;
  return {
    cluster: o.cluster,
    kc,
    helm: new Helm({
      binary: o.helmBinary,
      kubeconfig: o.kubeconfig,
      kubeContext: o.context,
      env: o.helmEnv,
    }),
    charts: new ChartCache({ dir: o.chartCacheDir, mirrors: o.mirrors }),
    releases: new ReleaseStore(core),
    inventory: new Inventory(core),
    decrypt: o.decrypt ?? (sops ? (text: string) => sops.decrypt(text) : undefined),
    credentials: o.credentials,
  };
}
