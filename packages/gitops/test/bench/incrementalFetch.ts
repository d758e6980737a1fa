// Measures an incremental re-fetch of an unchanged repository through the real git http server.
// Run: npx node packages/gitops/test/bench/incrementalFetch.ts

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startGitServer } from '@mooring/testkit';
import { GitCache } from '../../src/index.ts';

const ex = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'bench-'));
const srv = await startGitServer(work);
const url = srv.createRepo('r');
const wc = join(work, 'wc');
await ex('git', ['init', '-q', wc]);
for (let i = 0; i < 200; i++) writeFileSync(join(wc, `f${i}.yaml`), `a: ${i}\n`);
await ex('git', ['-C', wc, 'add', '-A']);
await ex('git', ['-C', wc, '-c', 'user.name=x', '-c', 'user.email=x@x', 'commit', '-qm', 'x']);
await ex('git', ['-C', wc, 'push', '-q', url, 'HEAD:refs/heads/main']);
const cache = new GitCache({ dir: join(work, 'cache') });
const t0 = performance.now();
const first = await cache.checkout({ url, ref: 'main' });
console.log(
  'first fetch+materialise',
  (performance.now() - t0).toFixed(1),
  'ms; fetch',
  first.durationMs.toFixed(1),
);
const times: number[] = [];
for (let i = 0; i < 30; i++) times.push((await cache.fetch({ url, ref: 'main' })).durationMs);
console.log(times.map((t) => t.toFixed(0)).join(' '));
times.sort((a, b) => a - b);
console.log('median', times[15]?.toFixed(1), 'p90', times[27]?.toFixed(1));
await srv.stop();
rmSync(work, { recursive: true, force: true });
