import type { KubeObject } from '@mooring/kube';
import { parseAllDocuments } from 'yaml';

/** Parses a multi-document manifest (as Helm renders it) into objects, skipping empty documents and Lists' wrappers. */
export function parseManifest(text: string, defaultNamespace?: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    const o = doc.toJS() as KubeObject | null;
    if (!o || typeof o !== 'object' || !o.kind || !o.apiVersion) continue;
    if (o.kind.endsWith('List') && Array.isArray((o as { items?: unknown }).items)) {
      for (const item of (o as unknown as { items: KubeObject[] }).items) out.push(item);
      continue;
    }
    out.push(o);
  }
  if (defaultNamespace) {
    for (const o of out)
      if (!o.metadata.namespace && !CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = defaultNamespace;
  }
  return out;
}

/** Kinds that have no namespace (the common built-ins; discovery decides for the rest). */
export const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'PriorityClass',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'IngressClass',
  'RuntimeClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
]);
