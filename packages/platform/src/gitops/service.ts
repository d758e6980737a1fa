import { randomBytes, randomUUID } from 'node:crypto';
import type { Bus } from '@mooring/bus';
import { type GitCache, parseWebhook, verifySignature, type WebhookDelivery } from '@mooring/gitops';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { UserPrincipal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import type { ClusterHooks, ClusterRef } from '../clusters/hooks.ts';
import { pageWithTotal } from '../db/pageQuery.ts';
import type { Database } from '../db/types.ts';
import { ConflictError, NotFoundError, UnauthenticatedError } from '../errors.ts';
import { type Page, type PageRequest, pageOffset, sortModifier, toPage } from '../http/pagination.ts';
import { connectionOf } from './connection.ts';
import { type CredentialsService, webhookSecretAad } from './credentials.ts';
import type { ApplyDispatcher } from './dispatcher.ts';
import { DefinitionFetcher, type ProviderEndpoints } from './fetchDefinition.ts';
import { commitUrl, WEBHOOK_PROVIDERS } from './location.ts';
import type { Trigger } from './machine.ts';
import { type PreviewView, previewRef } from './preview.ts';
import { locationOf, SyncRunner } from './runner.ts';
import type { SecretBox } from './secretBox.ts';
import { type ClusterGitopsRow, gitopsDb, type RepositoryRow } from './tables.ts';
import {
  type GitopsStatusView,
  gitopsStatusView,
  type RepositoryView,
  repositoryView,
  type SyncRunView,
  syncRunView,
} from './views.ts';

export const SYNC_SORT_FIELDS = [
  'started_at',
  'finished_at',
  'status',
  'source',
  'commit_sha',
  'triggered_by',
  'retry_count',
  'error_count',
  'operation_id',
] as const;
export type SyncSortField = (typeof SYNC_SORT_FIELDS)[number];
export const SYNC_PAGE_SIZE = 10;

export interface GitopsServiceOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  box: SecretBox;
  cache: GitCache;
  credentials: CredentialsService;
  dispatcher: ApplyDispatcher;
  publicUrl: string;
  pollSeconds: number;
  /** Where the provider APIs are when not at their public addresses. */
  providers?: ProviderEndpoints;
  /** The bus to the agents: previews are rendered by the cluster's agent. */
  bus?: Bus;
  /** Passed to the runner (tests shorten retries). */
  runner?: Partial<ConstructorParameters<typeof SyncRunner>[0]>;
}

/** What a webhook delivery did. */
export interface WebhookAnswer {
  status: 'accepted' | 'duplicate' | 'ignored' | 'pong';
  syncs: number;
  reason?: string;
}

/**
 * GitOps orchestration: connects clusters to repositories from their stored definitions,
 * takes triggers (webhook, poll, Sync Now), runs syncs (runner.ts), and answers status and
 * history.
 */
export class GitopsService {
  readonly #o: GitopsServiceOptions;
  readonly #db;
  readonly runner: SyncRunner;
  readonly #fetcher: DefinitionFetcher;

  /**
   * The definitions reader of the syncs. Other readers of the same Git cache (drafts) use it:
   * it removes a commit's tree once its last reader is done, which another instance would not see.
   */
  get definitions(): DefinitionFetcher {
    return this.#fetcher;
  }
  #pollTimer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;

  constructor(o: GitopsServiceOptions) {
    this.#o = o;
    this.#db = gitopsDb(o.db);
    this.#fetcher = new DefinitionFetcher(o.cache, o.providers);
    this.runner = new SyncRunner({
      db: o.db,
      clock: o.clock,
      logger: o.logger.child({ part: 'gitops' }),
      fetcher: this.#fetcher,
      credentials: o.credentials,
      dispatcher: o.dispatcher,
      ...o.runner,
    });
  }

  /** The hooks the clusters service calls: connect on import, forget on delete. */
  readonly hooks: ClusterHooks = {
    imported: async (c) => {
      await this.connect(c);
    },
    deleted: async (c) => {
      this.runner.forget(c.id);
    },
  };

  /** Connects (or reconnects) a cluster from its stored definition: one repository per URL and branch. */
  async connect(c: ClusterRef): Promise<ClusterGitopsRow> {
    const cluster = await this.#db
      .selectFrom('clusters')
      .innerJoin('cluster_definitions', 'cluster_definitions.cluster_id', 'clusters.id')
      .select([
        'cluster_definitions.definition_text',
        'clusters.definition_path',
        'cluster_definitions.definition_files',
      ])
      .where('clusters.id', '=', c.id)
      .executeTakeFirstOrThrow();
    const conn = connectionOf(cluster);
    const now = this.#o.clock();
    let repositoryId: string | null = null;
    if (conn.located.ok) {
      const l = conn.located.location;
      const repo = await this.#db
        .insertInto('git_repositories')
        .values({
          id: randomUUID(),
          organization_id: c.organizationId,
          provider: l.provider,
          url: l.url,
          full_name: l.fullName,
          branch: l.branch,
          credential_name: l.credentialName ?? null,
          created_at: now,
        })
        .onConflict((oc) =>
          oc.columns(['organization_id', 'url', 'branch']).doUpdateSet({
            provider: l.provider,
            full_name: l.fullName,
            credential_name: l.credentialName ?? null,
          }),
        )
        .returning('id')
        .executeTakeFirstOrThrow();
      repositoryId = repo.id;
    }
    const configured = conn.located.ok ? JSON.stringify(conn.located.location) : '{}';
    const fresh = {
      organization_id: c.organizationId,
      repository_id: repositoryId,
      path: conn.path,
      configured,
      status: conn.located.ok ? 'Synced' : 'NotConfigured',
      phase: null,
      message: conn.located.ok ? 'not synced yet' : conn.located.reason,
      updated_at: now,
    };
    await this.#db
      .insertInto('cluster_gitops')
      .values({ cluster_id: c.id, ...fresh })
      .onConflict((oc) => oc.column('cluster_id').doUpdateSet(fresh))
      .execute();
    this.runner.forget(c.id);
    return this.#row(c.organizationId, c.id);
  }

  /** Connects every cluster that has no connection yet (clusters imported before). */
  async connectAll(): Promise<number> {
    const missing = await this.#db
      .selectFrom('clusters')
      .leftJoin('cluster_gitops', 'cluster_gitops.cluster_id', 'clusters.id')
      .select(['clusters.id', 'clusters.organization_id', 'clusters.name'])
      .where('clusters.deleted_at', 'is', null)
      .where('cluster_gitops.cluster_id', 'is', null)
      .execute();
    for (const m of missing)
      await this.connect({ id: m.id, organizationId: m.organization_id, name: m.name });
    return missing.length;
  }

  /**
   * At start: syncs a restart interrupted end as failed (not those another replica runs: their
   * cluster's lease is held); then polling begins.
   */
  async start(o: { poll?: boolean } = {}): Promise<void> {
    const now = this.#o.clock();
    await this.#db
      .updateTable('sync_runs')
      .set({ status: 'failed', finished_at: now, message: 'interrupted: the platform restarted' })
      .where('status', '=', 'running')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('sync_leases')
              .select('sync_leases.cluster_id')
              .whereRef('sync_leases.cluster_id', '=', 'sync_runs.cluster_id')
              .where('sync_leases.expires_at', '>=', sql<Date>`now()`),
          ),
        ),
      )
      .execute();
    await this.connectAll();
    if (o.poll ?? true) this.#schedulePoll(0);
  }

  #schedulePoll(delayMs: number): void {
    this.#pollTimer = setTimeout(() => {
      this.#polling = this.pollOnce()
        .then(() => undefined)
        .catch((e: unknown) => this.#o.logger.error({ err: e }, 'git poll failed'))
        .finally(() => {
          this.#polling = undefined;
          if (this.#pollTimer) this.#schedulePoll(this.#o.pollSeconds * 1000);
        });
    }, delayMs);
    this.#pollTimer.unref();
  }

  async close(): Promise<void> {
    if (this.#pollTimer) clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
    await this.#polling;
    await this.runner.close();
  }

  /** Polls every repository that feeds a cluster once (one fetch per repository), and triggers what moved. */
  async pollOnce(): Promise<{ repositories: number; triggered: number }> {
    const repos = await this.#db
      .selectFrom('git_repositories')
      .selectAll()
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('cluster_gitops')
            .select('cluster_id')
            .whereRef('cluster_gitops.repository_id', '=', 'git_repositories.id'),
        ),
      )
      .execute();
    let triggered = 0;
    for (const repo of repos) {
      const log = this.#o.logger.child({ repository: repo.url, branch: repo.branch });
      let head: string;
      try {
        const credential = repo.credential_name
          ? await this.#o.credentials.resolve(repo.organization_id, repo.credential_name)
          : undefined;
        head = await this.#fetcher.head(locationOf(repo), credential);
      } catch (e) {
        const message = (e as Error).message;
        log.warn({ err: { message } }, 'polling a repository failed');
        await this.#db
          .updateTable('git_repositories')
          .set({ polled_at: this.#o.clock(), poll_error: message })
          .where('id', '=', repo.id)
          .execute();
        continue;
      }
      await this.#seen(repo.id, head, { polled_at: this.#o.clock(), poll_error: null });
      triggered += await this.#triggerRepository(repo, {
        source: 'poll',
        commit: head,
        triggeredBy: `${repo.provider} poll`,
        triggeredByKind: 'provider',
      });
    }
    return { repositories: repos.length, triggered };
  }

  async #seen(id: string, head: string, extra: { polled_at?: Date; poll_error?: null } = {}): Promise<void> {
    await this.#db
      .updateTable('git_repositories')
      .set({ head_commit: head, head_seen_at: this.#o.clock(), ...extra })
      .where('id', '=', id)
      .execute();
  }

  async #triggerRepository(repo: RepositoryRow, trigger: Trigger): Promise<number> {
    const rows = await this.#db
      .selectFrom('cluster_gitops')
      .selectAll()
      .where('repository_id', '=', repo.id)
      .execute();
    let n = 0;
    for (const row of rows) {
      const before = await this.runner.state(row);
      const after = await this.runner.request(row, trigger);
      if (after !== before) n++;
    }
    return n;
  }

  /** Sync Now: a sync of the branch head, whatever was synced before. */
  async syncNow(p: UserPrincipal, clusterId: string): Promise<GitopsStatusView> {
    const row = await this.#row(p.organizationId, clusterId);
    if (!row.repository_id)
      throw new ConflictError(`the cluster is not connected to a repository: ${row.message}`);
    const triggeredBy = await this.#caller(p);
    await this.runner.request(row, { source: 'manual', ...triggeredBy });
    return this.status(p, clusterId);
  }

  async #caller(p: UserPrincipal): Promise<Pick<Trigger, 'triggeredBy' | 'triggeredByKind'>> {
    if (p.tokenKind !== 'api') return { triggeredBy: p.username, triggeredByKind: 'user' };
    const t = await this.#db
      .selectFrom('tokens')
      .select('name')
      .where('id', '=', p.tokenId)
      .executeTakeFirst();
    return { triggeredBy: t?.name ?? p.username, triggeredByKind: 'token' };
  }

  /**
   * What `ref` (a branch, tag or commit of the cluster's repository) would change on the
   * cluster, rendered by its agent against the live cluster; nothing is applied.
   */
  async preview(p: UserPrincipal, clusterId: string, ref: string): Promise<PreviewView> {
    const row = await this.#row(p.organizationId, clusterId);
    const repo = row.repository_id
      ? await this.#db
          .selectFrom('git_repositories')
          .selectAll()
          .where('id', '=', row.repository_id)
          .executeTakeFirst()
      : undefined;
    if (!repo) throw new ConflictError(`the cluster is not connected to a repository: ${row.message}`);
    const location = locationOf(repo);
    const credential = location.credentialName
      ? await this.#o.credentials.resolve(p.organizationId, location.credentialName)
      : undefined;
    return previewRef(
      {
        fetch: async (l, c, path) => {
          try {
            return await this.#fetcher.fetch(l, c, path);
          } catch (e) {
            const name = (e as Error).name;
            if (name === 'GitRefNotFoundError' || name === 'ProviderRefNotFoundError')
              throw new NotFoundError('ref', ref);
            throw new ConflictError(`fetching ${ref} failed: ${(e as Error).message}`);
          }
        },
        ...(this.#o.bus ? { bus: this.#o.bus } : {}),
      },
      { clusterId, location, credential, path: row.path, ref },
    );
  }

  async status(p: UserPrincipal, clusterId: string): Promise<GitopsStatusView> {
    const cluster = await this.#cluster(p.organizationId, clusterId);
    let row = await this.#db
      .selectFrom('cluster_gitops')
      .selectAll()
      .where('cluster_id', '=', clusterId)
      .executeTakeFirst();
    row ??= await this.connect({ id: clusterId, organizationId: p.organizationId, name: cluster.name });
    const repo = row.repository_id
      ? await this.#db
          .selectFrom('git_repositories')
          .selectAll()
          .where('id', '=', row.repository_id)
          .executeTakeFirst()
      : undefined;
    return gitopsStatusView(row, repo, cluster.name, (o) => commitUrl(o.provider, o.url, o.commit));
  }

  async history(
    p: UserPrincipal,
    clusterId: string,
    page: PageRequest<SyncSortField>,
  ): Promise<Page<SyncRunView>> {
    await this.#cluster(p.organizationId, clusterId);
    const base = this.#db
      .selectFrom('sync_runs')
      .where('organization_id', '=', p.organizationId)
      .where('cluster_id', '=', clusterId);
    const { rows, total } = await pageWithTotal(
      base
        .selectAll()
        .orderBy(page.sort.field, sortModifier(page.sort.direction))
        .orderBy('started_at', 'desc')
        .orderBy('id')
        .limit(page.pageSize)
        .offset(pageOffset(page)),
      base.select(sql<string>`count(*)`.as('total')),
    );
    return toPage(rows.map(syncRunView), Number(total), page);
  }

  async repositories(p: UserPrincipal): Promise<RepositoryView[]> {
    const rows = await this.#db
      .selectFrom('git_repositories')
      .selectAll()
      .select((eb) =>
        eb
          .selectFrom('cluster_gitops')
          .select(sql<string>`count(*)`.as('n'))
          .whereRef('cluster_gitops.repository_id', '=', 'git_repositories.id')
          .as('clusters'),
      )
      .where('organization_id', '=', p.organizationId)
      .orderBy('url')
      .orderBy('branch')
      .execute();
    return rows.map((r) => repositoryView(r, Number(r.clusters ?? 0), this.#o.publicUrl));
  }

  /** Sets (or generates) a repository's webhook secret; the answer shows it once. */
  async setWebhookSecret(
    p: UserPrincipal,
    repositoryId: string,
    secret: string | undefined,
  ): Promise<{ repository: RepositoryView; secret: string }> {
    const repo = await this.#db
      .selectFrom('git_repositories')
      .selectAll()
      .where('organization_id', '=', p.organizationId)
      .where('id', '=', repositoryId)
      .executeTakeFirst();
    if (!repo) throw new NotFoundError('repository', repositoryId);
    const value = secret ?? randomBytes(32).toString('base64url');
    await this.#db
      .updateTable('git_repositories')
      .set({ webhook_secret_sealed: this.#o.box.encrypt(value, webhookSecretAad(repo)) })
      .where('id', '=', repo.id)
      .execute();
    const [view] = (await this.repositories(p)).filter((r) => r.id === repo.id);
    return { repository: view!, secret: value };
  }

  /**
   * A webhook delivery on `/webhooks/{route}`: the signature must verify with the webhook secret
   * of a repository the payload names; a delivery id seen before is ignored; each pushed branch
   * triggers the clusters its repository feeds. Throws UnauthenticatedError (401) otherwise; the
   * body is never logged.
   */
  async webhook(
    route: string,
    req: { headers: Record<string, string | string[] | undefined>; body: string; ip: string },
  ): Promise<WebhookAnswer> {
    const provider = WEBHOOK_PROVIDERS[route];
    if (!provider || provider === 'git') throw new NotFoundError('webhook receiver', route);
    const log = this.#o.logger.child({ webhook: route, ip: req.ip });
    const headerName = provider === 'github' ? 'x-hub-signature-256' : 'x-hub-signature';
    const signature = [req.headers[headerName]].flat()[0];
    const refuse = (reason: string, deliveryId?: string): never => {
      log.warn({ delivery: deliveryId, reason }, 'webhook refused');
      throw new UnauthenticatedError(`webhook refused: ${reason}`);
    };
    if (!signature) refuse(`no ${headerName} header: unsigned deliveries are refused`);
    let delivery: WebhookDelivery;
    try {
      // parsed before verification only to learn which repository's secret to verify with
      delivery = parseWebhook({ headers: req.headers, body: req.body }, { provider, allowUnsigned: true });
    } catch (e) {
      return refuse(`unreadable delivery: ${(e as Error).message}`);
    }
    const names = new Set(delivery.pushes.map((x) => x.repository.toLowerCase()));
    if (names.size === 0) for (const n of repositoryNamesOf(req.body)) names.add(n.toLowerCase());
    const candidates =
      names.size === 0
        ? []
        : await this.#db
            .selectFrom('git_repositories')
            .selectAll()
            .where('provider', 'in', [provider, 'git'])
            .where('webhook_secret_sealed', 'is not', null)
            .where(sql<string>`lower(full_name)`, 'in', [...names])
            .execute();
    const verified = candidates.filter((r) => {
      try {
        const secret = this.#o.box.decrypt(r.webhook_secret_sealed!, webhookSecretAad(r));
        verifySignature(secret, req.body, signature, headerName);
        return true;
      } catch {
        return false;
      }
    });
    if (verified.length === 0)
      refuse(
        candidates.length === 0
          ? 'no repository with a webhook secret matches the delivery'
          : 'the signature does not match',
        delivery.deliveryId,
      );
    if (delivery.deliveryId) {
      const inserted = await this.#db
        .insertInto('webhook_deliveries')
        .values({ provider, delivery_id: delivery.deliveryId, received_at: this.#o.clock() })
        .onConflict((oc) => oc.columns(['provider', 'delivery_id']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
        log.info({ delivery: delivery.deliveryId }, 'webhook delivery seen before: ignored');
        return { status: 'duplicate', syncs: 0 };
      }
    }
    if (delivery.kind === 'ping') return { status: 'pong', syncs: 0 };
    if (delivery.kind !== 'push')
      return { status: 'ignored', syncs: 0, reason: delivery.reason ?? delivery.event };
    let syncs = 0;
    for (const push of delivery.pushes) {
      if (push.deleted) continue;
      for (const repo of verified) {
        if (repo.full_name.toLowerCase() !== push.repository.toLowerCase() || repo.branch !== push.branch)
          continue;
        await this.#seen(repo.id, push.commit);
        syncs += await this.#triggerRepository(repo, {
          source: 'webhook',
          commit: push.commit,
          triggeredBy: push.sender ? `${provider} (${push.sender})` : provider,
          triggeredByKind: 'provider',
        });
      }
    }
    log.info({ delivery: delivery.deliveryId, syncs }, 'webhook accepted');
    return { status: 'accepted', syncs };
  }

  async #cluster(organizationId: string, id: string) {
    const c = await this.#db
      .selectFrom('clusters')
      .select(['id', 'name'])
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!c) throw new NotFoundError('cluster', id);
    return c;
  }

  async #row(organizationId: string, clusterId: string): Promise<ClusterGitopsRow> {
    const c = await this.#cluster(organizationId, clusterId);
    const row = await this.#db
      .selectFrom('cluster_gitops')
      .selectAll()
      .where('cluster_id', '=', clusterId)
      .executeTakeFirst();
    return row ?? this.connect({ id: c.id, organizationId, name: c.name });
  }
}

/** The repository names a non-push payload carries (GitHub and Bitbucket Cloud `repository.full_name`, Data Center `repository.project.key/slug`). */
function repositoryNamesOf(body: string): string[] {
  try {
    const j = JSON.parse(body) as {
      repository?: { full_name?: unknown; slug?: unknown; project?: { key?: unknown } };
    };
    const r = j.repository;
    if (typeof r?.full_name === 'string') return [r.full_name];
    if (typeof r?.slug === 'string' && typeof r.project?.key === 'string')
      return [`${r.project.key}/${r.slug}`];
  } catch {
    // not JSON
  }
  return [];
}
