import { asArray, asNumber, asRecord, asString, condition, field, strField } from './read.ts';
import type { HealthResult, K8sObject } from './types.ts';

/** A waiting reason that means the container will not start without a change (Err*, *Error, *BackOff). */
export function isFailingWaitingReason(reason: string): boolean {
  return (
    reason.startsWith('Err') ||
    reason.endsWith('Error') ||
    reason.endsWith('BackOff') ||
    reason === 'InvalidImageName'
  );
}

type ContainerStatus = {
  name: string;
  waitingReason?: string;
  waitingMessage?: string;
  terminated?: { reason?: string; message?: string; exitCode?: number };
  lastTerminated: boolean;
};

function containerStatuses(
  obj: K8sObject,
  key: 'containerStatuses' | 'initContainerStatuses',
): ContainerStatus[] {
  return asArray(field(obj, 'status', key)).map((raw) => {
    const c = asRecord(raw) ?? {};
    const waiting = asRecord(field(c, 'state', 'waiting'));
    const terminated = asRecord(field(c, 'state', 'terminated'));
    return {
      name: asString(c.name) ?? '',
      waitingReason: asString(waiting?.reason),
      waitingMessage: asString(waiting?.message),
      terminated: terminated
        ? {
            reason: asString(terminated.reason),
            message: asString(terminated.message),
            exitCode: asNumber(terminated.exitCode),
          }
        : undefined,
      lastTerminated: asRecord(field(c, 'lastState', 'terminated')) !== undefined,
    };
  });
}

function failMessage(c: ContainerStatus): string {
  const t = c.terminated;
  if (!t) return '';
  if (t.message) return t.message;
  if (t.reason === 'OOMKilled') return `container "${c.name}" was OOMKilled`;
  if (t.exitCode !== undefined && t.exitCode !== 0)
    return `container "${c.name}" failed with exit code ${t.exitCode}`;
  return '';
}

/**
 * Pod, after gitops-engine's `getCorev1PodHealth`.
 *
 * With `restartPolicy: Always` (the default) a container waiting with a failing reason (CrashLoopBackOff,
 * ImagePullBackOff, ErrImagePull, CreateContainerConfigError...) makes the pod Degraded. Pods with
 * `OnFailure`/`Never` are finite (jobs, hooks): such waits are not judged, and while running they are
 * Progressing. Phases: Pending → Progressing, Succeeded → Healthy, Failed → Degraded,
 * Running → Healthy when Ready, Degraded when not ready after a container terminated, else Progressing.
 */
export function podHealth(obj: K8sObject): HealthResult {
  const restartPolicy = strField(obj, 'spec', 'restartPolicy') ?? 'Always';
  const phase = strField(obj, 'status', 'phase');
  const podMessage = strField(obj, 'status', 'message') ?? '';
  const init = containerStatuses(obj, 'initContainerStatuses');
  const main = containerStatuses(obj, 'containerStatuses');

  if (restartPolicy === 'Always' && phase !== 'Succeeded' && phase !== 'Failed') {
    const failing = [...init, ...main].filter(
      (c) => c.waitingReason && isFailingWaitingReason(c.waitingReason),
    );
    if (failing.length > 0) {
      return {
        status: 'Degraded',
        message: failing
          .map(
            (c) =>
              `container "${c.name}": ${c.waitingReason}${c.waitingMessage ? `: ${c.waitingMessage}` : ''}`,
          )
          .join(', '),
      };
    }
  }

  switch (phase) {
    case 'Pending': {
      const scheduled = condition(obj, 'PodScheduled');
      if (scheduled?.status === 'False') {
        return {
          status: 'Progressing',
          message: `Pod is not scheduled: ${scheduled.message ?? scheduled.reason ?? ''}`,
        };
      }
      const waiting = [...init, ...main].find((c) => c.waitingReason);
      const detail = waiting ? `: container "${waiting.name}" ${waiting.waitingReason}` : '';
      return { status: 'Progressing', message: podMessage || `Pod is pending${detail}` };
    }
    case 'Succeeded':
      return { status: 'Healthy', message: podMessage || 'Pod completed successfully' };
    case 'Failed': {
      if (podMessage) return { status: 'Degraded', message: podMessage };
      for (const c of [...init, ...main]) {
        const msg = failMessage(c);
        if (msg) return { status: 'Degraded', message: msg };
      }
      return { status: 'Degraded', message: 'Pod failed' };
    }
    case 'Running': {
      if (restartPolicy !== 'Always') {
        return { status: 'Progressing', message: podMessage || 'Pod is running to completion' };
      }
      if (condition(obj, 'Ready')?.status === 'True') {
        return { status: 'Healthy', message: podMessage || 'Pod is running and ready' };
      }
      const restarted = main.find((c) => c.lastTerminated);
      if (restarted) {
        return {
          status: 'Degraded',
          message:
            podMessage || `Pod is not ready: container "${restarted.name}" has terminated and restarted`,
        };
      }
      return { status: 'Progressing', message: podMessage || 'Pod is running but not ready' };
    }
    default:
      return { status: 'Unknown', message: podMessage || `Pod phase is ${phase ?? 'not reported'}` };
  }
}
