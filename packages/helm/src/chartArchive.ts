import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { parse } from 'yaml';
import { ChartSourceError } from './errors.ts';

/** What a chart archive says about itself, for a catalogue. */
export interface ChartFiles {
  /** `Chart.yaml` as parsed (empty when the archive has none). */
  chart: ChartMetadata;
  /** `values.yaml` as written (comments kept), or null. */
  values: string | null;
  /** `values.schema.json` as written, or null. */
  schema: string | null;
  /** `README.md` (any case), or null. */
  readme: string | null;
}

export interface ChartMetadata {
  name?: string;
  version?: string;
  appVersion?: string;
  description?: string;
  deprecated?: boolean;
  icon?: string;
  home?: string;
  kubeVersion?: string;
  type?: string;
}

/** Largest file kept from an archive; a bigger one is cut (values and schemas) or left out (README). */
export const CHART_FILE_LIMIT = 1024 * 1024;
/** Largest archive read (gunzipped bytes). */
const ARCHIVE_LIMIT = 64 * 1024 * 1024;

/**
 * Reads `Chart.yaml`, `values.yaml`, `values.schema.json` and the README at the top
 * of a packaged chart (`<name>/...` inside a .tgz), without writing anything to disk.
 * Files of subcharts (`<name>/charts/...`) are ignored.
 */
export async function readChartFiles(tgz: Buffer, source = 'chart archive'): Promise<ChartFiles> {
  const wanted = new Map<string, string>();
  const ex = extract();
  let total = 0;
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const parts = header.name.replace(/^\.\//, '').split('/');
      const top = parts.length === 2 ? parts[1]! : undefined;
      const keep =
        header.type === 'file' &&
        top !== undefined &&
        (top === 'Chart.yaml' ||
          top === 'values.yaml' ||
          top === 'values.schema.json' ||
          /^readme(\.md)?$/i.test(top));
      if (!keep) {
        stream.on('end', next);
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (data: unknown) => {
        const c = data as Buffer;
        size += c.length;
        if (size <= CHART_FILE_LIMIT) chunks.push(c);
      });
      stream.on('end', () => {
        const key = /^readme/i.test(top) ? 'README' : top;
        if (!(key === 'README' && (size > CHART_FILE_LIMIT || wanted.has('README'))))
          wanted.set(key, Buffer.concat(chunks).toString('utf8'));
        next();
      });
      stream.on('error', reject);
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  const gunzip = createGunzip();
  gunzip.on('data', (c: Buffer) => {
    total += c.length;
    if (total > ARCHIVE_LIMIT) gunzip.destroy(new Error(`larger than ${ARCHIVE_LIMIT} bytes unpacked`));
  });
  Readable.from([tgz]).pipe(gunzip).pipe(ex);
  gunzip.on('error', (e) => ex.destroy(e));
  try {
    await done;
  } catch (e) {
    throw new ChartSourceError(`${source}: not a readable chart archive: ${(e as Error).message}`, source, e);
  }
  let chart: ChartMetadata = {};
  const chartYaml = wanted.get('Chart.yaml');
  if (chartYaml !== undefined) {
    try {
      const doc = parse(chartYaml) as Record<string, unknown> | null;
      chart = metadataOf(doc ?? {});
    } catch (e) {
      throw new ChartSourceError(`${source}: Chart.yaml does not parse: ${(e as Error).message}`, source, e);
    }
  }
  return {
    chart,
    values: wanted.get('values.yaml') ?? null,
    schema: wanted.get('values.schema.json') ?? null,
    readme: wanted.get('README') ?? null,
  };
}

/** The fields of a Chart.yaml (or an index entry) a catalogue keeps, as strings and booleans. */
export function metadataOf(doc: Record<string, unknown>): ChartMetadata {
  const str = (k: string) => (doc[k] === undefined || doc[k] === null ? undefined : String(doc[k]));
  return {
    name: str('name'),
    version: str('version'),
    appVersion: str('appVersion'),
    description: str('description'),
    deprecated: doc.deprecated === true,
    icon: str('icon'),
    home: str('home'),
    kubeVersion: str('kubeVersion'),
    type: str('type'),
  };
}
