import type { AddonMember } from '@mooring/core';
import { ociScheme } from '@mooring/helm';
import { hashLabel, LABEL_CLUSTER, LABEL_HASH, LABEL_MEMBER, LABEL_STACK } from '../context.ts';
import type { DeletionMode } from './client.ts';
import type { Application, AppProject, Repository } from './types.ts';

/** Argo CD's finalizer that makes deleting an Application delete its resources. */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';
/** The in-cluster destination as Argo CD names it. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';
/** Marks an Application as written by Mooring's argocd engine. */
export const MANAGED_BY = 'app.kubernetes.io/managed-by';

export interface ApplicationInput {
  /** The cluster's id (labels the Application). */
  cluster: string;
  addon: AddonMember;
  /** The member's content hash (an annotation: an Application with the same hash is unchanged). */
  hash: string;
  /** Values YAML as Helm should get it (SOPS already decrypted). */
  values: string;
  /** Argo CD's namespace for Applications. */
  namespace: string;
  /** The AppProject (default `default`). */
  project?: string;
  /** What deleting the Application does to its resources (its finalizer). */
  deletion: DeletionMode;
}

/** The finalizers of an Application for a deletion mode. */
export function finalizersFor(mode: DeletionMode): string[] {
  if (mode === 'foreground') return [RESOURCES_FINALIZER];
  if (mode === 'background') return [`${RESOURCES_FINALIZER}/background`];
  return [];
}

/** `sync_options` with `CreateNamespace=true` (namespaces are made by Argo CD with managed metadata). */
function syncOptions(given: string[]): string[] {
  const out = given.filter((o) => o.split('=')[0] !== 'CreateNamespace');
  return ['CreateNamespace=true', ...out];
}

/** The repository URL Argo CD wants: Helm OCI charts are named without the `oci://` scheme. */
export function repoUrlOf(a: AddonMember): string {
  const u = a.chart.registry.url.replace(/\/+$/, '');
  return a.chart.registry.oci ? u.replace(/^oci:\/\//, '') : u;
}

/**
 * The Application for one add-on (pure): a Helm source from the add-on's
 * registry (a Helm repository or OCI), its values, the add-on's namespace as
 * destination (created by Argo CD with `managedNamespaceMetadata`), the sync
 * policy, retry, ignore rules and history limit of its settings.
 */
export function applicationFor(i: ApplicationInput): Application {
  const a = i.addon;
  const s = a.settings;
  const r = s.retryPolicy;
  const labels = {
    [LABEL_CLUSTER]: i.cluster,
    [LABEL_STACK]: a.stack,
    [LABEL_MEMBER]: a.name,
    [MANAGED_BY]: 'mooring',
  };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: a.name,
      namespace: i.namespace,
      labels,
      annotations: { [LABEL_HASH]: hashLabel(i.hash) },
      finalizers: finalizersFor(i.deletion),
    },
    spec: {
      project: i.project ?? 'default',
      source: {
        repoURL: repoUrlOf(a),
        chart: a.chart.name,
        targetRevision: a.chart.version,
        helm: { releaseName: a.name, ...(i.values.trim() ? { values: i.values } : {}) },
      },
      destination: { server: IN_CLUSTER, namespace: a.namespace },
      syncPolicy: {
        ...(s.syncPolicy.automated
          ? { automated: { prune: s.syncPolicy.autoPrune, selfHeal: s.syncPolicy.selfHeal } }
          : {}),
        syncOptions: syncOptions(s.syncPolicy.syncOptions),
        managedNamespaceMetadata: { labels: { [LABEL_CLUSTER]: i.cluster, [MANAGED_BY]: 'mooring' } },
        ...(r.limit > 0
          ? {
              retry: {
                limit: r.limit,
                backoff: {
                  duration: `${r.backoffDuration.seconds}s`,
                  factor: r.backoffFactor,
                  maxDuration: `${r.backoffMax.seconds}s`,
                },
              },
            }
          : {}),
      },
      ...(s.ignoreDifferences.length > 0
        ? {
            ignoreDifferences: s.ignoreDifferences.map((d) => ({
              ...(d.group !== undefined ? { group: d.group } : {}),
              kind: d.kind,
              ...(d.name !== undefined ? { name: d.name } : {}),
              ...(d.namespace !== undefined ? { namespace: d.namespace } : {}),
              ...(d.jsonPointers.length ? { jsonPointers: d.jsonPointers } : {}),
              ...(d.jqPathExpressions.length ? { jqPathExpressions: d.jqPathExpressions } : {}),
              ...(d.managedFieldsManagers.length ? { managedFieldsManagers: d.managedFieldsManagers } : {}),
            })),
          }
        : {}),
      revisionHistoryLimit: s.revisionHistoryLimit,
    },
  };
}

/**
 * The repository connection Argo CD needs for an add-on's chart (pure), or
 * undefined for a public Helm repository: OCI registries are declared (plain
 * HTTP for loopback registries, as the native engine speaks to them), and so
 * are registries with credentials (username and password).
 */
export function repositoryFor(
  a: AddonMember,
  credentials: { username: string; password: string } | { token: string } | undefined,
): Repository | undefined {
  const oci = a.chart.registry.oci;
  const basic = credentials && 'username' in credentials ? credentials : undefined;
  if (!oci && !basic) return undefined;
  const repo = repoUrlOf(a);
  const host = repo.replace(/^https?:\/\//, '').split('/')[0] ?? '';
  return {
    repo,
    type: 'helm',
    name: a.chart.registry.name,
    ...(oci
      ? { enableOCI: true, ...(ociScheme(host) === 'http' ? { insecureOCIForceHttp: true } : {}) }
      : {}),
    ...(basic ? { username: basic.username, password: basic.password } : {}),
  };
}

/** The AppProject of an add-on with a sync window: its name (`mooring-<add-on>`). */
export function windowProjectName(addon: string): string {
  return `mooring-${addon}`.slice(0, 253);
}

/**
 * The AppProject that carries an add-on's sync window (pure): Argo CD syncs
 * (automated and self-heal) only while the window is open; manual syncs too.
 * Undefined when the add-on has no enabled window (its Application is in the
 * `default` project, or the one configured).
 */
export function windowProjectFor(cluster: string, a: AddonMember): AppProject | undefined {
  const w = a.settings.syncWindow;
  if (!w?.enabled || !w.schedule || !w.duration) return undefined;
  return {
    metadata: {
      name: windowProjectName(a.name),
      labels: { [LABEL_CLUSTER]: cluster, [LABEL_MEMBER]: a.name, [MANAGED_BY]: 'mooring' },
    },
    spec: {
      description: `Mooring: the sync window of add-on ${a.name}`,
      sourceRepos: ['*'],
      destinations: [{ server: IN_CLUSTER, namespace: '*' }],
      clusterResourceWhitelist: [{ group: '*', kind: '*' }],
      syncWindows: [
        {
          kind: 'allow',
          schedule: w.schedule,
          duration: `${w.duration.seconds}s`,
          applications: [a.name],
          timeZone: w.timezone,
          manualSync: false,
        },
      ],
    },
  };
}

/** True when the controller's last comparison was against this spec's source (its status is about it). */
export function comparedWithSpec(app: Application): boolean {
  const c = app.status?.sync?.comparedTo?.source;
  const s = app.spec.source;
  if (!c) return false;
  return (
    c.repoURL === s.repoURL &&
    c.chart === s.chart &&
    c.targetRevision === s.targetRevision &&
    (c.helm?.values ?? '') === (s.helm?.values ?? '')
  );
}
