import type { Kysely } from 'kysely';

/** Each member's drifted objects as the agent last reported them (JSON: ref, missing, fields, text). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('addon_states').addColumn('drift', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('addon_states').dropColumn('drift').execute();
}
