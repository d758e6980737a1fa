import { useQuery } from '@tanstack/react-query';
import { api, apiAll } from '../api/client.ts';
import type {
  Chart,
  ChartVersion,
  ChartVersionDetail,
  Draft,
  DraftSummary,
  Page,
  Registry,
} from '../api/types.ts';

const e = encodeURIComponent;

export const builderKeys = {
  registries: ['registries'] as const,
  charts: (q: string) => ['charts', q] as const,
  versions: (registry: string, chart: string) => ['charts', registry, chart, 'versions'] as const,
  version: (registry: string, chart: string, version: string) =>
    ['charts', registry, chart, 'version', version] as const,
  drafts: (clusterId: string) => ['clusters', clusterId, 'drafts'] as const,
  draft: (clusterId: string, draftId: string) => ['clusters', clusterId, 'draft', draftId] as const,
};

export const useRegistries = () =>
  useQuery({
    queryKey: builderKeys.registries,
    queryFn: ({ signal }) => apiAll<Registry>('/registries?sort=name', signal),
    staleTime: 60_000,
  });

/** Charts across registries whose name or description has the words, 50 at most. */
export const useChartSearch = (q: string) =>
  useQuery({
    queryKey: builderKeys.charts(q),
    queryFn: ({ signal }) =>
      api<Page<Chart>>(`/charts?page_size=50&sort=name${q ? `&q=${e(q)}` : ''}`, { signal }),
    placeholderData: (previous) => previous,
    staleTime: 30_000,
  });

export const useChartVersions = (registry: string | null, chart: string | null) =>
  useQuery({
    queryKey: builderKeys.versions(registry ?? '', chart ?? ''),
    queryFn: ({ signal }) =>
      api<Page<ChartVersion> & { chart: Chart }>(
        `/charts/${e(registry!)}/${e(chart!)}/versions?page_size=100`,
        {
          signal,
        },
      ),
    enabled: !!registry && !!chart,
    staleTime: 60_000,
  });

export const useChartVersion = (registry: string | null, chart: string | null, version: string | null) =>
  useQuery({
    queryKey: builderKeys.version(registry ?? '', chart ?? '', version ?? ''),
    queryFn: ({ signal }) =>
      api<ChartVersionDetail>(`/charts/${e(registry!)}/${e(chart!)}/versions/${e(version!)}`, { signal }),
    enabled: !!registry && !!chart && !!version,
    staleTime: 300_000,
  });

export const useDrafts = (clusterId: string) =>
  useQuery({
    queryKey: builderKeys.drafts(clusterId),
    queryFn: ({ signal }) =>
      api<{ items: DraftSummary[] }>(`/clusters/${e(clusterId)}/drafts`, { signal }).then((r) => r.items),
  });

export const useDraft = (clusterId: string, draftId: string | null) =>
  useQuery({
    queryKey: builderKeys.draft(clusterId, draftId ?? ''),
    queryFn: ({ signal }) => api<Draft>(`/clusters/${e(clusterId)}/drafts/${e(draftId!)}`, { signal }),
    enabled: draftId !== null,
    staleTime: Number.POSITIVE_INFINITY,
  });

export const draftPath = (clusterId: string, draftId: string) =>
  `/clusters/${e(clusterId)}/drafts/${e(draftId)}`;
