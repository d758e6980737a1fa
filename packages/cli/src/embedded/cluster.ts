/**
 * The cluster the embedded agent serves: imported from an ImportCluster file
 * the first time (looked up by its name afterwards), and its agent token,
 * kept in the data directory (mode 0600) so a restart reconnects without a
 * new token. A lost token file gets a new token (the old one stops working).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningPlatform } from '@mooring/platform';
import type { UserPrincipal } from './owner.ts';

export interface EmbeddedCluster {
  id: string;
  name: string;
  token: string;
  /** True when this start imported it. */
  imported: boolean;
  /** The stored definition (what an apply sends to the agent). */
  definition: { path: string; files: Record<string, string> };
}

export interface DefinitionFiles {
  /** The ImportCluster file's path in `files`. */
  path: string;
  files: Record<string, string>;
}

function tokenFile(dataDir: string, clusterId: string): string {
  return join(dataDir, 'agents', `${clusterId}.token`);
}

function saveToken(dataDir: string, clusterId: string, token: string): void {
  mkdirSync(join(dataDir, 'agents'), { recursive: true, mode: 0o700 });
  const f = tokenFile(dataDir, clusterId);
  writeFileSync(f, `${token}\n`, { mode: 0o600 });
  chmodSync(f, 0o600);
}

export async function ensureCluster(
  platform: RunningPlatform,
  owner: UserPrincipal,
  name: string,
  def: DefinitionFiles,
  dataDir: string,
): Promise<EmbeddedCluster> {
  const clusters = platform.services.clusters;
  const existing = await platform.database.db
    .selectFrom('clusters')
    .select(['id', 'name'])
    .where('organization_id', '=', owner.organizationId)
    .where('name', '=', name)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!existing) {
    const r = await clusters.import(owner, {
      definition: def.files[def.path]!,
      path: def.path,
      files: def.files,
    });
    saveToken(dataDir, r.cluster.id, r.agent_token);
    return {
      id: r.cluster.id,
      name,
      token: r.agent_token,
      imported: true,
      definition: await clusters.definition(owner, r.cluster.id),
    };
  }
  const f = tokenFile(dataDir, existing.id);
  let token = existsSync(f) ? readFileSync(f, 'utf8').trim() : '';
  if (!token || !(await clusters.agentTokenValid(token))) {
    token = (await clusters.regenerateAgentToken(owner, existing.id)).agent_token;
    saveToken(dataDir, existing.id, token);
  }
  return {
    id: existing.id,
    name,
    token,
    imported: false,
    definition: await clusters.definition(owner, existing.id),
  };
}
