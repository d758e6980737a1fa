/**
 * The JavaScript a first visit loads (the entry script and what it preloads), raw and gzipped:
 * `npm run size -w @mooring/web` after `npm run build:web`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { WEB_DIST } from '../paths.ts';

const html = readFileSync(join(WEB_DIST, 'index.html'), 'utf8');
const files = [
  ...html.matchAll(/<script[^>]*type="module"[^>]*src="\/([^"]+)"/g),
  ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/([^"]+)"/g),
].map((m) => m[1]!);
let raw = 0;
let gzip = 0;
for (const f of files) {
  const bytes = readFileSync(join(WEB_DIST, f));
  const z = gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  gzip += z;
  console.log(`${f}\t${(bytes.length / 1024).toFixed(1)} KiB\t${(z / 1024).toFixed(1)} KiB gzip`);
}
console.log(`initial JavaScript: ${(raw / 1024).toFixed(1)} KiB, ${(gzip / 1024).toFixed(1)} KiB gzip`);
