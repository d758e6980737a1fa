import { geoEqualEarth, geoPath } from 'd3-geo';
import { useEffect, useMemo, useState } from 'react';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { Cluster } from '../api/types.ts';
import { Link } from '../router/navigation.tsx';
import { groupBySpot, type Placed } from './placement.ts';

const WIDTH = 960;
const HEIGHT = 470;

type Countries = GeoJSON.FeatureCollection<GeoJSON.Geometry>;

/** The countries, from the bundled world-atlas shapes (loaded apart from the first script). */
async function loadCountries(): Promise<Countries> {
  const atlas = (await import('world-atlas/countries-110m.json', { with: { type: 'json' } }))
    .default as unknown as Topology<{
    countries: GeometryCollection;
  }>;
  return feature(atlas, atlas.objects.countries) as Countries;
}

/** The world with a marker per placed cluster (several in one region share one, with a count). */
export function WorldMap({ placed }: { placed: Placed<Cluster>[] }) {
  const [countries, setCountries] = useState<Countries | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    loadCountries().then(
      (c) => live && setCountries(c),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, []);
  const projection = useMemo(() => geoEqualEarth().fitSize([WIDTH, HEIGHT], { type: 'Sphere' }), []);
  const path = useMemo(() => geoPath(projection), [projection]);
  const shapes = useMemo(
    () => (countries ? countries.features.map((f, i) => ({ key: String(f.id ?? i), d: path(f) ?? '' })) : []),
    [countries, path],
  );
  const spots = groupBySpot(placed);

  return (
    <figure className="world-map">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} aria-label="Clusters on a world map">
        <path className="sphere" d={path({ type: 'Sphere' }) ?? ''} />
        <g className="countries">
          {shapes.map((s) => (
            <path key={s.key} d={s.d} />
          ))}
        </g>
        {spots.map((group) => {
          const [x, y] = projection(group[0]!.at as [number, number]) ?? [0, 0];
          const online = group.filter((p) => p.cluster.state === 'online').length;
          const label = group.map((p) => `${p.cluster.name} (${p.cluster.state}, ${p.region})`).join(', ');
          const first = group[0]!.cluster;
          return (
            <Link key={`${x},${y}`} href={`/clusters/${encodeURIComponent(first.id)}`} aria-label={label}>
              <title>{label}</title>
              <circle
                cx={x}
                cy={y}
                r={group.length > 1 ? 9 : 7}
                className={
                  online === group.length ? 'marker online' : online === 0 ? 'marker offline' : 'marker mixed'
                }
              />
              {group.length > 1 ? (
                <text x={x} y={y + 4} textAnchor="middle" className="marker-count">
                  {group.length}
                </text>
              ) : null}
            </Link>
          );
        })}
      </svg>
      <figcaption>
        {failed ? 'The country shapes could not be loaded; the markers are still placed. ' : null}
        <span className="legend online">online</span> <span className="legend offline">offline</span>{' '}
        <span className="legend mixed">some offline</span>
      </figcaption>
    </figure>
  );
}
