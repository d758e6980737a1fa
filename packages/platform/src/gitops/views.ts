import { z } from 'zod';
import { SYNC_PHASES, SYNC_SOURCES, SYNC_STATUSES, short } from './machine.ts';
import type { Observed, SyncError } from './runner.ts';
import type { ClusterGitopsRow, RepositoryRow, SyncRunRow } from './tables.ts';

export const syncErrorSchema = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  path: z.string().optional().describe('the field path in the definition'),
  hint: z.string().optional().describe('did-you-mean or an example'),
});

export const syncRunSchema = z
  .object({
    id: z.string(),
    status: z.enum(['success', 'failed', 'running']),
    source: z.enum(SYNC_SOURCES),
    phase: z.string(),
    message: z.string(),
    commit_sha: z.string().nullable(),
    commit_url: z.string().nullable().describe('the commit on the provider’s web site, when known'),
    repository_url: z.string().nullable(),
    branch: z.string().nullable(),
    started_at: z.string(),
    finished_at: z.string().nullable(),
    triggered_by: z.string().describe('a user name, an API token’s name, or the provider'),
    triggered_by_kind: z.enum(['user', 'token', 'provider']),
    retry_count: z.number().int(),
    error_count: z.number().int(),
    errors: z.array(syncErrorSchema),
    changed_members: z.array(z.string()).describe('members sent to the agent'),
    operation_id: z.string().nullable(),
  })
  .meta({ id: 'SyncRun' });
export type SyncRunView = z.infer<typeof syncRunSchema>;

export function syncRunView(r: SyncRunRow): SyncRunView {
  return {
    id: r.id,
    status: r.status as SyncRunView['status'],
    source: r.source as SyncRunView['source'],
    phase: r.phase,
    message: r.message,
    commit_sha: r.commit_sha,
    commit_url: r.commit_url,
    repository_url: r.repository_url,
    branch: r.branch,
    started_at: new Date(r.started_at).toISOString(),
    finished_at: r.finished_at ? r.finished_at.toISOString() : null,
    triggered_by: r.triggered_by,
    triggered_by_kind: r.triggered_by_kind as SyncRunView['triggered_by_kind'],
    retry_count: r.retry_count,
    error_count: r.error_count,
    errors: JSON.parse(r.errors) as SyncError[],
    changed_members: JSON.parse(r.changed_members) as string[],
    operation_id: r.operation_id,
  };
}

export const gitopsStatusSchema = z
  .object({
    cluster_id: z.string(),
    status: z.enum(SYNC_STATUSES),
    phase: z.enum(SYNC_PHASES).nullable(),
    message: z.string(),
    retry_count: z.number().int(),
    repository: z
      .object({
        id: z.string(),
        provider: z.string(),
        url: z.string(),
        full_name: z.string(),
        branch: z.string(),
        path: z.string().describe('the ImportCluster file in the repository'),
        credential_name: z.string().nullable(),
        head_commit: z.string().nullable().describe('the branch head last seen (poll or webhook)'),
        polled_at: z.string().nullable(),
      })
      .nullable()
      .describe('the repository as configured'),
    commits: z.object({
      syncing: z.string().nullable(),
      pending: z.string().nullable().describe('`HEAD` when the waiting sync takes the branch head'),
      synced: z.string().nullable(),
    }),
    observed: z
      .object({
        provider: z.string(),
        url: z.string(),
        branch: z.string(),
        path: z.string(),
        commit: z.string(),
        commit_url: z.string().nullable(),
      })
      .nullable()
      .describe('what the last sync really read'),
    warnings: z.array(z.string()).describe('where what was read is not what is configured'),
    updated_at: z.string(),
  })
  .meta({ id: 'GitopsStatus' });
export type GitopsStatusView = z.infer<typeof gitopsStatusSchema>;

/** Where what was read differs from what is configured (pure). */
export function mismatchWarnings(
  configured: { url: string; branch: string; fullName: string } | undefined,
  observed: Observed | undefined,
  head: string | null,
  synced: string | null,
  clusterName: string,
): string[] {
  const out: string[] = [];
  if (!configured || !observed) return out;
  if (observed.url !== configured.url || observed.branch !== configured.branch)
    out.push(
      `the last sync read ${observed.url}@${observed.branch}; the cluster is configured for ${configured.url}@${configured.branch}`,
    );
  const d = observed.definition;
  if (d) {
    if (d.cluster !== clusterName)
      out.push(
        `the file at ${short(observed.commit)} defines cluster ${JSON.stringify(d.cluster)}, not ${JSON.stringify(clusterName)}`,
      );
    if (d.branch && d.branch !== configured.branch)
      out.push(
        `the file at ${short(observed.commit)} names branch ${JSON.stringify(d.branch)}; the cluster follows ${JSON.stringify(configured.branch)} (re-import to change it)`,
      );
    if (d.repository && d.repository !== configured.url && d.repository !== configured.fullName)
      out.push(
        `the file at ${short(observed.commit)} names repository ${JSON.stringify(d.repository)}; the cluster follows ${configured.url} (re-import to change it)`,
      );
  }
  if (head && synced && head !== synced)
    out.push(`the branch head is ${short(head)} but the cluster is synced to ${short(synced)}`);
  return out;
}

export function gitopsStatusView(
  row: ClusterGitopsRow,
  repo: RepositoryRow | undefined,
  clusterName: string,
  commitLink: (o: Observed) => string | undefined,
): GitopsStatusView {
  const observed = row.observed ? (JSON.parse(row.observed) as Observed) : undefined;
  return {
    cluster_id: row.cluster_id,
    status: row.status as GitopsStatusView['status'],
    phase: row.phase as GitopsStatusView['phase'],
    message: row.message,
    retry_count: row.retry_count,
    repository: repo
      ? {
          id: repo.id,
          provider: repo.provider,
          url: repo.url,
          full_name: repo.full_name,
          branch: repo.branch,
          path: row.path,
          credential_name: repo.credential_name,
          head_commit: repo.head_commit,
          polled_at: repo.polled_at ? repo.polled_at.toISOString() : null,
        }
      : null,
    commits: { syncing: row.syncing_commit, pending: row.pending_commit, synced: row.synced_commit },
    observed: observed
      ? {
          provider: observed.provider,
          url: observed.url,
          branch: observed.branch,
          path: observed.path,
          commit: observed.commit,
          commit_url: commitLink(observed) ?? null,
        }
      : null,
    warnings: mismatchWarnings(
      repo ? { url: repo.url, branch: repo.branch, fullName: repo.full_name } : undefined,
      observed,
      repo?.head_commit ?? null,
      row.synced_commit,
      clusterName,
    ),
    updated_at: row.updated_at.toISOString(),
  };
}

export const repositorySchema = z
  .object({
    id: z.string(),
    provider: z.string(),
    url: z.string(),
    full_name: z.string(),
    branch: z.string(),
    credential_name: z.string().nullable(),
    webhook_secret_set: z.boolean(),
    webhook_url: z.string().describe('where the provider sends push events'),
    head_commit: z.string().nullable(),
    head_seen_at: z.string().nullable(),
    polled_at: z.string().nullable(),
    poll_error: z.string().nullable(),
    clusters: z.number().int().describe('clusters this repository feeds'),
  })
  .meta({ id: 'GitRepository' });
export type RepositoryView = z.infer<typeof repositorySchema>;

const WEBHOOK_PATH: Record<string, string> = {
  github: 'github',
  bitbucket_cloud: 'bitbucket-cloud',
  bitbucket_data_center: 'bitbucket-dc',
  git: 'github',
};

export function repositoryView(r: RepositoryRow, clusters: number, publicUrl: string): RepositoryView {
  return {
    id: r.id,
    provider: r.provider,
    url: r.url,
    full_name: r.full_name,
    branch: r.branch,
    credential_name: r.credential_name,
    webhook_secret_set: r.webhook_secret_sealed !== null,
    webhook_url: `${publicUrl}/api/v1/webhooks/${WEBHOOK_PATH[r.provider] ?? 'github'}`,
    head_commit: r.head_commit,
    head_seen_at: r.head_seen_at ? r.head_seen_at.toISOString() : null,
    polled_at: r.polled_at ? r.polled_at.toISOString() : null,
    poll_error: r.poll_error,
    clusters,
  };
}
