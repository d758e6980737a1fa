import { REGIONS } from './regions.ts';

export interface Placeable {
  id: string;
  name: string;
  region: string | null;
}

export interface Placed<C> {
  cluster: C;
  region: string;
  /** [longitude, latitude] */
  at: readonly [number, number];
}

export interface Unplaced<C> {
  cluster: C;
  reason: string;
}

/** The region a label names: lower case, a zone's suffix removed (eu-west-1a, europe-west1-b). */
export function normaliseRegion(label: string): string {
  const r = label.trim().toLowerCase();
  if (REGIONS[r]) return r;
  const awsZone = /^([a-z]+-[a-z]+-\d+)[a-z]$/.exec(r);
  if (awsZone && REGIONS[awsZone[1]!]) return awsZone[1]!;
  const gcpZone = /^([a-z]+-[a-z]+\d+)-[a-z]$/.exec(r);
  if (gcpZone && REGIONS[gcpZone[1]!]) return gcpZone[1]!;
  return r;
}

/** Places each cluster by its region label; those that cannot be placed come with the reason. */
export function placeClusters<C extends Placeable>(
  clusters: readonly C[],
): { placed: Placed<C>[]; unplaced: Unplaced<C>[] } {
  const placed: Placed<C>[] = [];
  const unplaced: Unplaced<C>[] = [];
  for (const cluster of clusters) {
    if (!cluster.region || cluster.region.trim() === '') {
      unplaced.push({ cluster, reason: 'no region reported yet: its agent has not checked in with one' });
      continue;
    }
    const region = normaliseRegion(cluster.region);
    const at = REGIONS[region];
    if (!at) {
      unplaced.push({ cluster, reason: `region “${cluster.region}” is not a known cloud region` });
      continue;
    }
    placed.push({ cluster, region, at });
  }
  return { placed, unplaced };
}

/** Placed clusters grouped by spot, so several in one region show as one marker with a count. */
export function groupBySpot<C extends Placeable>(placed: readonly Placed<C>[]): Placed<C>[][] {
  const groups = new Map<string, Placed<C>[]>();
  for (const p of placed) {
    const k = `${p.at[0]},${p.at[1]}`;
    const g = groups.get(k);
    if (g) g.push(p);
    else groups.set(k, [p]);
  }
  return [...groups.values()];
}
