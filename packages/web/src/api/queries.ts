import { useQuery } from '@tanstack/react-query';
import { api, apiAll } from './client.ts';
import type {
  Addon,
  AddonDetail,
  ApiToken,
  Cluster,
  GitopsStatus,
  Grant,
  Me,
  Operation,
  OperationDetail,
  Page,
  StacksAnswer,
  SyncRun,
  User,
} from './types.ts';

export const keys = {
  me: ['me'] as const,
  clusters: ['clusters'] as const,
  cluster: (id: string) => ['clusters', id] as const,
  addons: (id: string) => ['clusters', id, 'addons'] as const,
  addon: (id: string, name: string) => ['clusters', id, 'addon', name] as const,
  stacks: (id: string) => ['clusters', id, 'stacks'] as const,
  users: ['users'] as const,
  grants: (id: string) => ['clusters', id, 'grants'] as const,
  operations: (clusterId: string) => ['operations', clusterId] as const,
  operation: (id: string) => ['operation', id] as const,
  tokens: ['tokens'] as const,
  gitops: (id: string) => ['clusters', id, 'gitops'] as const,
  syncs: (id: string, page: number, sort: string) => ['clusters', id, 'syncs', page, sort] as const,
};

export const useMe = () =>
  useQuery({ queryKey: keys.me, queryFn: ({ signal }) => api<Me>('/me', { signal }) });

/** Every cluster, refreshed every 15 s (online state follows agents' check-ins). */
export const useClusters = () =>
  useQuery({
    queryKey: keys.clusters,
    queryFn: ({ signal }) => apiAll<Cluster>('/clusters?sort=name', signal),
    refetchInterval: 15_000,
  });

export const useCluster = (id: string) =>
  useQuery({
    queryKey: keys.cluster(id),
    queryFn: ({ signal }) => api<Cluster>(`/clusters/${encodeURIComponent(id)}`, { signal }),
    refetchInterval: 15_000,
  });

export const useAddons = (id: string) =>
  useQuery({
    queryKey: keys.addons(id),
    queryFn: ({ signal }) => apiAll<Addon>(`/clusters/${encodeURIComponent(id)}/addons?sort=name`, signal),
    refetchInterval: 15_000,
  });

/** The cluster's latest operations, refreshed every 3 s while one is under way. */
export const useOperations = (clusterId: string) =>
  useQuery({
    queryKey: keys.operations(clusterId),
    queryFn: ({ signal }) =>
      api<Page<Operation>>(
        `/operations?cluster_id=${encodeURIComponent(clusterId)}&sort=-created_at&page_size=100`,
        { signal },
      ).then((p) => p.items),
    refetchInterval: (q) =>
      q.state.data?.some((o) => o.state === 'pending' || o.state === 'running') ? 3_000 : 15_000,
  });

export const useOperation = (id: string | null) =>
  useQuery({
    queryKey: keys.operation(id ?? ''),
    queryFn: ({ signal }) => api<OperationDetail>(`/operations/${encodeURIComponent(id!)}`, { signal }),
    enabled: id !== null,
    refetchInterval: (q) =>
      q.state.data && (q.state.data.state === 'pending' || q.state.data.state === 'running') ? 2_000 : false,
  });

export const useTokens = () =>
  useQuery({ queryKey: keys.tokens, queryFn: ({ signal }) => apiAll<ApiToken>('/tokens', signal) });

/** The cluster's sync status, every 2 s while a sync runs. */
export const useGitopsStatus = (id: string) =>
  useQuery({
    queryKey: keys.gitops(id),
    queryFn: ({ signal }) => api<GitopsStatus>(`/clusters/${encodeURIComponent(id)}/gitops`, { signal }),
    refetchInterval: (q) => (q.state.data?.status === 'Syncing' ? 2_000 : 15_000),
  });

/** One page (10) of the sync history, sorted by the platform. */
export const useSyncs = (id: string, page: number, sort: string) =>
  useQuery({
    queryKey: keys.syncs(id, page, sort),
    queryFn: ({ signal }) =>
      api<Page<SyncRun>>(
        `/clusters/${encodeURIComponent(id)}/syncs?page=${page}&page_size=10&sort=${encodeURIComponent(sort)}`,
        { signal },
      ),
    placeholderData: (previous) => previous,
    refetchInterval: 15_000,
  });

/** The cluster's stacks in deploy order, refreshed every 15 s (3 s while a member deploys). */
export const useStacks = (id: string) =>
  useQuery({
    queryKey: keys.stacks(id),
    queryFn: ({ signal }) => api<StacksAnswer>(`/clusters/${encodeURIComponent(id)}/stacks`, { signal }),
    refetchInterval: (q) =>
      q.state.data?.waves.some((w) => w.stacks.some((s) => s.members.some((m) => m.state === 'Deploying')))
        ? 3_000
        : 15_000,
  });

/** One add-on with its values, Helm history, events and resource tree (asked from the agent). */
export const useAddon = (id: string, name: string) =>
  useQuery({
    queryKey: keys.addon(id, name),
    queryFn: ({ signal }) =>
      api<AddonDetail>(`/clusters/${encodeURIComponent(id)}/addons/${encodeURIComponent(name)}`, { signal }),
    refetchInterval: 10_000,
  });

export const useUsers = (enabled: boolean) =>
  useQuery({ queryKey: keys.users, queryFn: ({ signal }) => apiAll<User>('/users', signal), enabled });

export const useGrants = (clusterId: string | null, enabled: boolean) =>
  useQuery({
    queryKey: keys.grants(clusterId ?? ''),
    queryFn: ({ signal }) =>
      api<{ items: Grant[] }>(`/clusters/${encodeURIComponent(clusterId!)}/grants`, { signal }).then(
        (r) => r.items,
      ),
    enabled: enabled && clusterId !== null,
  });
