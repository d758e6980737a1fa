import { expect } from 'vitest';
import { WorkClone } from '../../../gitops/test/gitFixtures.ts';
import type { ApiCall } from './platformProcess.ts';

/** A work clone of `remote` (a repository on the kit's Git server) whose first commit, `files`, is on main. */
export async function seedRepository(
  remote: string,
  files: Record<string, string>,
  message = 'the cluster',
): Promise<{ clone: WorkClone; commit: string }> {
  const clone = new WorkClone(remote);
  const commit = clone.commit(files, message);
  await clone.push();
  return { clone, commit };
}

/** Imports the cluster whose definition is at `path` in its repository (with the files it reads): 201. */
export async function importCluster(
  api: ApiCall,
  body: { definition: string; path: string; files?: Record<string, string> },
): Promise<{ id: string; agentToken: string }> {
  const r = await api<{ cluster: { id: string }; agent_token: string }>('POST', '/clusters', body);
  expect(r.status, r.text).toBe(201);
  return { id: r.body.cluster.id, agentToken: r.body.agent_token };
}

/** One entry of a cluster's sync history (GET /clusters/:id/syncs). */
export interface SyncRun {
  status: string;
  commit_sha: string;
  operation_id: string | null;
  changed_members: string[];
  errors: { file?: string; line?: number; path?: string; message: string; code: string }[];
}

/** Waits (3 min at the most) until the cluster's sync of `sha` has finished, `success` or `failed`. */
export async function syncFinished(api: ApiCall, clusterId: string, sha: string): Promise<SyncRun> {
  let last: SyncRun | undefined;
  await expect
    .poll(
      async () => {
        last = (await api<{ items: SyncRun[] }>('GET', `/clusters/${clusterId}/syncs`)).body.items.find(
          (s) => s.commit_sha === sha,
        );
        return last?.status;
      },
      { timeout: 180_000, interval: 500 },
    )
    .toMatch(/^(success|failed)$/);
  return last as SyncRun;
}
