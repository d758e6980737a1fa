import { type ApiClient, NotFoundLocallyError } from '../api/client.ts';
import type { ClusterView } from './clusters.ts';

/** A cluster by id or name (ids first); NotFoundLocallyError when neither matches. */
export async function findCluster(client: ApiClient, ref: string): Promise<ClusterView> {
  const all = await client.all<ClusterView>('/clusters');
  const found = all.find((c) => c.id === ref) ?? all.find((c) => c.name === ref);
  if (!found) throw new NotFoundLocallyError(`no cluster named or with id "${ref}"`);
  return found;
}
