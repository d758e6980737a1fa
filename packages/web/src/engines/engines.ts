import type { EligibilityView, EnginesView, KindCoverage, Migration, MigrationReport } from '../api/types.ts';

/** The engines tab's pure parts: what is offered, what a report says, what a migration counts. */

export const ENGINE_LABEL: Record<string, string> = { native: 'Native', argocd: 'Argo CD' };

export const SOURCE_LABEL: Record<string, string> = {
  file: 'the definition',
  default: 'the cluster default',
  migration: 'a migration',
};

/** What set an add-on's engine: a migration back to Argo CD reads as a roll back. */
export function sourceLabel(a: EnginesView['addons'][number]): string {
  if (a.source === 'migration' && a.engine === 'argocd') return 'a roll back';
  return SOURCE_LABEL[a.source] ?? a.source;
}

export const COVERAGE_LABEL: Record<KindCoverage, string> = {
  rule: 'health rule',
  'none-needed': 'no health needed',
  generic: 'generic health only',
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The add-ons still on Argo CD. */
export function onArgocd(v: EnginesView): string[] {
  return v.addons.filter((a) => a.engine === 'argocd').map((a) => a.name);
}

/** An add-on can go back to Argo CD when a migration moved it and Argo CD was not decommissioned. */
export function canRollBack(v: EnginesView, addon: string): boolean {
  const a = v.addons.find((x) => x.name === addon);
  return !!a && !v.decommissioned_at && a.engine === 'native' && a.source === 'migration';
}

/** Migration to native is offered while an add-on runs on Argo CD and Argo CD was not decommissioned. */
export function canMigrate(v: EnginesView): boolean {
  return !v.decommissioned_at && onArgocd(v).length > 0;
}

/**
 * The decommission section: shown while Argo CD is connected and not decommissioned; `offered`
 * when no add-on runs on it, else `remaining` names those that are migrated first.
 */
export function decommissionState(
  v: EnginesView,
): { show: false } | { show: true; offered: boolean; remaining: string[] } {
  if (v.decommissioned_at || !v.argocd_connected) return { show: false };
  return { show: true, offered: v.decommission_offered, remaining: onArgocd(v) };
}

/** The body of `POST /migrations` for the chosen add-ons: none named when every eligible one is chosen and none is blocked. */
export function migrationBody(
  report: EligibilityView,
  chosen: ReadonlySet<string>,
  concurrency: number,
): { addons?: string[]; concurrency: number } {
  const names = report.addons.filter((a) => a.eligible && chosen.has(a.addon)).map((a) => a.addon);
  const all = report.addons.every((a) => a.eligible && chosen.has(a.addon));
  return all ? { concurrency } : { addons: names, concurrency };
}

/** What moving one add-on did, in a line: objects replaced (none is the goal), Pods kept, metadata changed. */
export function reportSummary(r: MigrationReport | null): string {
  if (!r) return '';
  const parts: string[] = [];
  if (r.already) parts.push('already there');
  const replaced = r.replaced ?? [];
  parts.push(replaced.length ? `replaced: ${replaced.join(', ')}` : 'no object replaced');
  const before = r.pods_before ?? [];
  const after = new Set(r.pods_after ?? []);
  const kept = before.filter((p) => after.has(p)).length;
  if (before.length || after.size)
    parts.push(
      kept === before.length && after.size === before.length
        ? `${plural(kept, 'Pod')} kept`
        : `Pods: ${kept} of ${before.length} kept, ${plural(after.size, 'Pod')} now`,
    );
  const meta = r.metadata_changed ?? [];
  if (meta.length) parts.push(`metadata: ${meta.join(', ')}`);
  return parts.join('; ');
}

/** How many of a migration's add-ons are in each state, as a line. */
export function migrationProgress(m: Migration): string {
  const n = { pending: 0, running: 0, succeeded: 0, failed: 0 };
  for (const i of m.items) n[i.state]++;
  const done = n.succeeded + n.failed;
  const rest = [
    n.running ? `${n.running} moving` : '',
    n.pending ? `${n.pending} waiting` : '',
    n.failed ? `${n.failed} failed` : '',
  ].filter(Boolean);
  return `${done} of ${plural(m.items.length, 'add-on')} done${rest.length ? ` (${rest.join(', ')})` : ''}`;
}

/** A migration in words: where to, and why. */
export function migrationTitle(m: Migration): string {
  if (m.direction === 'argocd') return `Back to Argo CD: ${m.items.map((i) => i.addon).join(', ')}`;
  return m.decommission ? 'To native, then decommission Argo CD' : 'To the native engine';
}

export const ITEM_STATE_CLASS: Record<string, string> = {
  pending: 'neutral',
  running: 'warn',
  succeeded: 'good',
  failed: 'bad',
  cancelled: 'neutral',
};
