import { type Kysely, sql } from 'kysely';

/**
 * The chart catalogue: registries (Helm repositories and OCI registries) per organisation,
 * the charts and versions their background index found (with each version's values,
 * schema and README), and the history of index jobs with a result per version.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('chart_registries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) =>
      c.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('helm', 'oci')`))
    .addColumn('credential_name', 'text')
    .addColumn('excluded_charts', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('charts', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('interval_seconds', 'integer')
    .addColumn('is_default', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('indexing_since', 'timestamptz')
    .addColumn('index_requested', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('last_indexed_at', 'timestamptz')
    .addColumn('last_success_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_index_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('chart_registries_org_name', ['organization_id', 'name'])
    .execute();
  await db.schema
    .createTable('catalogue_seeds')
    .addColumn('organization_id', 'text', (c) =>
      c.primaryKey().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('seeded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('catalogue_charts')
    .addColumn('registry_id', 'text', (c) =>
      c.notNull().references('chart_registries.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('icon', 'text')
    .addColumn('home', 'text')
    .addColumn('latest_version', 'text')
    .addColumn('app_version', 'text')
    .addColumn('deprecated', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('version_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('catalogue_charts_pk', ['registry_id', 'name'])
    .execute();
  await db.schema
    .createIndex('catalogue_charts_name')
    .on('catalogue_charts')
    .expression(sql`lower(name)`)
    .execute();
  await db.schema
    .createTable('catalogue_versions')
    .addColumn('registry_id', 'text', (c) =>
      c.notNull().references('chart_registries.id').onDelete('cascade'),
    )
    .addColumn('chart', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('app_version', 'text')
    .addColumn('description', 'text')
    .addColumn('deprecated', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('digest', 'text')
    .addColumn('source_digest', 'text')
    .addColumn('created', 'text')
    .addColumn('urls', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending', 'indexed', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('error', 'text')
    .addColumn('values_yaml', 'text')
    .addColumn('values_schema', 'text')
    .addColumn('readme', 'text')
    .addColumn('indexed_at', 'timestamptz')
    .addPrimaryKeyConstraint('catalogue_versions_pk', ['registry_id', 'chart', 'version'])
    .execute();
  await db.schema
    .createTable('catalogue_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('registry_id', 'text', (c) =>
      c.notNull().references('chart_registries.id').onDelete('cascade'),
    )
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('running', 'success', 'unchanged', 'partial', 'failed')`),
    )
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('error', 'text')
    .addColumn('charts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('versions_indexed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('versions_failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('versions_removed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('versions_unchanged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('downloads', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('versions', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema
    .createIndex('catalogue_jobs_registry')
    .on('catalogue_jobs')
    .columns(['registry_id', 'started_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'catalogue_jobs',
    'catalogue_versions',
    'catalogue_charts',
    'catalogue_seeds',
    'chart_registries',
  ])
    await db.schema.dropTable(t).execute();
}
