// A GitOps repository with one folder per cluster, committed to a real Git
// repository and served by a real git http-backend: validated through the
// server (--git-url) and from a `git clone` checkout, as a new user would.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type GitServer, startGitServer } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTree } from '../../core/test/definition/helpers.ts';
import { WorkClone } from '../../gitops/test/gitFixtures.ts';
import type { Io } from '../src/io.ts';
import { main } from '../src/main.ts';

const FIXTURE = join(import.meta.dirname, '../../core/test/definition/testdata/multi-cluster');
const run = promisify(execFile);

function io(cwd: string): Io & { out: string; err: string } {
  const o = {
    out: '',
    err: '',
    cwd,
    env: { XDG_CACHE_HOME: join(cwd, '.cache') },
    stdout: (t: string) => {
      o.out += t;
    },
    stderr: (t: string) => {
      o.err += t;
    },
  };
  return o;
}

let work: string;
let server: GitServer;
let url: string;
let checkout: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mooring-repo-'));
  server = await startGitServer(join(work, 'server'));
  url = server.createRepo('fleet');
  const clone = new WorkClone(url);
  clone.commit(readTree(FIXTURE), 'two clusters sharing common/');
  await clone.push('main');
  checkout = join(work, 'checkout');
  await run('git', ['clone', '-q', url, checkout], {
    env: { PATH: process.env.PATH ?? '', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' },
  });
});

afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('a real repository with one folder per cluster', () => {
  for (const cluster of ['alpha', 'beta']) {
    it(`validates clusters/${cluster} through the Git server`, async () => {
      const o = io(work);
      const code = await main(
        [
          'validate',
          '--git-url',
          url,
          '--branch',
          'main',
          '-f',
          `clusters/${cluster}/cluster.yaml`,
          '-o',
          'json',
        ],
        o,
      );
      const j = JSON.parse(o.out);
      expect(code, o.err).toBe(0);
      expect(j.valid).toBe(true);
      expect(j.errors).toBe(0);
      expect(j.files).toContain('common/add-ons/metrics.yaml');
    });

    it(`validates clusters/${cluster} from a git clone`, async () => {
      const o = io(checkout);
      const code = await main(['validate', '-f', `clusters/${cluster}/cluster.yaml`], o);
      expect(code, o.out + o.err).toBe(0);
    });
  }

  it('plans alpha from the clone with its shared stack and the application', async () => {
    const o = io(checkout);
    expect(await main(['plan', '-f', 'clusters/alpha/cluster.yaml', '-o', 'json'], o)).toBe(0);
    const plan = JSON.parse(o.out).plan;
    expect(plan.waves.map((w: { wave: number | null }) => w.wave)).toEqual([0, 1]);
    expect(plan.waves[1].stacks[0].applications).toEqual(['grafana']);
  });

  it('refuses the path that escapes the repository, with file, line and field', async () => {
    const o = io(checkout);
    expect(await main(['validate', '-f', 'clusters/escape/cluster.yaml'], o)).toBe(1);
    expect(o.out + o.err).toContain(
      'clusters/escape/cluster.yaml:10:22: error: "from_file" path "../../../outside.yaml" leaves the repository',
    );
    expect(o.out + o.err).toContain('[spec.stacks[0].manifests[0].from_file]');
  });

  it('refuses it through the Git server too', async () => {
    const o = io(work);
    const code = await main(
      ['validate', '--git-url', url, '--branch', 'main', '-f', 'clusters/escape/cluster.yaml', '-o', 'json'],
      o,
    );
    expect(code).toBe(1);
    const j = JSON.parse(o.out);
    expect(j.diagnostics[0]).toMatchObject({ code: 'invalid-path', line: 10, column: 22 });
  });
});
