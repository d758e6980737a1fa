import { randomUUID } from 'node:crypto';
import { InProcessBus } from '@mooring/bus';
import { Kysely } from 'kysely';
import pino from 'pino';
import type { UserPrincipal } from '../../src/auth/principal.ts';
import { createDialect } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import type { Database, Tables } from '../../src/db/types.ts';
import { type OperationObserver, OperationsService } from '../../src/operations/service.ts';

/** An in-memory database with one organisation and clusters, the operations service on an in-process bus, a movable clock. */
export async function operationsFixture(clusters = 2) {
  const logger = pino({ level: 'silent' });
  const db: Database = new Kysely<Tables>({ dialect: await createDialect({ kind: 'pglite' }, logger) });
  await migrateToLatest(db, logger);
  const orgId = randomUUID();
  await db
    .insertInto('organizations')
    .values({ id: orgId, name: `org-${orgId.slice(0, 8)}` })
    .execute();
  const clusterIds: string[] = [];
  const newCluster = async () => {
    const id = randomUUID();
    clusterIds.push(id);
    await db
      .insertInto('clusters')
      .values({
        id,
        organization_id: orgId,
        name: `c-${id}`,
        description: '',
        definition_path: 'cluster.yaml',
        agent_token_hash: randomUUID(),
      })
      .execute();
    await db
      .insertInto('cluster_definitions')
      .values({ cluster_id: id, definition_text: 'x', definition_files: '{}' })
      .execute();
    return id;
  };
  for (let i = 0; i < clusters; i++) await newCluster();
  let offset = 0;
  const clock = () => new Date(Date.now() + offset);
  const bus = new InProcessBus();
  const finished: { type: string; state: string }[] = [];
  const observer: OperationObserver = { finished: (o) => finished.push({ type: o.type, state: o.state }) };
  const operations = new OperationsService({ db, clock, bus, logger, observer });
  const principal: UserPrincipal = {
    kind: 'user',
    userId: 'u1',
    organizationId: orgId,
    username: 'op',
    role: 'operator',
    userRole: 'operator',
    tokenId: 't1',
    tokenKind: 'api',
    scopes: ['read', 'write'],
  };
  return {
    db,
    bus,
    operations,
    clusterIds,
    newCluster,
    orgId,
    principal,
    finished,
    clock,
    advance: (seconds: number) => {
      offset += seconds * 1000;
    },
    close: async () => {
      await bus.close();
      await db.destroy();
    },
  };
}
