import { sql } from 'kysely';
import type { AgentPrincipal } from '../auth/principal.ts';
import type { Database } from '../db/types.ts';
import { WriteBatcher } from '../db/writeBatcher.ts';
import type { CheckInReport } from './hooks.ts';

/** The cluster a check-in was recorded for. */
export interface CheckedIn {
  id: string;
  organization_id: string;
  name: string;
  last_check_in: Date | null;
  agent_token_hash: string;
}

interface Pending {
  agent: AgentPrincipal;
  report: CheckInReport;
  at: Date;
  settle: (row: CheckedIn | undefined, err?: unknown) => void;
}

/**
 * Records agents' check-ins (versions, node count, region, public IP, the time) in batches: the
 * check-ins that arrive within `flushMs` are one `UPDATE … FROM (VALUES …)`, a single statement
 * and commit instead of one per agent (2,000 agents every 15 s are 133 check-ins a second). The
 * statement is also the agent's authentication: a row is written only for a token that is a live
 * cluster's current one. Each check-in waits for its batch's write and answers its cluster's row,
 * or undefined when the token is no cluster's (unknown, replaced, or its cluster deleted).
 */
export class CheckInWriter {
  readonly #batcher: WriteBatcher<Pending, void>;

  constructor(db: Database, o: { flushMs?: number; maxBatch?: number } = {}) {
    this.#batcher = new WriteBatcher<Pending, void>({
      flushMs: o.flushMs ?? 50,
      maxBatch: o.maxBatch ?? 500,
      write: async (batch) => {
        const rows = await writeCheckIns(db, batch);
        const byToken = new Map(rows.map((r) => [r.agent_token_hash, r]));
        for (const p of batch) p.settle(byToken.get(p.agent.tokenHash));
      },
      onError: (err, batch) => {
        for (const p of batch) p.settle(undefined, err);
      },
    });
  }

  record(agent: AgentPrincipal, report: CheckInReport, at: Date): Promise<CheckedIn | undefined> {
    return new Promise((resolve, reject) => {
      this.#batcher.push({ agent, report, at, settle: (row, err) => (err ? reject(err) : resolve(row)) });
    });
  }

  /** Writes what is queued (before the database closes). */
  flush(): Promise<void> {
    return this.#batcher.flush();
  }
}

async function writeCheckIns(db: Database, batch: Pending[]): Promise<CheckedIn[]> {
  // region and public_ip are written only when the agent reported them (undefined keeps the stored one)
  const values = sql.join(
    batch.map(
      ({ agent, report: r, at }) =>
        sql`(${agent.tokenHash}, ${r.agent_version}, ${r.kubernetes_version}, ${r.node_count}::integer, ${r.region ?? null}, ${r.region !== undefined}::boolean, ${r.public_ip ?? null}, ${r.public_ip !== undefined}::boolean, ${at}::timestamptz)`,
    ),
  );
  const { rows } = await sql<CheckedIn>`
    update clusters as c set
      agent_version = v.agent_version,
      kubernetes_version = v.kubernetes_version,
      node_count = v.node_count,
      region = case when v.set_region then v.region else c.region end,
      public_ip = case when v.set_public_ip then v.public_ip else c.public_ip end,
      agent_connected = true,
      last_check_in = v.at,
      updated_at = v.at
    from (values ${values}) as v(token_hash, agent_version, kubernetes_version, node_count, region, set_region, public_ip, set_public_ip, at)
    where c.agent_token_hash = v.token_hash and c.deleted_at is null
    returning c.id, c.organization_id, c.name, c.last_check_in, c.agent_token_hash`.execute(db);
  return rows;
}
