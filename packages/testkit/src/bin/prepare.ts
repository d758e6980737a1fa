/**
 * Installs what the test kit runs: Debian packages (docker-registry,
 * PostgreSQL, age, git, openssl, Chromium for the web UI's tests, redis-server for Argo CD) when missing,
 * the pinned upstream binaries (built from Go modules into the cache, only when
 * missing), and builds the web UI when its dist/ is missing or older than its sources.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { WEB_ROOT, webBuildIsFresh } from '../../../web/src/paths.ts';
import { binCache, missingBinaries, REPO_ROOT, TESTKIT_ROOT } from '../paths.ts';

const debs: Record<string, string> = {
  'docker-registry': 'docker-registry',
  'age-keygen': 'age',
  git: 'git',
  openssl: 'openssl',
  pg_ctlcluster: 'postgresql',
  chromium: 'chromium',
  // Argo CD's cache, for the suites that start Argo CD
  'redis-server': 'redis-server',
};

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const missingDebs = Object.entries(debs)
  .filter(([cmd]) => !onPath(cmd))
  .map(([, pkg]) => pkg);
if (missingDebs.length > 0) {
  if (process.getuid?.() !== 0) {
    console.error(
      `[prepare] missing Debian packages: ${missingDebs.join(' ')} (install them with apt-get as root)`,
    );
    process.exit(1);
  }
  console.error(`[prepare] apt-get install ${missingDebs.join(' ')}`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missingDebs], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  // the Debian packages register services; the kit starts its own instances
}

const missing = missingBinaries();
if (missing.length > 0) {
  console.error(
    `[prepare] building ${missing.join(', ')} into ${binCache()} (a cold build takes about 10-15 minutes on 2 cores)`,
  );
  const t = Date.now();
  execFileSync('bash', [join(TESTKIT_ROOT, 'scripts', 'build-binaries.sh')], { stdio: 'inherit' });
  console.error(`[prepare] built in ${((Date.now() - t) / 1000).toFixed(0)}s`);
}

if (!webBuildIsFresh()) {
  console.error('[prepare] building the web UI (packages/web/dist)');
  execFileSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: WEB_ROOT,
      stdio: 'inherit',
      // a production build whatever runs it (vitest sets NODE_ENV=test)
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
}
