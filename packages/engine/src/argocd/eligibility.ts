import { hasHealthRule } from '@mooring/core';
import type { Application } from './types.ts';

/**
 * Kinds that carry no health of their own (Argo CD gives them none either): they
 * need no rule, so they never flag an add-on in the migration preview.
 */
const NO_HEALTH = new Set([
  '/ConfigMap',
  '/Secret',
  '/ServiceAccount',
  '/Endpoints',
  '/LimitRange',
  '/ResourceQuota',
  'discovery.k8s.io/EndpointSlice',
  'rbac.authorization.k8s.io/Role',
  'rbac.authorization.k8s.io/RoleBinding',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'networking.k8s.io/NetworkPolicy',
  'networking.k8s.io/IngressClass',
  'storage.k8s.io/StorageClass',
  'scheduling.k8s.io/PriorityClass',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
]);

/** One kind among an add-on's live objects, and whether the native engine has a health rule for it. */
export interface KindCoverage {
  group: string;
  kind: string;
  count: number;
  /** `rule`: a dedicated rule; `none-needed`: a kind without health; `generic`: only the generic conditions rule. */
  coverage: 'rule' | 'none-needed' | 'generic';
}

/** Whether one add-on on Argo CD can move to the native engine now, and what to look at first. */
export interface MigrationEligibility {
  addon: string;
  namespace: string;
  /** The Application's name, when Mooring wrote one for this cluster. */
  application?: string;
  eligible: boolean;
  /** Why it cannot move now (an in-flight sync, a multi-source Application, no Application). */
  blockers: string[];
  /** What to check (kinds the native engine judges only by their conditions). */
  warnings: string[];
  kinds: KindCoverage[];
  inFlightSync: boolean;
  multiSource: boolean;
  sync?: string;
  health?: string;
}

/** True while Argo CD runs (or is about to run) a sync of the Application. */
export function syncInFlight(app: Application): boolean {
  const phase = app.status?.operationState?.phase;
  return !!app.operation || phase === 'Running' || phase === 'Terminating';
}

/** The eligibility of one add-on from its Application (pure). */
export function migrationEligibility(
  a: { name: string; namespace: string; chart?: { name: string; version: string } },
  app: Application | undefined,
): MigrationEligibility {
  const out: MigrationEligibility = {
    addon: a.name,
    namespace: a.namespace,
    eligible: false,
    blockers: [],
    warnings: [],
    kinds: [],
    inFlightSync: false,
    multiSource: false,
  };
  if (!app) {
    out.blockers.push('no Argo CD Application of this add-on for this cluster');
    return out;
  }
  out.application = app.metadata.name;
  out.sync = app.status?.sync?.status;
  out.health = app.status?.health?.status;
  out.inFlightSync = syncInFlight(app);
  out.multiSource = (app.spec.sources?.length ?? 0) > 0;
  if (out.inFlightSync)
    out.blockers.push(
      `an Argo CD sync is in flight (${app.status?.operationState?.phase ?? 'requested'}): wait until it settles`,
    );
  if (out.multiSource) {
    // the native engine takes the chart from the add-on's registry and its values from the
    // definition (values_files layered): migratable when one source is the add-on's chart
    const sources = app.spec.sources!;
    const chartSource =
      a.chart && sources.find((s) => s.chart === a.chart!.name && s.targetRevision === a.chart!.version);
    if (chartSource)
      out.warnings.push(
        `multi-source Application (${sources.length} sources): the native engine renders chart ${a.chart!.name} ${a.chart!.version} with the definition's values (values_files); check they match the Application's value files`,
      );
    else
      out.blockers.push(
        `multi-source Application (${sources.length} sources) with no source of the add-on's chart${a.chart ? ` (${a.chart.name} ${a.chart.version})` : ''}: give the add-on the same chart first`,
      );
  }
  const counts = new Map<string, KindCoverage>();
  for (const r of app.status?.resources ?? []) {
    const group = r.group ?? '';
    const key = `${group}/${r.kind}`;
    const seen = counts.get(key);
    if (seen) {
      seen.count++;
      continue;
    }
    const apiVersion = group ? `${group}/${r.version ?? 'v1'}` : (r.version ?? 'v1');
    const coverage = hasHealthRule(apiVersion, r.kind)
      ? 'rule'
      : NO_HEALTH.has(key)
        ? 'none-needed'
        : 'generic';
    counts.set(key, { group, kind: r.kind, count: 1, coverage });
  }
  out.kinds = [...counts.values()].sort((x, y) =>
    `${x.group}/${x.kind}`.localeCompare(`${y.group}/${y.kind}`),
  );
  for (const k of out.kinds)
    if (k.coverage === 'generic')
      out.warnings.push(
        `${k.kind}${k.group ? `.${k.group}` : ''}: no health rule in the native engine; judged by its Ready/Available conditions`,
      );
  out.eligible = out.blockers.length === 0;
  return out;
}
