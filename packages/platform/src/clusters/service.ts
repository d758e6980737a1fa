import { randomUUID } from 'node:crypto';
import type { AgentPrincipal, UserPrincipal } from '../auth/principal.ts';
import { hashSecret, newSecret } from '../auth/secrets.ts';
import type { Clock } from '../clock.ts';
import type { ClusterRow, Database } from '../db/types.ts';
import { ConflictError, type DefinitionIssue, NotFoundError, UnauthenticatedError } from '../errors.ts';
import { type Page, type PageRequest, toPage } from '../http/pagination.ts';
import { CheckInWriter } from './checkInWriter.ts';
import { type ImportInput, validateImport } from './definition.ts';
import type { ArgocdHandoff, CheckInReport, ClusterHooks, ClusterRef } from './hooks.ts';
import { installCommand } from './installCommand.ts';
import {
  type ClusterSortField,
  findCluster,
  findClusterByAgentToken,
  findClusterByName,
  findClusterView,
  listClusters,
} from './queries.ts';
import { clusterState } from './state.ts';
import { type ClusterView, clusterView } from './views.ts';

export interface ClustersServiceOptions {
  db: Database;
  clock: Clock;
  /** The agent chart and the platform URL in install commands. */
  agentChart: string;
  publicUrl: string;
  hooks?: ClusterHooks;
}

/** The agent token and install command: in the import or regenerate answer only. */
export interface AgentInstall {
  agent_token: string;
  install_command: string;
}

export interface CheckInAnswer {
  cluster_id: string;
  state: 'online' | 'offline';
  bus?: Record<string, unknown>;
  argocd?: ArgocdHandoff;
}

const ref = (c: Pick<ClusterRow, 'id' | 'organization_id' | 'name'>): ClusterRef => ({
  id: c.id,
  organizationId: c.organization_id,
  name: c.name,
});

/** Imported clusters, their agent tokens and the agents' check-ins. */
export class ClustersService {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #chart: string;
  readonly #publicUrl: string;
  readonly #hooks: ClusterHooks;
  readonly #checkIns: CheckInWriter;
  constructor(o: ClustersServiceOptions) {
    this.#db = o.db;
    this.#clock = o.clock;
    this.#chart = o.agentChart;
    this.#publicUrl = o.publicUrl;
    this.#hooks = o.hooks ?? {};
    this.#checkIns = new CheckInWriter(o.db);
  }

  #install(token: string): AgentInstall {
    return {
      agent_token: token,
      install_command: installCommand({ chart: this.#chart, token, platformUrl: this.#publicUrl }),
    };
  }

  /** Validates and stores an ImportCluster; an invalid one stores nothing (422 with every diagnostic). */
  async import(
    p: UserPrincipal,
    input: ImportInput,
  ): Promise<{ cluster: ClusterView; warnings: DefinitionIssue[] } & AgentInstall> {
    const valid = validateImport(input);
    const name = valid.definition.name;
    const token = newSecret('agent');
    const id = randomUUID();
    const now = this.#clock();
    await this.#db.transaction().execute(async (tx) => {
      if (await findClusterByName(tx, p.organizationId, name)) {
        throw new ConflictError(`a cluster named ${JSON.stringify(name)} exists already`);
      }
      await tx
        .insertInto('clusters')
        .values({
          id,
          organization_id: p.organizationId,
          name,
          description: valid.definition.description ?? '',
          definition_path: valid.path,
          agent_token_hash: hashSecret(token),
          created_at: now,
          updated_at: now,
        })
        .execute();
      await tx
        .insertInto('cluster_definitions')
        .values({
          cluster_id: id,
          definition_text: input.definition,
          definition_files: JSON.stringify(valid.files),
        })
        .execute();
    });
    const row = await this.#row(p.organizationId, id);
    await this.#hooks.imported?.(ref(row));
    return { cluster: clusterView(row, now), warnings: valid.warnings, ...this.#install(token) };
  }

  async list(p: UserPrincipal, page: PageRequest<ClusterSortField>): Promise<Page<ClusterView>> {
    const { rows, total } = await listClusters(this.#db, p.organizationId, page);
    const now = this.#clock();
    return toPage(
      rows.map((r) => clusterView(r, now)),
      total,
      page,
    );
  }

  async get(p: UserPrincipal, id: string): Promise<ClusterView> {
    const row = await findClusterView(this.#db, p.organizationId, id);
    if (!row) throw new NotFoundError('cluster', id);
    return clusterView(row, this.#clock());
  }

  /** The stored definition: the main file's text and every file it read. */
  async definition(p: UserPrincipal, id: string): Promise<{ path: string; files: Record<string, string> }> {
    const row = await this.#row(p.organizationId, id);
    return { path: row.definition_path, files: JSON.parse(row.definition_files) as Record<string, string> };
  }

  /** Forgets the cluster and disconnects its agent (its token stops working); nothing in the cluster is touched. */
  async remove(p: UserPrincipal, id: string): Promise<void> {
    const row = await this.#row(p.organizationId, id);
    const now = this.#clock();
    await this.#db
      .updateTable('clusters')
      .set({ deleted_at: now, updated_at: now, agent_token_hash: null, agent_connected: false })
      .where('id', '=', id)
      .execute();
    await this.#hooks.deleted?.(ref(row));
  }

  /** A new agent token; the old one stops working at once. */
  async regenerateAgentToken(p: UserPrincipal, id: string): Promise<{ cluster: ClusterView } & AgentInstall> {
    const row = await this.#row(p.organizationId, id);
    const token = newSecret('agent');
    const now = this.#clock();
    await this.#db
      .updateTable('clusters')
      .set({ agent_token_hash: hashSecret(token), agent_connected: false, updated_at: now })
      .where('id', '=', id)
      .execute();
    await this.#hooks.agentTokenReplaced?.(ref(row));
    return { cluster: clusterView(await this.#row(p.organizationId, id), now), ...this.#install(token) };
  }

  /** Whether a secret is a live cluster's current agent token. */
  async agentTokenValid(secret: string): Promise<boolean> {
    return (await findClusterByAgentToken(this.#db, hashSecret(secret))) !== undefined;
  }

  /** Records an agent's check-in; answers with the cluster's state and, when a hook gives them, bus credentials. */
  async checkIn(agent: AgentPrincipal, report: CheckInReport): Promise<CheckInAnswer> {
    const now = this.#clock();
    // written with the other check-ins of the moment, in one statement
    const row = await this.#checkIns.record(agent, report, now);
    if (!row) throw new UnauthenticatedError('unknown agent token: it was replaced, or its cluster deleted');
    const bus =
      report.bus_credentials === false
        ? undefined
        : await this.#hooks.issueBusCredentials?.(ref(row), report);
    // an agent that lost its Argo CD connection (it restarted) gets the stored one back
    const argocd =
      report.argocd_connected === false ? await this.#hooks.argocdConnection?.(ref(row)) : undefined;
    return {
      cluster_id: row.id,
      state: clusterState(row.last_check_in, now),
      ...(bus ? { bus } : {}),
      ...(argocd ? { argocd } : {}),
    };
  }

  async #row(organizationId: string, id: string): Promise<ClusterRow> {
    const row = await findCluster(this.#db, organizationId, id);
    if (!row) throw new NotFoundError('cluster', id);
    return row;
  }
}
