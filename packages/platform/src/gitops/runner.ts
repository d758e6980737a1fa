import { randomUUID } from 'node:crypto';
import { buildPlan, contentHashes, type Diagnostic, RETRY_DEFAULTS, type RetryPolicyMs } from '@mooring/core';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/types.ts';
import { memberChanges } from './changes.ts';
import type { CredentialsService, ResolvedCredential } from './credentials.ts';
import type { ApplyDispatcher } from './dispatcher.ts';
import type { DefinitionFetcher } from './fetchDefinition.ts';
import type { SyncLeases } from './leases.ts';
import { commitUrl, type RepositoryLocation } from './location.ts';
import {
  IDLE,
  NOT_CONFIGURED,
  reduce,
  type SyncEffect,
  type SyncEvent,
  type SyncState,
  type Trigger,
} from './machine.ts';
import { type ClusterGitopsRow, gitopsDb, type RepositoryRow } from './tables.ts';

/** One error of a sync as history keeps it: a definition diagnostic, or a fetch or apply failure. */
export interface SyncError {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  path?: string;
  hint?: string;
}

/** What the last sync really read. */
export interface Observed {
  provider: string;
  url: string;
  branch: string;
  path: string;
  commit: string;
  /** The `git_repository` the file at that commit names, and its cluster name. */
  definition?: { cluster: string; provider?: string; repository?: string; branch?: string };
}

export interface RunnerOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  fetcher: DefinitionFetcher;
  credentials: CredentialsService;
  dispatcher: ApplyDispatcher;
  retryPolicy?: RetryPolicyMs;
  /** Waits before a retry (tests shorten it). */
  sleep?: (ms: number) => Promise<void>;
  /** Per-cluster leases in the database: a sync runs only while this replica holds its cluster's. */
  leases?: SyncLeases;
}

const toError = (d: Diagnostic): SyncError => ({
  severity: d.severity,
  code: d.code,
  message: d.message,
  file: d.file,
  line: d.line,
  column: d.column,
  path: d.path,
  ...(d.hint !== undefined ? { hint: d.hint } : {}),
});

export function locationOf(repo: RepositoryRow): RepositoryLocation {
  const [workspace, repoSlug] = repo.full_name.split('/');
  return {
    provider: repo.provider as RepositoryLocation['provider'],
    url: repo.url,
    fullName: repo.full_name,
    branch: repo.branch,
    ...(repo.credential_name ? { credentialName: repo.credential_name } : {}),
    ...(repo.provider === 'bitbucket_cloud' ? { workspace, repoSlug } : {}),
  };
}

/**
 * Runs each cluster's syncs: the state machine (machine.ts) decides, this performs — fetch,
 * validate, hand the changed members to the dispatcher, retry with backoff, record history.
 * One sync per cluster at a time in this process, and, with `leases`, among the replicas
 * sharing the database (a sync waits for the lease; it reads the applied hashes once it holds it,
 * so what another replica applied is not applied again).
 */
export class SyncRunner {
  readonly #o: RunnerOptions;
  readonly #db;
  readonly #policy: RetryPolicyMs;
  readonly #states = new Map<string, SyncState>();
  readonly #runs = new Map<string, Promise<void>>();
  readonly #writes = new Map<string, Promise<unknown>>();
  readonly #timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  #closed = false;

  constructor(o: RunnerOptions) {
    this.#o = o;
    this.#db = gitopsDb(o.db);
    this.#policy = o.retryPolicy ?? RETRY_DEFAULTS;
  }

  /** The in-memory state of a cluster (loaded from its row the first time). */
  async state(row: ClusterGitopsRow): Promise<SyncState> {
    const known = this.#states.get(row.cluster_id);
    if (known) return known;
    const observed = row.observed ? (JSON.parse(row.observed) as Observed) : undefined;
    const s: SyncState = !row.repository_id
      ? NOT_CONFIGURED(row.message)
      : {
          ...IDLE,
          status: row.status === 'Syncing' ? 'Error' : (row.status as SyncState['status']),
          phase: row.phase as SyncState['phase'],
          message:
            row.status === 'Syncing' ? 'interrupted: the platform restarted' : row.message || IDLE.message,
          ...(row.synced_commit ? { syncedCommit: row.synced_commit } : {}),
          ...(observed?.commit ? { lastCommit: observed.commit } : {}),
        };
    this.#states.set(row.cluster_id, s);
    return s;
  }

  /** Forgets a cluster's state (after its connection changed or it was deleted). */
  forget(clusterId: string): void {
    this.#states.delete(clusterId);
  }

  /** Asks for a sync; answers the state after the request (a running sync makes it pending). */
  async request(row: ClusterGitopsRow, trigger: Trigger): Promise<SyncState> {
    const at = trigger.at ?? Date.now();
    await this.state(row);
    return this.#step(row.cluster_id, { type: 'requested', trigger: { ...trigger, at } }).state;
  }

  /** Resolves when no sync runs (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#runs.size > 0 || this.#writes.size > 0) {
      await Promise.allSettled([...this.#runs.values(), ...this.#writes.values()]);
    }
  }

  /** Stops waiting retries and waits for running syncs to end. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#o.dispatcher.close?.();
    for (const t of this.#timers) {
      clearTimeout(t.timer);
      t.resolve();
    }
    await this.idle();
  }

  #step(clusterId: string, event: SyncEvent): { state: SyncState; effects: SyncEffect[] } {
    const before = this.#states.get(clusterId) ?? IDLE;
    const t = reduce(before, event, this.#policy);
    this.#states.set(clusterId, t.state);
    if (t.state !== before) this.#persist(clusterId, t.state);
    for (const e of t.effects) if (e.kind === 'start') this.#launch(clusterId, e.trigger);
    return t;
  }

  /**
   * The definition a sync applied becomes the cluster's stored definition: what the add-on
   * pages, the Stacks tab, Sync of one add-on and engine migrations read.
   */
  async #storeDefinition(clusterId: string, path: string, files: Record<string, string>): Promise<void> {
    const text = files[path];
    if (text === undefined) return;
    await this.#db.transaction().execute(async (tx) => {
      await tx
        .updateTable('clusters')
        .set({ definition_path: path, updated_at: this.#o.clock() })
        .where('id', '=', clusterId)
        .execute();
      await tx
        .updateTable('cluster_definitions')
        .set({ definition_text: text, definition_files: JSON.stringify(files) })
        .where('cluster_id', '=', clusterId)
        .execute();
    });
  }

  #persist(clusterId: string, s: SyncState, extra: Partial<ClusterGitopsRow> = {}): void {
    this.#write(clusterId, () =>
      this.#db
        .updateTable('cluster_gitops')
        .set({
          status: s.status,
          phase: s.phase,
          message: s.message,
          syncing_commit: s.running?.commit ?? null,
          pending_commit: s.pending ? (s.pending.commit ?? 'HEAD') : null,
          synced_commit: s.syncedCommit ?? null,
          retry_count: s.running?.retryCount ?? 0,
          updated_at: this.#o.clock(),
          ...extra,
        })
        .where('cluster_id', '=', clusterId)
        .execute(),
    );
  }

  /** Writes in order per cluster. */
  #write(clusterId: string, fn: () => Promise<unknown>): void {
    const prev = this.#writes.get(clusterId) ?? Promise.resolve();
    const next = prev.then(fn).catch((e: unknown) => {
      this.#o.logger.error({ err: e, cluster: clusterId }, 'storing the sync state failed');
    });
    this.#writes.set(clusterId, next);
    void next.then(() => {
      if (this.#writes.get(clusterId) === next) this.#writes.delete(clusterId);
    });
  }

  async #flush(clusterId: string): Promise<void> {
    await this.#writes.get(clusterId);
  }

  #launch(clusterId: string, trigger: Trigger): void {
    if (this.#closed) return;
    const prev = this.#runs.get(clusterId) ?? Promise.resolve();
    const run = prev
      .then(() => this.#leased(clusterId, trigger))
      .catch((e: unknown) => {
        this.#o.logger.error({ err: e, cluster: clusterId }, 'sync failed unexpectedly');
      });
    this.#runs.set(clusterId, run);
    void run.then(() => {
      if (this.#runs.get(clusterId) === run) this.#runs.delete(clusterId);
    });
  }

  async #leased(clusterId: string, trigger: Trigger): Promise<void> {
    const leases = this.#o.leases;
    if (!leases) return this.#run(clusterId, trigger);
    const lease = await leases.acquire(clusterId, () => this.#closed);
    if (!lease) {
      this.#step(clusterId, { type: 'aborted', message: 'interrupted: the platform stopped' });
      return;
    }
    try {
      await this.#run(clusterId, trigger);
    } finally {
      await lease.release().catch((e: unknown) => {
        this.#o.logger.warn({ err: e, cluster: clusterId }, 'releasing the sync lease failed (it expires)');
      });
    }
  }

  async #run(clusterId: string, trigger: Trigger): Promise<void> {
    const log = this.#o.logger.child({ cluster: clusterId, source: trigger.source });
    const conn = await this.#db
      .selectFrom('cluster_gitops')
      .innerJoin('git_repositories', 'git_repositories.id', 'cluster_gitops.repository_id')
      .selectAll('git_repositories')
      .select([
        'cluster_gitops.path',
        'cluster_gitops.applied_hashes',
        'cluster_gitops.organization_id as org',
      ])
      .where('cluster_gitops.cluster_id', '=', clusterId)
      .executeTakeFirst();
    const syncId = randomUUID();
    const startedAt = this.#o.clock();
    await this.#db
      .insertInto('sync_runs')
      .values({
        id: syncId,
        organization_id: conn?.org ?? '',
        cluster_id: clusterId,
        status: 'running',
        source: trigger.source,
        phase: 'Fetching',
        message: '',
        commit_sha: trigger.commit ?? null,
        commit_url: null,
        repository_url: conn?.url ?? null,
        branch: conn?.branch ?? null,
        started_at: startedAt,
        triggered_by: trigger.triggeredBy,
        triggered_by_kind: trigger.triggeredByKind,
      })
      .execute();
    const errors: SyncError[] = [];
    let operationId: string | undefined;
    let changedIds: string[] = [];
    const end = async (effects: SyncEffect[], phase: string) => {
      const fin = effects.find((e) => e.kind === 'finish');
      if (fin?.kind !== 'finish') return false;
      await this.#flush(clusterId);
      await this.#db
        .updateTable('sync_runs')
        .set({
          status: fin.outcome,
          phase,
          message: fin.message,
          finished_at: this.#o.clock(),
          retry_count: fin.retryCount,
          errors: JSON.stringify(errors),
          error_count: errors.filter((e) => e.severity === 'error').length,
          changed_members: JSON.stringify(changedIds),
          operation_id: operationId ?? null,
          ...(fin.commit ? { commit_sha: fin.commit } : {}),
        })
        .where('id', '=', syncId)
        .execute();
      log[fin.outcome === 'success' ? 'info' : 'warn']({ sync: syncId, commit: fin.commit }, fin.message);
      return true;
    };

    if (!conn) {
      errors.push({
        severity: 'error',
        code: 'not-configured',
        message: 'the cluster is not connected to a repository',
      });
      await end(
        this.#step(clusterId, { type: 'fetchFailed', message: 'not connected to a repository' }).effects,
        'Fetching',
      );
      return;
    }
    const location = locationOf(conn);

    // Fetching
    let fetched: Awaited<ReturnType<DefinitionFetcher['fetch']>>;
    try {
      let credential: ResolvedCredential | undefined;
      if (location.credentialName)
        credential = await this.#o.credentials.resolve(conn.org, location.credentialName);
      // the clusters one push triggers share one fetch of the branch (begun after the trigger)
      fetched = await this.#o.fetcher.fetch(location, credential, conn.path, {
        ...(trigger.at !== undefined ? { notBefore: trigger.at } : {}),
      });
    } catch (e) {
      const message = (e as Error).message;
      errors.push({ severity: 'error', code: (e as { code?: string }).code ?? 'fetch-failed', message });
      await end(this.#step(clusterId, { type: 'fetchFailed', message }).effects, 'Fetching');
      return;
    }
    const commit = fetched.commit;
    const def = fetched.definition;
    const observed: Observed = {
      provider: location.provider,
      url: location.url,
      branch: location.branch,
      path: conn.path,
      commit,
      ...(def
        ? {
            definition: {
              cluster: def.name,
              ...(def.gitRepository
                ? {
                    provider: def.gitRepository.provider,
                    ...(def.gitRepository.repository ? { repository: def.gitRepository.repository } : {}),
                    ...(def.gitRepository.branch ? { branch: def.gitRepository.branch } : {}),
                  }
                : {}),
            },
          }
        : {}),
    };
    this.#step(clusterId, { type: 'fetched', commit });
    this.#persist(clusterId, this.#states.get(clusterId)!, { observed: JSON.stringify(observed) });
    await this.#db
      .updateTable('sync_runs')
      .set({
        commit_sha: commit,
        commit_url: commitUrl(location.provider, location.url, commit) ?? null,
        phase: 'Validating',
      })
      .where('id', '=', syncId)
      .execute();

    // Validating
    errors.push(...fetched.diagnostics.map(toError));
    const errorCount = fetched.diagnostics.filter((d) => d.severity === 'error').length;
    let hashes: Map<string, string> | undefined;
    if (def && errorCount === 0) {
      try {
        hashes = contentHashes(buildPlan(def));
      } catch (e) {
        errors.push({ severity: 'error', code: 'plan-failed', message: (e as Error).message });
      }
    }
    if (!def || !hashes) {
      const n = Math.max(1, errors.filter((e) => e.severity === 'error').length);
      await end(this.#step(clusterId, { type: 'invalid', errorCount: n }).effects, 'Validating');
      return;
    }
    const applied = JSON.parse(conn.applied_hashes) as Record<string, string>;
    const changes = memberChanges(applied, hashes);
    changedIds = [...changes.changed, ...changes.removed];
    this.#step(clusterId, { type: 'validated', changed: changedIds.length });
    await this.#db.updateTable('sync_runs').set({ phase: 'Applying' }).where('id', '=', syncId).execute();

    // Applying
    const hashRecord = Object.fromEntries(hashes);
    if (changedIds.length === 0) {
      await this.#storeDefinition(clusterId, def.file, fetched.files);
      await end(this.#step(clusterId, { type: 'applied' }).effects, 'Completed');
      return;
    }
    for (let attempt = 0; ; ) {
      let outcome: Awaited<ReturnType<ApplyDispatcher['apply']>>;
      try {
        outcome = await this.#o.dispatcher.apply({
          organizationId: conn.org,
          clusterId,
          syncId,
          attempt,
          commit,
          path: def.file,
          files: fetched.files,
          changed: changes.changed,
          removed: changes.removed,
          hashes: hashRecord,
        });
      } catch (e) {
        outcome = { ok: false, message: (e as Error).message };
      }
      if (outcome.operationId) operationId = outcome.operationId;
      if (outcome.ok) {
        this.#persist(clusterId, this.#states.get(clusterId)!, {
          applied_hashes: JSON.stringify(hashRecord),
        });
        await this.#storeDefinition(clusterId, def.file, fetched.files);
        await end(this.#step(clusterId, { type: 'applied' }).effects, 'Completed');
        return;
      }
      errors.push({
        severity: 'error',
        code: 'apply-failed',
        message: attempt === 0 ? outcome.message : `retry ${attempt}: ${outcome.message}`,
      });
      const t = this.#step(clusterId, { type: 'applyFailed', message: outcome.message });
      const retry = t.effects.find((e) => e.kind === 'retry');
      if (retry?.kind !== 'retry') {
        await end(t.effects, 'Applying');
        return;
      }
      await this.#db
        .updateTable('sync_runs')
        .set({ retry_count: retry.attempt })
        .where('id', '=', syncId)
        .execute();
      await this.#sleep(retry.delayMs);
      if (this.#closed) {
        errors.push({
          severity: 'error',
          code: 'interrupted',
          message: 'the platform stopped before the retry',
        });
        await end(
          this.#step(clusterId, { type: 'aborted', message: 'interrupted: the platform stopped' }).effects,
          'Applying',
        );
        return;
      }
      attempt = retry.attempt;
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#o.sleep) return this.#o.sleep(ms);
    return new Promise((resolve) => {
      const entry = { timer: setTimeout(() => done(), ms), resolve: () => done() };
      const done = () => {
        clearTimeout(entry.timer);
        this.#timers.delete(entry);
        resolve();
      };
      entry.timer.unref();
      this.#timers.add(entry);
    });
  }
}
