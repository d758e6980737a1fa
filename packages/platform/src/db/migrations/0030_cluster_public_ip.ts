import type { Kysely } from 'kysely';

/** The public egress IP an agent reports at check-in (`public_ip.reporting_enabled`), for the fleet map. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('clusters').addColumn('public_ip', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('clusters').dropColumn('public_ip').execute();
}
