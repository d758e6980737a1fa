import { type Kysely, sql } from 'kysely';

/**
 * A draft being published is `publishing`: the publish that moved it there from `open` (a
 * conditional UPDATE on its state and revision) is the only one that commits it, in every
 * replica; another is a 409 until it is `published`, or `open` again after a failure.
 * `publishing_since` lets a publish whose process died be taken over after a while.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table stack_drafts drop constraint if exists stack_drafts_state_check`.execute(db);
  await sql`alter table stack_drafts add constraint stack_drafts_state_check check (state in ('open', 'publishing', 'published'))`.execute(
    db,
  );
  await db.schema.alterTable('stack_drafts').addColumn('publishing_since', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('stack_drafts').dropColumn('publishing_since').execute();
  await sql`update stack_drafts set state = 'open' where state = 'publishing'`.execute(db);
  await sql`alter table stack_drafts drop constraint if exists stack_drafts_state_check`.execute(db);
  await sql`alter table stack_drafts add constraint stack_drafts_state_check check (state in ('open', 'published'))`.execute(
    db,
  );
}
