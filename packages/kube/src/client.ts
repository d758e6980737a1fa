import { KubeConfig } from '@kubernetes/client-node';

export interface KubeTarget {
  /** Path of a kubeconfig file; default: $KUBECONFIG, then ~/.kube/config, then in-cluster. */
  kubeconfig?: string;
  context?: string;
}

/** Loads a KubeConfig for a target cluster. */
export function loadKubeConfig(t: KubeTarget = {}): KubeConfig {
  const kc = new KubeConfig();
  if (t.kubeconfig) kc.loadFromFile(t.kubeconfig);
  else kc.loadFromDefault();
  if (t.context) kc.setCurrentContext(t.context);
  return kc;
}
