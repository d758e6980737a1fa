import { describe, expect, it } from 'vitest';
import { chartRef, mergeValues, setValue } from '../src/commands/charts.ts';
import { intervalText, parseIndexInterval } from '../src/commands/registries.ts';
import { UsageError } from '../src/io.ts';

describe('charts: references and values', () => {
  it('REGISTRY/CHART', () => {
    expect(chartRef('bitnami/redis')).toEqual({ registry: 'bitnami', chart: 'redis' });
    for (const bad of ['redis', 'a/b/c', '/redis', 'bitnami/'])
      expect(() => chartRef(bad)).toThrow(UsageError);
  });

  it('values files merge like helm -f: maps deeply, later files win, lists replaced', () => {
    expect(
      mergeValues([
        { a: 1, m: { x: 1, y: 1 }, l: [1, 2] },
        null,
        { m: { y: 2, z: 3 }, l: [3] },
        { a: { now: 'a map' } },
      ]),
    ).toEqual({ a: { now: 'a map' }, m: { x: 1, y: 2, z: 3 }, l: [3] });
    expect(mergeValues([])).toEqual({});
  });

  it('--set K=V at a dotted path; numbers and booleans typed', () => {
    const v = setValue(
      setValue(setValue({ service: { type: 'ClusterIP' } }, 'service.port=8080'), 'debug=true'),
      'image.tag=1.2.3',
    );
    expect(v).toEqual({ service: { type: 'ClusterIP', port: 8080 }, debug: true, image: { tag: '1.2.3' } });
    expect(setValue({ a: 'scalar' }, 'a.b=x')).toEqual({ a: { b: 'x' } });
    expect(() => setValue({}, 'novalue')).toThrow(/KEY=VALUE/);
  });
});

describe('registries: intervals', () => {
  it.each([
    ['10s', 10],
    ['15m', 900],
    ['6h', 21_600],
    ['1d', 86_400],
    ['off', null],
  ])('%s is %s seconds', (text, seconds) => {
    expect(parseIndexInterval(text)).toBe(seconds);
    expect(intervalText(seconds)).toBe(text);
  });

  it('anything else is a usage error', () => {
    for (const bad of ['often', '1w', '5', '-1h']) expect(() => parseIndexInterval(bad)).toThrow(UsageError);
  });
});
