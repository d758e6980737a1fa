import { type Kysely, sql } from 'kysely';

/**
 * GitOps: Git credentials and webhook secrets (AES-256-GCM, never plaintext), repositories
 * (one per URL and branch, polled once for all the clusters they feed), each cluster's sync
 * state, its sync history, and the webhook deliveries seen (a replay is ignored).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('git_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) =>
      c.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('token', 'basic', 'ssh_key', 'bitbucket_oauth')`),
    )
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addUniqueConstraint('git_credentials_org_name', ['organization_id', 'name'])
    .execute();
  await db.schema
    .createTable('git_repositories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) =>
      c.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('full_name', 'text', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('credential_name', 'text')
    .addColumn('webhook_secret_sealed', 'text')
    .addColumn('head_commit', 'text')
    .addColumn('head_seen_at', 'timestamptz')
    .addColumn('polled_at', 'timestamptz')
    .addColumn('poll_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('git_repositories_org_url_branch', ['organization_id', 'url', 'branch'])
    .execute();
  await db.schema
    .createIndex('git_repositories_full_name')
    .on('git_repositories')
    .expression(sql`lower(full_name)`)
    .execute();
  await db.schema
    .createTable('cluster_gitops')
    .addColumn('cluster_id', 'text', (c) => c.primaryKey().references('clusters.id').onDelete('cascade'))
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('repository_id', 'text', (c) => c.references('git_repositories.id').onDelete('set null'))
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('configured', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('phase', 'text')
    .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('syncing_commit', 'text')
    .addColumn('pending_commit', 'text')
    .addColumn('synced_commit', 'text')
    .addColumn('observed', 'text')
    .addColumn('applied_hashes', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('retry_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('cluster_gitops_repository')
    .on('cluster_gitops')
    .column('repository_id')
    .execute();
  await db.schema
    .createTable('sync_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('cluster_id', 'text', (c) => c.notNull().references('clusters.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('success', 'failed', 'running')`))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('webhook', 'poll', 'manual')`))
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('commit_sha', 'text')
    .addColumn('commit_url', 'text')
    .addColumn('repository_url', 'text')
    .addColumn('branch', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('triggered_by', 'text', (c) => c.notNull())
    .addColumn('triggered_by_kind', 'text', (c) => c.notNull())
    .addColumn('retry_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('errors', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('error_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('changed_members', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('operation_id', 'text')
    .execute();
  await db.schema
    .createIndex('sync_runs_cluster')
    .on('sync_runs')
    .columns(['cluster_id', 'started_at'])
    .execute();
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('webhook_deliveries_pk', ['provider', 'delivery_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'webhook_deliveries',
    'sync_runs',
    'cluster_gitops',
    'git_repositories',
    'git_credentials',
  ])
    await db.schema.dropTable(t).execute();
}
