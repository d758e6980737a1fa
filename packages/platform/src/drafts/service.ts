import { randomUUID } from 'node:crypto';
import type { Bus } from '@mooring/bus';
import { type Diagnostic, loadDefinition, MemoryFileSource } from '@mooring/core';
import { type GitCache, GitError, isSopsEncrypted, Sops } from '@mooring/gitops';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import type { UserPrincipal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/types.ts';
import {
  ConflictError,
  type DefinitionIssue,
  InvalidDefinitionError,
  NotFoundError,
  UpstreamError,
} from '../errors.ts';
import type { CredentialsService, ResolvedCredential } from '../gitops/credentials.ts';
import type { DefinitionFetcher, ProviderEndpoints } from '../gitops/fetchDefinition.ts';
import type { RepositoryLocation } from '../gitops/location.ts';
import { type PreviewView, previewRef } from '../gitops/preview.ts';
import { locationOf } from '../gitops/runner.ts';
import type { SecretBox } from '../gitops/secretBox.ts';
import type { GitopsService } from '../gitops/service.ts';
import { PublishConflict, publishDraft } from './publish.ts';
import { openPullRequest, type PullRequest, supportsPullRequests } from './pullRequests.ts';
import { type DraftRow, draftsDb } from './tables.ts';
import { type MemberKind, type StackView, Workspace } from './workspace.ts';

export interface DraftsServiceOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  box: SecretBox;
  cache: GitCache;
  credentials: CredentialsService;
  gitops: GitopsService;
  /** The bus to the agents (previews). */
  bus?: Bus;
  /** The sops adapter (default `sops` on PATH). */
  sops?: Sops;
  /** The pull request API root (default: the provider's, from the repository URL). */
  pullRequestApi?: string;
  /** Where the provider APIs are when not at their public addresses (the pull request API). */
  providers?: ProviderEndpoints;
  /** Bitbucket Cloud's Git host when not `https://bitbucket.org` (a proxy, a test server). */
  bitbucketCloudGitUrl?: string;
}

export type FileChange = 'added' | 'modified' | 'deleted';

export interface DraftSummary {
  id: string;
  cluster_id: string;
  title: string;
  state: 'open' | 'publishing' | 'published';
  repository_url: string;
  branch: string;
  path: string;
  base_commit: string;
  revision: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  changed_files: { path: string; change: FileChange }[];
  published: {
    at: string;
    by: string | null;
    commit: string;
    branch: string;
    pull_request_url: string | null;
  } | null;
}

export interface DraftView extends DraftSummary {
  stacks: StackView[];
}

export interface ValidationView {
  valid: boolean;
  errors: DefinitionIssue[];
}

export interface PublishInput {
  message?: string;
  /** A new branch to push to (with a pull request where the provider has them); absent: the configured branch. */
  branch?: string;
  pull_request?: boolean;
  author_email?: string;
}

export interface PublishView {
  draft: DraftSummary;
  commit: string;
  branch: string;
  /** The branch had moved since the draft began: the commit was rebased onto it. */
  rebased: boolean;
  /** The draft changes nothing in the repository: no commit was made. */
  unchanged: boolean;
  /** SOPS-encrypted files, with the paths encrypted in each. */
  encrypted: { path: string; paths: string[] }[];
  pull_request: PullRequest | null;
  pull_request_error: string | null;
  /** A sync of the configured branch was requested (publishing to it). */
  sync_requested: boolean;
}

type Changes = Record<string, string | null>;

/** A publish that held a draft this long without finishing (its process died) may be taken over. */
export const PUBLISH_TAKEOVER_MS = 15 * 60_000;

const beingPublished = (since: Date | null) =>
  `the draft is being published (another publish began${since ? ` at ${since.toISOString()}` : ''}): wait for it to finish, then read the draft`;

const aad = (r: { id: string; organization_id: string }) => `stack_drafts:${r.organization_id}:${r.id}`;

const issue = (d: Diagnostic): DefinitionIssue => ({
  severity: d.severity,
  file: d.file,
  line: d.line,
  column: d.column,
  path: d.path,
  code: d.code,
  message: d.message,
  ...(d.hint !== undefined ? { hint: d.hint } : {}),
});

/**
 * The Stack Builder's drafts: a cluster's definition as read from its repository, edited
 * (stacks, add-ons, manifests), validated and previewed, then published to Git as one commit.
 */
export class DraftsService {
  readonly #o: DraftsServiceOptions;
  readonly #db;
  readonly #fetcher: DefinitionFetcher;
  readonly #sops: Sops;

  constructor(o: DraftsServiceOptions) {
    this.#o = o;
    this.#db = draftsDb(o.db);
    // the syncs' reader: one reader per Git cache, so a tree is not removed while a draft reads it
    this.#fetcher = o.gitops.definitions;
    this.#sops = o.sops ?? new Sops();
  }

  /** The repository a cluster's definition is read from, and its credential. */
  connectionOf(p: UserPrincipal, clusterId: string) {
    return this.#connection(p, clusterId);
  }

  async #connection(
    p: UserPrincipal,
    clusterId: string,
  ): Promise<{ location: RepositoryLocation; credential: ResolvedCredential | undefined; path: string }> {
    // the status connects a cluster that has no connection yet (and 404s an unknown one)
    await this.#o.gitops.status(p, clusterId);
    const row = await this.#db
      .selectFrom('cluster_gitops')
      .selectAll()
      .where('cluster_id', '=', clusterId)
      .executeTakeFirstOrThrow();
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
    return { location, credential, path: row.path };
  }

  async #row(p: UserPrincipal, clusterId: string, draftId: string): Promise<DraftRow> {
    const row = await this.#db
      .selectFrom('stack_drafts')
      .selectAll()
      .where('organization_id', '=', p.organizationId)
      .where('cluster_id', '=', clusterId)
      .where('id', '=', draftId)
      .executeTakeFirst();
    if (!row) throw new NotFoundError('draft', draftId);
    return row;
  }

  #changes(row: DraftRow): Changes {
    return JSON.parse(this.#o.box.decrypt(row.changes_sealed, aad(row))) as Changes;
  }

  #files(row: DraftRow, changes: Changes): Record<string, string | null> {
    return { ...(JSON.parse(row.base_files) as Record<string, string>), ...changes };
  }

  #summary(row: DraftRow, changes: Changes): DraftSummary {
    const base = JSON.parse(row.base_files) as Record<string, string>;
    return {
      id: row.id,
      cluster_id: row.cluster_id,
      title: row.title,
      state: row.state as DraftSummary['state'],
      repository_url: row.repository_url,
      branch: row.branch,
      path: row.path,
      base_commit: row.base_commit,
      revision: row.revision,
      created_by: row.created_by_name,
      created_at: row.created_at.toISOString(),
      updated_at: row.updated_at.toISOString(),
      changed_files: Object.keys(changes)
        .sort()
        .map((path) => ({
          path,
          change: changes[path] === null ? 'deleted' : path in base ? 'modified' : 'added',
        })),
      published:
        row.state === 'published' && row.published_at && row.published_commit
          ? {
              at: row.published_at.toISOString(),
              by: row.published_by,
              commit: row.published_commit,
              branch: row.published_branch ?? row.branch,
              pull_request_url: row.pull_request_url,
            }
          : null,
    };
  }

  #view(row: DraftRow, changes: Changes): DraftView {
    const ws = new Workspace(this.#files(row, changes), row.path);
    return { ...this.#summary(row, changes), stacks: ws.stacks() };
  }

  /** Begins a draft from the head of the cluster's configured branch. */
  async create(p: UserPrincipal, clusterId: string, input: { title?: string }): Promise<DraftView> {
    const conn = await this.#connection(p, clusterId);
    let fetched: Awaited<ReturnType<DefinitionFetcher['fetch']>>;
    try {
      fetched = await this.#fetcher.fetch(conn.location, conn.credential, conn.path);
    } catch (e) {
      throw new UpstreamError(`reading ${conn.location.branch} failed: ${(e as Error).message}`, {
        cause: e,
      });
    }
    if (fetched.files[conn.path] === undefined)
      throw new ConflictError(
        `${conn.path} is not in ${conn.location.branch} at ${fetched.commit.slice(0, 12)}`,
      );
    const id = randomUUID();
    const now = this.#o.clock();
    const user = await this.#db
      .selectFrom('users')
      .select(['username', 'display_name'])
      .where('id', '=', p.userId)
      .executeTakeFirst();
    const row = await this.#db
      .insertInto('stack_drafts')
      .values({
        id,
        organization_id: p.organizationId,
        cluster_id: clusterId,
        title: input.title ?? `Changes to ${conn.path}`,
        repository_url: conn.location.url,
        branch: conn.location.branch,
        path: conn.path,
        base_commit: fetched.commit,
        base_files: JSON.stringify(fetched.files),
        changes_sealed: this.#o.box.encrypt('{}', aad({ id, organization_id: p.organizationId })),
        created_by: p.userId,
        created_by_name: user?.display_name || p.username,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.#view(row, {});
  }

  async list(p: UserPrincipal, clusterId: string): Promise<DraftSummary[]> {
    const rows = await this.#db
      .selectFrom('stack_drafts')
      .selectAll()
      .where('organization_id', '=', p.organizationId)
      .where('cluster_id', '=', clusterId)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((r) => this.#summary(r, this.#changes(r)));
  }

  async get(p: UserPrincipal, clusterId: string, draftId: string): Promise<DraftView> {
    const row = await this.#row(p, clusterId, draftId);
    return this.#view(row, this.#changes(row));
  }

  async remove(p: UserPrincipal, clusterId: string, draftId: string): Promise<void> {
    await this.#row(p, clusterId, draftId);
    const gone = await this.#db
      .deleteFrom('stack_drafts')
      .where('id', '=', draftId)
      .where('state', '!=', 'publishing')
      .executeTakeFirst();
    if (gone.numDeletedRows === 0n) {
      const row = await this.#db
        .selectFrom('stack_drafts')
        .select(['state', 'publishing_since'])
        .where('id', '=', draftId)
        .executeTakeFirst();
      if (row?.state === 'publishing') throw new ConflictError(beingPublished(row.publishing_since));
    }
  }

  async rename(p: UserPrincipal, clusterId: string, draftId: string, title: string): Promise<DraftView> {
    return this.edit(p, clusterId, draftId, () => undefined, title);
  }

  /** Runs one edit on the draft's files (in a transaction, one edit at a time per draft). */
  async edit(
    p: UserPrincipal,
    clusterId: string,
    draftId: string,
    fn: (ws: Workspace) => void,
    title?: string,
  ): Promise<DraftView> {
    await this.#row(p, clusterId, draftId);
    return this.#o.db.transaction().execute(async (trx) => {
      const db = draftsDb(trx as unknown as Database);
      const row = await db
        .selectFrom('stack_drafts')
        .selectAll()
        .where('id', '=', draftId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (row.state === 'publishing') throw new ConflictError(beingPublished(row.publishing_since));
      if (row.state !== 'open') throw new ConflictError(`draft ${draftId} was published: begin a new draft`);
      const changes = this.#changes(row);
      const ws = new Workspace(this.#files(row, changes), row.path);
      fn(ws);
      const base = JSON.parse(row.base_files) as Record<string, string>;
      const next: Changes = { ...changes, ...ws.changes() };
      for (const [k, v] of Object.entries(next))
        if ((v === null && !(k in base)) || (v !== null && base[k] === v)) delete next[k];
      const updated = await db
        .updateTable('stack_drafts')
        .set({
          changes_sealed: this.#o.box.encrypt(JSON.stringify(next), aad(row)),
          revision: row.revision + 1,
          updated_at: this.#o.clock(),
          ...(title !== undefined ? { title } : {}),
        })
        .where('id', '=', draftId)
        .returningAll()
        .executeTakeFirstOrThrow();
      return this.#view(updated, next);
    });
  }

  #validate(row: DraftRow, changes: Changes) {
    const files = Object.fromEntries(
      Object.entries(this.#files(row, changes)).filter((e): e is [string, string] => e[1] !== null),
    );
    const source = new MemoryFileSource(files);
    const r = loadDefinition(source, row.path, { rootLabel: 'repository' });
    const read: Record<string, string> = {};
    for (const f of r.files) {
      const t = source.readFile(f);
      if (t !== undefined) read[f] = t;
    }
    return { loaded: r, files: read };
  }

  /** The same diagnostics as `mooring validate`, for the draft's files. */
  async validate(p: UserPrincipal, clusterId: string, draftId: string): Promise<ValidationView> {
    const row = await this.#row(p, clusterId, draftId);
    const { loaded } = this.#validate(row, this.#changes(row));
    const errors = loaded.diagnostics.map(issue);
    return { valid: !!loaded.definition && !errors.some((e) => e.severity === 'error'), errors };
  }

  /** What publishing the draft would change on the cluster, rendered by its agent; nothing applied. */
  async preview(p: UserPrincipal, clusterId: string, draftId: string): Promise<PreviewView> {
    const row = await this.#row(p, clusterId, draftId);
    const { loaded, files } = this.#validate(row, this.#changes(row));
    const conn = await this.#connection(p, clusterId);
    return previewRef(
      {
        fetch: async () => ({
          commit: row.base_commit,
          ...(loaded.definition ? { definition: loaded.definition } : {}),
          diagnostics: loaded.diagnostics,
          files,
        }),
        ...(this.#o.bus ? { bus: this.#o.bus } : {}),
      },
      {
        clusterId,
        location: conn.location,
        credential: conn.credential,
        path: row.path,
        ref: `draft/${row.id}`,
      },
    );
  }

  /**
   * Publishes the draft as one commit authored by the person: to the configured branch (then a
   * sync is requested), or to a new branch with a pull request where the provider has them.
   * Values chosen for encryption are SOPS-encrypted first, for the age recipients of the
   * repository's `.sops.yaml`.
   */
  async publish(
    p: UserPrincipal,
    clusterId: string,
    draftId: string,
    input: PublishInput,
  ): Promise<PublishView> {
    const row = await this.#row(p, clusterId, draftId);
    this.#publishable(row);
    const changes = this.#changes(row);
    const { loaded } = this.#validate(row, changes);
    const diagnostics = loaded.diagnostics.map(issue);
    if (!loaded.definition || diagnostics.some((d) => d.severity === 'error'))
      throw new InvalidDefinitionError(diagnostics);
    const conn = await this.connectionOf(p, clusterId);
    const toBranch = input.branch ?? row.branch;
    const newBranch = toBranch !== row.branch;
    const user = await this.#db
      .selectFrom('users')
      .select(['username', 'display_name'])
      .where('id', '=', p.userId)
      .executeTakeFirst();
    const author = {
      name: user?.display_name || p.username,
      email: input.author_email ?? `${p.username}@users.noreply.mooring`,
    };
    const ws = new Workspace(this.#files(row, changes), row.path);
    // files to encrypt: changed in the draft, or whose encrypted paths the draft changed; never twice
    const base = JSON.parse(row.base_files) as Record<string, string>;
    const before = new Map<string, string>();
    try {
      for (const e of new Workspace(base, row.path).encryptionPlan())
        before.set(e.file, JSON.stringify(e.paths));
    } catch {
      // the base does not parse: every planned file is new to encryption
    }
    const plan = ws
      .encryptionPlan()
      .map((e) => ({ ...e, text: changes[e.file] ?? base[e.file] }))
      .filter(
        (e): e is typeof e & { text: string } =>
          typeof e.text === 'string' &&
          !isSopsEncrypted(e.text) &&
          (typeof changes[e.file] === 'string' || before.get(e.file) !== JSON.stringify(e.paths)),
      );
    // one publish per draft, in every replica: the one whose conditional UPDATE moves the draft
    // from the state and revision it read to `publishing` goes on; another gets a 409
    const claimed = await this.#claim(row);
    let published = false;
    try {
      return await this.#publishClaimed(p, clusterId, claimed, changes, input, {
        conn,
        toBranch,
        newBranch,
        author,
        plan,
        base,
        onPublished: () => {
          published = true;
        },
      });
    } finally {
      if (!published)
        await this.#db
          .updateTable('stack_drafts')
          .set({ state: 'open', publishing_since: null })
          .where('id', '=', claimed.id)
          .where('state', '=', 'publishing')
          .where('revision', '=', claimed.revision)
          .execute()
          .catch((e: Error) =>
            this.#o.logger.warn({ err: { message: e.message }, draft: claimed.id }, 'draft not reopened'),
          );
    }
  }

  /** The URL git pushes to: the repository's, on the configured Bitbucket Cloud Git host. */
  #pushUrl(location: RepositoryLocation, url: string): string {
    const host = this.#o.bitbucketCloudGitUrl?.replace(/\/+$/, '');
    if (location.provider !== 'bitbucket_cloud' || !host) return url;
    return url.replace(/^https:\/\/bitbucket\.org(?=\/)/i, host);
  }

  /** The pull request API root when not derived from the repository URL. */
  #pullRequestApi(location: RepositoryLocation): string | undefined {
    if (this.#o.pullRequestApi) return this.#o.pullRequestApi;
    const cloud = this.#o.providers?.bitbucketCloudApiUrl;
    if (location.provider === 'bitbucket_cloud' && cloud) return `${cloud.replace(/\/+$/, '')}/2.0`;
    return undefined;
  }

  /** Throws the 409 of a draft that cannot be published now. */
  #publishable(row: DraftRow): void {
    if (row.state === 'published') throw new ConflictError(`draft ${row.id} was published already`);
    if (row.state === 'publishing' && !this.#stale(row))
      throw new ConflictError(beingPublished(row.publishing_since));
  }

  #stale(row: DraftRow): boolean {
    return (
      row.state === 'publishing' &&
      (!row.publishing_since ||
        this.#o.clock().getTime() - row.publishing_since.getTime() > PUBLISH_TAKEOVER_MS)
    );
  }

  /**
   * Moves the draft to `publishing` if it is still as read (state and revision): one UPDATE, so
   * of two publishes at once, in one process or two, exactly one gets the row.
   */
  async #claim(row: DraftRow): Promise<DraftRow> {
    const claimed = await this.#db
      .updateTable('stack_drafts')
      .set({ state: 'publishing', publishing_since: this.#o.clock(), revision: row.revision + 1 })
      .where('id', '=', row.id)
      .where('state', '=', row.state)
      .where('revision', '=', row.revision)
      .returningAll()
      .executeTakeFirst();
    if (claimed) return claimed;
    const now = await this.#db
      .selectFrom('stack_drafts')
      .selectAll()
      .where('id', '=', row.id)
      .executeTakeFirst();
    if (!now) throw new NotFoundError('draft', row.id);
    this.#publishable(now);
    throw new ConflictError(`draft ${row.id} was edited while its publish began: publish it again`);
  }

  async #publishClaimed(
    p: UserPrincipal,
    clusterId: string,
    row: DraftRow,
    changes: Changes,
    input: PublishInput,
    c: {
      conn: Awaited<ReturnType<DraftsService['connectionOf']>>;
      toBranch: string;
      newBranch: boolean;
      author: { name: string; email: string };
      plan: { file: string; paths: string[]; text: string }[];
      base: Record<string, string>;
      onPublished: () => void;
    },
  ): Promise<PublishView> {
    const { conn, toBranch, newBranch, author, plan, base } = c;
    const encrypted: PublishView['encrypted'] = [];
    const message =
      input.message ??
      `${row.title}\n\n${this.#summary(row, changes)
        .changed_files.map((f) => `${f.change}: ${f.path}`)
        .join('\n')}`;
    let result: Awaited<ReturnType<typeof publishDraft>>;
    try {
      result = await publishDraft({
        url: this.#pushUrl(conn.location, row.repository_url),
        ...(conn.credential?.kind === 'git' ? { auth: conn.credential.auth } : {}),
        baseCommit: row.base_commit,
        fromBranch: row.branch,
        toBranch,
        changes,
        author,
        message,
        prepare: async (c, read) => {
          const out = { ...c };
          // a new file must not replace one the definition did not read
          for (const [f, text] of Object.entries(c)) {
            if (text === null || f in base) continue;
            const there = await read(f);
            if (there !== undefined && there !== text)
              throw new ConflictError(
                `${f} already exists in the repository (the definition does not read it): rename the member, or remove that file first`,
              );
          }
          for (const e of plan) {
            const recipients = await recipientsFor(e.file, read);
            if (recipients.length === 0)
              throw new ConflictError(
                `${e.file} holds values chosen for encryption (${e.paths.join(', ')}) but the repository's .sops.yaml names no age recipient for it: add a creation rule with age recipients`,
              );
            const r = await this.#sops.encrypt(e.text, { recipients, encryptedPaths: e.paths });
            out[e.file] = r.text;
            encrypted.push({ path: e.file, paths: r.encryptedPaths });
          }
          return out;
        },
      });
    } catch (e) {
      if (e instanceof PublishConflict) throw new ConflictError(e.message, { cause: e });
      if (e instanceof GitError) {
        if (newBranch && /\[rejected\]|already exists|non-fast-forward|fetch first/i.test(e.stderr))
          throw new ConflictError(
            `the branch ${toBranch} already exists with other commits: choose another name`,
            {
              cause: e,
            },
          );
        throw new UpstreamError(`publishing to ${toBranch} failed: ${e.message}`, { cause: e });
      }
      throw e;
    }
    let pullRequest: PullRequest | null = null;
    let pullRequestError: string | null = null;
    if (
      !result.unchanged &&
      newBranch &&
      input.pull_request !== false &&
      supportsPullRequests(conn.location.provider)
    ) {
      try {
        pullRequest = await openPullRequest({
          location: conn.location,
          credential: conn.credential,
          head: toBranch,
          base: row.branch,
          title: row.title,
          body: message,
          ...(this.#pullRequestApi(conn.location) ? { apiBase: this.#pullRequestApi(conn.location) } : {}),
        });
      } catch (e) {
        pullRequestError = (e as Error).message;
      }
    }
    let updated = row;
    if (!result.unchanged) {
      updated =
        (await this.#db
          .updateTable('stack_drafts')
          .set({
            state: 'published',
            publishing_since: null,
            published_at: this.#o.clock(),
            published_by: author.name,
            published_commit: result.commit,
            published_branch: toBranch,
            pull_request_url: pullRequest?.url ?? null,
            updated_at: this.#o.clock(),
          })
          .where('id', '=', row.id)
          .returningAll()
          .executeTakeFirst()) ?? row;
      c.onPublished();
    }
    let syncRequested = false;
    if (!result.unchanged && !newBranch) {
      try {
        await this.#o.gitops.syncNow(p, clusterId);
        syncRequested = true;
      } catch (e) {
        this.#o.logger.warn(
          { err: { message: (e as Error).message }, cluster: clusterId },
          'sync after publish not requested',
        );
      }
    }
    return {
      draft: this.#summary(updated, changes),
      commit: result.commit,
      branch: toBranch,
      rebased: result.rebased,
      unchanged: result.unchanged,
      encrypted,
      pull_request: pullRequest,
      pull_request_error: pullRequestError,
      sync_requested: syncRequested,
    };
  }

  // ---- edits -------------------------------------------------------------------------------

  createStack(p: UserPrincipal, c: string, d: string, name: string, fields: Record<string, unknown>) {
    return this.edit(p, c, d, (ws) => ws.createStack(name, fields));
  }
  updateStack(p: UserPrincipal, c: string, d: string, name: string, patch: Record<string, unknown>) {
    return this.edit(p, c, d, (ws) => ws.updateStack(name, patch));
  }
  deleteStack(p: UserPrincipal, c: string, d: string, name: string) {
    return this.edit(p, c, d, (ws) => ws.deleteStack(name));
  }
  createMember(
    p: UserPrincipal,
    c: string,
    d: string,
    stack: string,
    kind: MemberKind,
    name: string,
    fields: Record<string, unknown>,
    text: string | undefined,
  ) {
    return this.edit(p, c, d, (ws) => ws.createMember(stack, kind, name, fields, text));
  }
  updateMember(
    p: UserPrincipal,
    c: string,
    d: string,
    stack: string,
    kind: MemberKind,
    name: string,
    patch: Record<string, unknown>,
    text: string | undefined,
  ) {
    return this.edit(p, c, d, (ws) => ws.updateMember(stack, kind, name, patch, text));
  }
  deleteMember(p: UserPrincipal, c: string, d: string, stack: string, kind: MemberKind, name: string) {
    return this.edit(p, c, d, (ws) => ws.deleteMember(stack, kind, name));
  }
}

/**
 * The age recipients sops would use for `file`: the first `creation_rules` entry of the nearest
 * `.sops.yaml` (the file's folder, then up to the repository root) whose `path_regex` matches.
 */
export async function recipientsFor(
  file: string,
  read: (path: string) => Promise<string | undefined>,
): Promise<string[]> {
  const parts = file.split('/').slice(0, -1);
  for (let i = parts.length; i >= 0; i--) {
    const dir = parts.slice(0, i).join('/');
    const text = await read(dir ? `${dir}/.sops.yaml` : '.sops.yaml');
    if (text === undefined) continue;
    const conf = parseYaml(text) as { creation_rules?: { path_regex?: string; age?: string | string[] }[] };
    const rel = dir ? file.slice(dir.length + 1) : file;
    for (const rule of conf?.creation_rules ?? []) {
      if (
        rule.path_regex &&
        !new RegExp(rule.path_regex).test(rel) &&
        !new RegExp(rule.path_regex).test(file)
      )
        continue;
      const age = Array.isArray(rule.age) ? rule.age : (rule.age ?? '').split(',');
      return age.map((a) => a.trim()).filter(Boolean);
    }
    return [];
  }
  return [];
}
