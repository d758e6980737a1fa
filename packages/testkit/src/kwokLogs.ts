import { appendFileSync } from 'node:fs';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';

/** One line of a container log file in the CRI format kwok reads (`<RFC3339Nano> stdout F <text>`). */
export function criLogLine(
  text: string,
  at: Date = new Date(),
  stream: 'stdout' | 'stderr' = 'stdout',
): string {
  return `${at.toISOString()} ${stream} F ${text}\n`;
}

/** Appends lines (CRI format, timestamped now unless given) to a log file kwok serves. */
export function appendLogLines(file: string, lines: readonly string[], at?: Date): void {
  appendFileSync(file, lines.map((l) => criLogLine(l, at)).join(''));
}

/**
 * Makes kwok serve a fake pod's container logs from local files: a `Logs` resource named
 * after the pod, whose containers' log is `file` (followed as it grows) and whose
 * previous log (`--previous`) is `previousFile`. The kubelet address kwok serves is the
 * node's, so `kubectl logs` and the API server's `pods/log` read it.
 */
export async function servePodLogs(
  kc: KubeConfig,
  o: {
    namespace: string;
    pod: string;
    logs: { containers: string[]; file: string; previousFile?: string }[];
  },
): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: 'kwok.x-k8s.io',
    version: 'v1alpha1',
    namespace: o.namespace,
    plural: 'logs',
    body: {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'Logs',
      metadata: { name: o.pod, namespace: o.namespace },
      spec: {
        logs: o.logs.map((l) => ({
          containers: l.containers,
          logsFile: l.file,
          ...(l.previousFile ? { previousLogsFile: l.previousFile } : {}),
          follow: true,
        })),
      },
    },
  });
}

/**
 * Makes kwok answer an attach to a fake pod (`kubectl attach`): an `Attach` resource named
 * after the pod whose containers (all when none are named) stream the CRI log lines appended
 * to `file` after the attach began (kwok follows the file from its end; stdin is read and
 * dropped).
 */
export async function serveAttach(
  kc: KubeConfig,
  o: { namespace: string; pod: string; containers?: string[]; file: string },
): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: 'kwok.x-k8s.io',
    version: 'v1alpha1',
    namespace: o.namespace,
    plural: 'attaches',
    body: {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'Attach',
      metadata: { name: o.pod, namespace: o.namespace },
      spec: { attaches: [{ ...(o.containers ? { containers: o.containers } : {}), logsFile: o.file }] },
    },
  });
}
