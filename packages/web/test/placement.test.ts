import { describe, expect, it } from 'vitest';
import { groupBySpot, normaliseRegion, placeClusters } from '../src/map/placement.ts';
import { REGIONS } from '../src/map/regions.ts';

const c = (id: string, region: string | null) => ({ id, name: id, region });

describe('placeClusters', () => {
  it('places clusters by their region label', () => {
    const { placed, unplaced } = placeClusters([
      c('a', 'eu-west-1'),
      c('b', 'us-central1'),
      c('z', 'westeurope'),
    ]);
    expect(unplaced).toEqual([]);
    expect(placed.map((p) => [p.cluster.id, p.region, p.at])).toEqual([
      ['a', 'eu-west-1', REGIONS['eu-west-1']],
      ['b', 'us-central1', REGIONS['us-central1']],
      ['z', 'westeurope', REGIONS.westeurope],
    ]);
  });

  it('accepts zones and any case', () => {
    expect(normaliseRegion(' EU-West-1a ')).toBe('eu-west-1');
    expect(normaliseRegion('europe-west1-b')).toBe('europe-west1');
    expect(normaliseRegion('ap-southeast-2c')).toBe('ap-southeast-2');
    expect(normaliseRegion('mars-north-1x')).toBe('mars-north-1x');
  });

  it('lists those it cannot place with the reason', () => {
    const { placed, unplaced } = placeClusters([c('a', null), c('b', '  '), c('c', 'on-prem-basement')]);
    expect(placed).toEqual([]);
    expect(unplaced.map((u) => [u.cluster.id, u.reason])).toEqual([
      ['a', 'no region reported yet: its agent has not checked in with one'],
      ['b', 'no region reported yet: its agent has not checked in with one'],
      ['c', 'region “on-prem-basement” is not a known cloud region'],
    ]);
  });

  it('groups clusters in one spot', () => {
    const { placed } = placeClusters([
      c('a', 'eu-west-1'),
      c('b', 'eu-west-1b'),
      c('d', 'northeurope'),
      c('e', 'us-east-1'),
    ]);
    const groups = groupBySpot(placed).map((g) => g.map((p) => p.cluster.id));
    // Dublin: AWS eu-west-1 and Azure northeurope share the coordinates
    expect(groups).toEqual([['a', 'b', 'd'], ['e']]);
  });

  it('has coordinates on the globe for every region', () => {
    for (const [name, [lon, lat]] of Object.entries(REGIONS)) {
      expect(Math.abs(lon), name).toBeLessThanOrEqual(180);
      expect(Math.abs(lat), name).toBeLessThanOrEqual(90);
    }
  });
});
