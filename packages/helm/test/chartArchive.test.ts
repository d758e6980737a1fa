import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { readChartFiles } from '../src/chartArchive.ts';
import { ChartSourceError } from '../src/errors.ts';

async function tgz(files: Record<string, string>): Promise<Buffer> {
  const p = pack();
  for (const [name, body] of Object.entries(files)) p.entry({ name }, body);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

describe('readChartFiles', () => {
  it('reads Chart.yaml, values.yaml (comments kept), the schema and the README; ignores subcharts', async () => {
    const data = await tgz({
      'demo/Chart.yaml':
        'apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: "4.5"\ndeprecated: true\ndescription: A demo\n',
      'demo/values.yaml': '# how many\nreplicaCount: 1\n',
      'demo/values.schema.json': '{"type":"object"}',
      'demo/README.md': '# Demo\n',
      'demo/templates/deploy.yaml': 'kind: Deployment\n',
      'demo/charts/sub/values.yaml': 'sub: true\n',
      'demo/charts/sub/README.md': '# Sub\n',
    });
    const f = await readChartFiles(data);
    expect(f.chart).toMatchObject({
      name: 'demo',
      version: '1.2.3',
      appVersion: '4.5',
      deprecated: true,
      description: 'A demo',
    });
    expect(f.values).toBe('# how many\nreplicaCount: 1\n');
    expect(f.schema).toBe('{"type":"object"}');
    expect(f.readme).toBe('# Demo\n');
  });

  it('a chart without values, schema or README answers null for each', async () => {
    const f = await readChartFiles(await tgz({ 'bare/Chart.yaml': 'name: bare\nversion: 0.1.0\n' }));
    expect(f).toMatchObject({ values: null, schema: null, readme: null });
    expect(f.chart.deprecated).toBe(false);
  });

  it('garbage is a ChartSourceError naming the source', async () => {
    await expect(readChartFiles(Buffer.from('not a tgz'), 'x-1.0.0')).rejects.toThrow(ChartSourceError);
    await expect(readChartFiles(Buffer.from('not a tgz'), 'x-1.0.0')).rejects.toThrow(/x-1.0.0/);
  });
});
