import { randomUUID } from 'node:crypto';
import type { Bus } from '@mooring/bus';
import { type Compilable, type OperationNodeSource, sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Logger } from 'pino';
import type { UserPrincipal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import type { Database, OperationRow, OperationStepRow } from '../db/types.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { type Page, type PageRequest, toPage } from '../http/pagination.ts';
import {
  type Decision,
  decide,
  idempotencyKey,
  isFinished,
  type OperationEvent,
  type OperationSnapshot,
  type OperationState,
  retryable,
} from './machine.ts';
import {
  activeOperationIds,
  findOperation,
  findStepForResult,
  listOperations,
  type OperationFilter,
  type OperationSortField,
  operationsPastTimeout,
  stepsOf,
} from './queries.ts';
import { type AgentResult, agentResultSchema, defaultStepTimeout } from './results.ts';
import { type OperationDetail, type OperationView, operationDetail, operationView } from './views.ts';

/** The command id of a step's `n`th send: new for each send (the queue de-duplicates ids), under one idempotency key. */
function commandIdOf(idempotencyKey: string, n: number): string {
  return `${idempotencyKey}:send-${n}`;
}

/** What sending a step's command reads of the step. */
type SentStep = Pick<OperationStepRow, 'id' | 'kind' | 'payload' | 'idempotency_key'>;

/** One step of a new operation: a command for the cluster's agent. */
export interface StepInput {
  name: string;
  /** The command kind (`apply`, `sweep`, ...). */
  kind: string;
  payload?: Record<string, unknown>;
  /** Default by kind: apply 1800 s, sweep 300 s, else 600 s. */
  timeoutSeconds?: number;
}

export interface StartInput {
  clusterId: string;
  /** `import`, `apply`, `sync`, `rollback`, `uninstall`, `sweep`. */
  type: string;
  steps: StepInput[];
  payload?: Record<string, unknown>;
  /** A user id, or `scheduler@<instance>`. */
  createdBy: string;
  retryOf?: string;
}

/** What the operations tell others (metrics). */
export interface OperationObserver {
  finished?(op: { id: string; type: string; clusterId: string; state: OperationState }): void;
}

export interface OperationsServiceOptions {
  db: Database;
  clock: Clock;
  bus: Bus;
  logger: Logger;
  observer?: OperationObserver;
  /** Completes a step's payload just before it is sent (e.g. the cluster's engine policy for `apply`). */
  payloadFor?: (
    clusterId: string,
    kind: string,
    payload: Record<string, unknown>,
  ) => Promise<Record<string, unknown>>;
}

/** The stored step machine: start, advance on agent results, time out, cancel, retry, resume at start. */
export class OperationsService {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #bus: Bus;
  readonly #logger: Logger;
  readonly #observer: OperationObserver;
  readonly #payloadFor: OperationsServiceOptions['payloadFor'];
  /** Operations whose command could not be sent (the bus was down): sent again by `checkTimeouts`. */
  readonly #unsent = new Set<string>();

  constructor(o: OperationsServiceOptions) {
    this.#db = o.db;
    this.#clock = o.clock;
    this.#bus = o.bus;
    this.#payloadFor = o.payloadFor;
    this.#logger = o.logger.child({ component: 'operations' });
    this.#observer = o.observer ?? {};
  }

  /** Stores a new operation with its steps and starts it (the first step's command goes out). */
  async start(input: StartInput): Promise<OperationDetail> {
    const { id, organizationId } = await this.begin(input);
    return this.#detail(organizationId, id);
  }

  /**
   * `start` without reading the operation back (the scheduler's sweeps): the operation and its
   * steps in one statement, then the first step's command. Answers its id and organisation.
   */
  async begin(input: StartInput): Promise<{ id: string; organizationId: string }> {
    if (input.steps.length === 0) throw new ValidationError('an operation needs at least one step');
    const id = randomUUID();
    const now = this.#clock();
    const planned = input.steps.map((st, position) => {
      const stepId = `${position + 1}-${st.name.replace(/[^A-Za-z0-9_-]+/g, '-')}`.slice(0, 100);
      return {
        id: stepId,
        position,
        name: st.name,
        kind: st.kind,
        payload: JSON.stringify(st.payload ?? {}),
        timeout: st.timeoutSeconds ?? defaultStepTimeout(st.kind),
        key: idempotencyKey(id, stepId),
      };
    });
    // the start is decided before anything is stored, so the operation is written started (its
    // first step running, its command counted as sent) in the same statement that creates it; a
    // platform stopped before the command leaves sends it again at start (`resumeAll`)
    const d = decide(
      {
        state: 'pending',
        steps: planned.map((st) => ({
          id: st.id,
          state: 'pending',
          startedAt: null,
          timeoutSeconds: st.timeout,
        })),
      },
      { type: 'start' },
      now,
    );
    const changed = new Map(d.steps.map((c) => [c.id, c]));
    const sends = new Set(d.send);
    const rows = planned.map((st) => {
      const c = changed.get(st.id);
      const sent = sends.has(st.id);
      return sql`(${st.id}, ${st.position}::integer, ${st.name}, ${st.kind}, ${st.payload}, ${c?.state ?? 'pending'}, ${c?.startedAt ?? null}::timestamptz, ${st.timeout}::integer, ${st.key}, ${sent ? 1 : 0}::integer, ${sent ? commandIdOf(st.key, 1) : null}, ${c?.message ?? ''})`;
    });
    // one statement, atomic by itself: the operation from the cluster's row (nothing when the
    // cluster is unknown or deleted), its steps and, for a sweep, the cluster's `sweep_schedule`
    const inserted = await sql<{ organization_id: string }>`
      with op as (
        insert into operations (id, organization_id, cluster_id, type, state, payload, created_by, retry_of, message, created_at, updated_at, started_at)
        select ${id}, c.organization_id, c.id, ${input.type}, ${d.operation?.state ?? 'pending'}, ${JSON.stringify(input.payload ?? {})},
          ${input.createdBy}, ${input.retryOf ?? null}, '', ${now}::timestamptz, ${now}::timestamptz, ${d.operation?.startedAt ?? null}::timestamptz
        from clusters c where c.id = ${input.clusterId} and c.deleted_at is null
        returning id, organization_id, cluster_id
      ), steps as (
        insert into operation_steps (operation_id, id, position, name, kind, payload, state, started_at, timeout_seconds, idempotency_key, sends, last_command_id, message)
        select op.id, v.id, v.position, v.name, v.kind, v.payload, v.state, v.started_at, v.timeout_seconds, v.idempotency_key, v.sends, v.last_command_id, v.message
        from op cross join (values ${sql.join(rows)}) as v(id, position, name, kind, payload, state, started_at, timeout_seconds, idempotency_key, sends, last_command_id, message)
      )${
        input.type === 'sweep'
          ? sql`, scheduled as (
        insert into sweep_schedule (cluster_id, last_created_at) select op.cluster_id, ${now}::timestamptz from op
        on conflict (cluster_id) do update set last_created_at = excluded.last_created_at
      )`
          : sql``
      }
      select organization_id from op`
      .execute(this.#db)
      .then((r) => r.rows[0]);
    if (!inserted) throw new NotFoundError('cluster', input.clusterId);
    const op = { id, cluster_id: input.clusterId, type: input.type };
    const log = this.#logger.child({ operation_id: id, cluster_id: input.clusterId, type: input.type });
    (input.type === 'sweep' ? log.debug : log.info).call(log, {}, 'operation created');
    for (const st of planned) {
      if (sends.has(st.id)) {
        await this.#send(
          op,
          { id: st.id, kind: st.kind, payload: st.payload, idempotency_key: st.key },
          commandIdOf(st.key, 1),
          log,
        );
      }
    }
    return { id, organizationId: inserted.organization_id };
  }

  async list(
    p: UserPrincipal,
    filter: OperationFilter,
    page: PageRequest<OperationSortField>,
  ): Promise<Page<OperationView>> {
    const { rows, total, capped } = await listOperations(this.#db, p.organizationId, filter, page);
    return toPage(rows.map(operationView), total, page, capped);
  }

  async get(p: UserPrincipal, id: string): Promise<OperationDetail> {
    return this.#detail(p.organizationId, id);
  }

  /** Cancels a pending or running operation (a command already with the agent may still finish; its result is ignored). */
  async cancel(p: UserPrincipal, id: string): Promise<OperationDetail> {
    const op = await findOperation(this.#db, p.organizationId, id);
    if (!op) throw new NotFoundError('operation', id);
    const d = await this.#transition(id, { type: 'cancel' });
    if (d?.ignored) throw new ConflictError(`cannot cancel: ${d.ignored}`);
    return this.#detail(p.organizationId, id);
  }

  /** Runs a failed, timed-out or cancelled operation again: a new operation with the same steps. */
  async retry(p: UserPrincipal, id: string): Promise<OperationDetail> {
    const op = await findOperation(this.#db, p.organizationId, id);
    if (!op) throw new NotFoundError('operation', id);
    if (!retryable(op.state as OperationState)) {
      throw new ConflictError(
        `only a failed, timed-out or cancelled operation can be retried; this one is ${op.state}`,
      );
    }
    const steps = await stepsOf(this.#db, id);
    return this.start({
      clusterId: op.cluster_id,
      type: op.type,
      payload: JSON.parse(op.payload) as Record<string, unknown>,
      steps: steps.map((s) => ({
        name: s.name,
        kind: s.kind,
        payload: JSON.parse(s.payload) as Record<string, unknown>,
        timeoutSeconds: s.timeout_seconds,
      })),
      createdBy: p.userId,
      retryOf: op.id,
    });
  }

  /**
   * An agent's result (from `agent.results.{cluster_id}`): finds the step by its
   * idempotency key and advances the operation. Results for another cluster's
   * step, for unknown steps and late repeats are ignored (and answer why).
   */
  async handleResult(subjectClusterId: string, data: unknown): Promise<Decision | { ignored: string }> {
    const parsed = agentResultSchema.safeParse(data);
    if (!parsed.success) return { ignored: 'not a command result' };
    const result: AgentResult = parsed.data;
    const step = await findStepForResult(this.#db, result.idempotency_key, result.command_id);
    if (!step) return { ignored: `no step for command ${result.command_id}` };
    if (step.cluster_id !== subjectClusterId || result.cluster_id !== subjectClusterId) {
      this.#logger.warn(
        { operation_id: step.operation_id, from: subjectClusterId },
        'a result for another cluster’s step is ignored',
      );
      return { ignored: 'the step belongs to another cluster' };
    }
    const d = await this.#transition(
      step.operation_id,
      { type: 'result', stepId: step.id, ok: result.ok, message: result.message },
      { stepId: step.id, result: JSON.stringify(data) },
    );
    return d ?? { ignored: 'no such operation' };
  }

  /**
   * Ends operations whose running step is past its timeout (answers their ids), and
   * sends again the commands that could not be sent.
   */
  async checkTimeouts(): Promise<string[]> {
    for (const id of [...this.#unsent]) {
      this.#unsent.delete(id);
      await this.#transition(id, { type: 'resume' });
    }
    const ids = await operationsPastTimeout(this.#db, this.#clock());
    const ended: string[] = [];
    for (const id of ids) {
      const d = await this.#transition(id, { type: 'tick' });
      if (d && !d.ignored) ended.push(id);
    }
    return ended;
  }

  /**
   * At start: every pending operation starts, every running step's command is sent
   * again with the same idempotency key (the agent answers from its record or runs it once).
   */
  async resumeAll(): Promise<number> {
    const ids = await activeOperationIds(this.#db);
    for (const id of ids) {
      try {
        await this.#transition(id, { type: 'resume' });
      } catch (e) {
        this.#logger.error({ err: e, operation_id: id }, 'could not resume an operation');
      }
    }
    if (ids.length > 0) this.#logger.info({ operations: ids.length }, 'operations resumed');
    return ids.length;
  }

  async #detail(organizationId: string, id: string): Promise<OperationDetail> {
    const op = await findOperation(this.#db, organizationId, id);
    if (!op) throw new NotFoundError('operation', id);
    return operationDetail(op, await stepsOf(this.#db, id));
  }

  /**
   * Decides `event` for the operation under a row lock and stores the answer in one
   * transaction; then sends the commands it names. Undefined when there is no such operation.
   */
  async #transition(
    id: string,
    event: OperationEvent,
    withResult?: { stepId: string; result: string },
  ): Promise<Decision | undefined> {
    const now = this.#clock();
    const stored = await this.#db.transaction().execute(async (tx) => {
      // the operation, locked, with its steps in the same round trip
      const locked = await tx
        .selectFrom('operations')
        .selectAll()
        .select((eb) =>
          jsonArrayFrom(
            eb
              .selectFrom('operation_steps')
              .select([
                'id',
                'kind',
                'payload',
                'state',
                'timeout_seconds',
                'idempotency_key',
                'sends',
                'started_at',
              ])
              .whereRef('operation_steps.operation_id', '=', 'operations.id')
              .orderBy('position'),
          ).as('steps'),
        )
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!locked) return undefined;
      const { steps: stepsJson, ...op } = locked;
      // JSON carries the timestamps as text
      const steps = stepsJson.map((s) => ({
        ...s,
        started_at: s.started_at === null ? null : new Date(s.started_at as unknown as string),
      }));
      const snapshot: OperationSnapshot = {
        state: op.state as OperationState,
        steps: steps.map((s) => ({
          id: s.id,
          state: s.state as OperationState,
          startedAt: s.started_at,
          timeoutSeconds: s.timeout_seconds,
        })),
      };
      const d = decide(snapshot, event, now);
      // each send gets a new command id (the queue de-duplicates ids), the same idempotency key;
      // a step that changes state and is sent is one update
      const sends: { step: SentStep; commandId: string }[] = [];
      const sent = new Map<string, { sends: number; last_command_id: string }>();
      for (const stepId of d.send) {
        const step = steps.find((s) => s.id === stepId);
        if (!step) continue;
        const n = step.sends + 1;
        const commandId = commandIdOf(step.idempotency_key, n);
        sent.set(stepId, { sends: n, last_command_id: commandId });
        sends.push({ step, commandId });
      }
      const writes: Updates[] = [];
      if (d.operation) {
        writes.push(
          tx
            .updateTable('operations')
            .set({
              state: d.operation.state,
              updated_at: now,
              ...(d.operation.message !== undefined ? { message: d.operation.message } : {}),
              ...(d.operation.startedAt ? { started_at: d.operation.startedAt } : {}),
              ...(d.operation.finishedAt ? { finished_at: d.operation.finishedAt } : {}),
            })
            .where('id', '=', id),
        );
      }
      for (const c of d.steps) {
        writes.push(
          tx
            .updateTable('operation_steps')
            .set({
              state: c.state,
              ...(c.message !== undefined ? { message: c.message } : {}),
              ...(c.startedAt ? { started_at: c.startedAt } : {}),
              ...(c.finishedAt ? { finished_at: c.finishedAt } : {}),
              ...(withResult && withResult.stepId === c.id ? { result: withResult.result } : {}),
              ...sent.get(c.id),
            })
            .where('operation_id', '=', id)
            .where('id', '=', c.id),
        );
        sent.delete(c.id);
      }
      for (const [stepId, set] of sent) {
        writes.push(
          tx.updateTable('operation_steps').set(set).where('operation_id', '=', id).where('id', '=', stepId),
        );
      }
      await updateAtOnce(tx, writes);
      return { op, d, sends };
    });
    if (!stored) return undefined;
    const { op, d, sends } = stored;
    const log = this.#logger.child({ operation_id: id, cluster_id: op.cluster_id, type: op.type });
    if (d.ignored) log.debug({ event: event.type, reason: d.ignored }, 'event ignored');
    for (const s of sends) await this.#send(op, s.step, s.commandId, log);
    if (d.operation && isFinished(d.operation.state)) {
      // a sweep every minute per cluster: its routine end is a debug line, a failure is not
      const routine = op.type === 'sweep' && d.operation.state === 'success';
      (routine ? log.debug : log.info).call(
        log,
        { state: d.operation.state, message: d.operation.message },
        'operation finished',
      );
      this.#observer.finished?.({ id, type: op.type, clusterId: op.cluster_id, state: d.operation.state });
    }
    return d;
  }

  async #send(
    op: Pick<OperationRow, 'id' | 'cluster_id' | 'type'>,
    step: SentStep,
    commandId: string,
    log: Logger,
  ): Promise<void> {
    try {
      const stored = JSON.parse(step.payload) as Record<string, unknown>;
      const payload = this.#payloadFor ? await this.#payloadFor(op.cluster_id, step.kind, stored) : stored;
      await this.#bus.commands(op.cluster_id).send({
        id: commandId,
        kind: step.kind,
        cluster_id: op.cluster_id,
        issued_at: this.#clock().toISOString(),
        payload,
        idempotency_key: step.idempotency_key,
      });
      (op.type === 'sweep' ? log.debug : log.info).call(
        log,
        { step: step.id, command_id: commandId },
        'command sent',
      );
    } catch (e) {
      // the step stays running: sent again at the next check (or start), else it times out
      this.#unsent.add(op.id);
      log.error({ err: e, step: step.id, command_id: commandId }, 'could not send a step’s command');
    }
  }
}

/** An update of one row of an operation or of its steps. */
type Updates = Compilable & OperationNodeSource;

/**
 * Runs updates of distinct rows as one statement (all but the last in `WITH` clauses: one round
 * trip however many steps change). PostgreSQL runs them on one snapshot, so no two may touch the
 * same row: an operation's row and each of its steps at most once (as `decide` answers).
 */
async function updateAtOnce(db: Database, writes: readonly Updates[]): Promise<void> {
  const last = writes.at(-1);
  if (!last) return;
  if (writes.length === 1) {
    await db.executeQuery(last.compile());
    return;
  }
  const ctes = writes.slice(0, -1).map((w, i) => sql`${sql.id(`u${i}`)} as (${w})`);
  await sql`with ${sql.join(ctes)} ${last}`.execute(db);
}
