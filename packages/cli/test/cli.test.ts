import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../src/io.ts';
import { COMMANDS, main } from '../src/main.ts';

const REALISTIC = join(import.meta.dirname, '../../core/test/definition/testdata/realistic');
const BIN = join(import.meta.dirname, '../bin/mooring.js');

function fakeIo(cwd: string): Io & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    cwd,
    env: { XDG_CACHE_HOME: join(cwd, '.cache') },
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
  };
  return io;
}

const BAD = `apiVersion: v1
kind: ImportCluster
metadata:
  name: demo
spec:
  stacks:
    - name: s
      addons:
        - name: a
          chart_name: a
          chart_version: 1.20
          namespace: Bad
          repository_url: https://charts.example.com
          settings: { retry_polcy: {} }
          configuration:
            values: |
              password: hunter2
`;

let tmp: string;
let repo: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mooring-cli-'));
  repo = join(tmp, 'repo');
  cpSync(REALISTIC, repo, { recursive: true });
  mkdirSync(join(repo, '.git'));
  writeFileSync(join(repo, 'clusters', 'bad.yaml'), BAD);
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('mooring', () => {
  it('prints usage and exits 2 for an unknown command', async () => {
    const io = fakeIo(tmp);
    expect(await main(['frob'], io)).toBe(2);
    expect(io.err).toContain('unknown command "frob"');
    expect(io.err).toContain('usage: mooring <command>');
    expect(await main([], fakeIo(tmp))).toBe(2);
  });

  it('lists its commands', async () => {
    const io = fakeIo(tmp);
    expect(await main(['--help'], io)).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(io.out).toContain(`  ${name}`);
  });

  it('loads only what a command needs: kube-token (run by kubectl before each call) loads no engine, platform or other command', () => {
    // a resolve hook in a child process lists every module the run loads
    const script = `
      import { registerHooks } from 'node:module';
      const seen = [];
      registerHooks({ resolve: (s, c, next) => { const r = next(s, c); seen.push(r.url); return r; } });
      const { main } = await import(${JSON.stringify(join(import.meta.dirname, '../src/main.ts'))});
      const io = { cwd: process.cwd(), env: { MOORING_TOKEN: 'x' }, stdout() {}, stderr() {} };
      const code = await main(process.argv.slice(1), io);
      console.log(JSON.stringify({ code, seen }));`;
    const run = (args: string[]) => {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, ...args], {
        encoding: 'utf8',
        cwd: tmp,
      });
      return JSON.parse(out.trim().split('\n').pop()!) as { code: number; seen: string[] };
    };
    const token = run(['cluster', 'kube-token', 'c1', '--url', 'http://127.0.0.1:9']);
    expect(token.code).toBe(7); // the platform is unreachable
    const heavy = token.seen.filter((u) =>
      /packages\/(engine|platform|helm|gitops)\/|commands\/(clusters|apply|start)\.ts/.test(u),
    );
    expect(heavy).toEqual([]);
    const list = run(['cluster', 'list', '--url', 'http://127.0.0.1:9']);
    expect(list.code).toBe(7);
    expect(list.seen.some((u) => u.endsWith('commands/clusters.ts'))).toBe(true);
    expect(list.seen.some((u) => u.endsWith('commands/start.ts'))).toBe(false);
  }, 60_000);

  it("the usage list's summaries are the commands' own", async () => {
    for (const [name, entry] of Object.entries(COMMANDS))
      expect([name, (await entry.load()).summary]).toEqual([name, entry.summary]);
  }, 60_000);

  it('rejects unknown options with exit 2', async () => {
    const io = fakeIo(tmp);
    expect(await main(['validate', '--frob'], io)).toBe(2);
    expect(io.err).toContain("Unknown option '--frob'");
    expect(await main(['validate', '--branch', 'main'], fakeIo(tmp))).toBe(2);
    expect(await main(['plan', '-o', 'yaml'], fakeIo(tmp))).toBe(2);
  });
});

describe('mooring validate', () => {
  it('finds the repository root by walking up to .git', async () => {
    const io = fakeIo(join(repo, 'clusters', 'prod'));
    expect(await main(['validate', '-f', 'import-cluster.yaml'], io)).toBe(0);
    expect(io.out).toBe(
      'import-cluster.yaml: valid (cluster prod-eu-1: 4 stacks, 16 members, 14 files read)\n',
    );
  });

  it('prints compiler-style diagnostics and exits 1 on errors', async () => {
    const io = fakeIo(repo);
    expect(await main(['validate', '-f', 'clusters/bad.yaml'], io)).toBe(1);
    expect(io.out.split('\n')).toEqual([
      'clusters/bad.yaml:11:26: error: chart_version 1.20 is a YAML number (read as 1.2): quote it as "1.20" [spec.stacks[0].addons[0].chart_version]',
      'clusters/bad.yaml:12:22: error: namespace "Bad" is not a valid RFC 1123 label: use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit [spec.stacks[0].addons[0].namespace]',
      'clusters/bad.yaml:14:23: error: unknown field "retry_polcy" in settings (did you mean "retry_policy"?) [spec.stacks[0].addons[0].settings.retry_polcy]',
      '  hint: known fields: engine, sync_policy, retry_policy, strict_health_check, revision_history_limit, sync_window, ignore_differences',
      'clusters/bad.yaml:17:25: warning: "password" looks like a plaintext secret; encrypt it with SOPS and list it in encrypted_paths [spec.stacks[0].addons[0].configuration.values.password]',
      '  hint: add "password" to encrypted_paths and commit the SOPS-encrypted value (ENC[...])',
      'clusters/bad.yaml: 3 errors, 1 warning; nothing would be applied',
      '',
    ]);
  });

  it('prints JSON with --output json', async () => {
    const io = fakeIo(repo);
    expect(await main(['validate', '-f', 'clusters/bad.yaml', '--output', 'json'], io)).toBe(1);
    const j = JSON.parse(io.out);
    expect(j).toMatchObject({ file: 'clusters/bad.yaml', valid: false, errors: 3, warnings: 1 });
    expect(j.diagnostics[0]).toEqual({
      severity: 'error',
      file: 'clusters/bad.yaml',
      line: 11,
      column: 26,
      path: 'spec.stacks[0].addons[0].chart_version',
      code: 'unquoted-chart-version',
      message: 'chart_version 1.20 is a YAML number (read as 1.2): quote it as "1.20"',
    });
  });

  it('refuses a path that leaves --root (also --repo-root)', async () => {
    const io = fakeIo(tmp);
    const args = [
      'validate',
      '-f',
      join(repo, 'clusters/prod/import-cluster.yaml'),
      '--repo-root',
      join(repo, 'clusters'),
    ];
    expect(await main(args, io)).toBe(1);
    expect(io.out).toContain(
      'error: "include" path "../../manifests/namespaces/" leaves the root folder: paths are relative to the folder of the cluster definition ("prod") and must stay inside the root folder',
    );
  });

  it('reports a missing file', async () => {
    const io = fakeIo(repo);
    expect(await main(['validate', '-f', 'nope.yaml'], io)).toBe(1);
    expect(io.out).toContain('nope.yaml:1:1: error: the cluster definition "nope.yaml" does not exist');
  });
});

describe('mooring plan', () => {
  it('prints waves, stacks and layers with charts, namespaces and hash prefixes', async () => {
    const io = fakeIo(repo);
    expect(await main(['plan', '-f', 'clusters/prod/import-cluster.yaml'], io)).toBe(0);
    const lines = io.out.split('\n');
    expect(lines[0]).toBe('plan for cluster prod-eu-1: 3 waves, 4 stacks, 16 members');
    expect(lines).toContain('wave 0');
    expect(lines).toContain('stacks without a wave (independent: they start at once, no wave blocks them)');
    expect(io.out).toMatch(
      / {6}addon {5}cert-manager {2}cert-manager@v1\.14\.4 {2}ns=cert-manager {2}[0-9a-f]{12}\n/,
    );
    expect(lines.at(-2)).toBe('teardown runs in reverse: wave 1 → wave 0 → unwaved');
  });

  it('prints the plan as JSON', async () => {
    const io = fakeIo(repo);
    expect(await main(['plan', '-f', 'clusters/prod/import-cluster.yaml', '-o', 'json'], io)).toBe(0);
    const j = JSON.parse(io.out);
    expect(j.plan.waves.map((w: { wave: number | null }) => w.wave)).toEqual([null, 0, 1]);
    expect(j.plan.memberCount).toBe(16);
  });

  it('refuses to plan an invalid definition', async () => {
    const io = fakeIo(repo);
    expect(await main(['plan', '-f', 'clusters/bad.yaml'], io)).toBe(1);
    expect(io.out).toBe('');
    expect(io.err).toContain('clusters/bad.yaml: 3 errors; no plan for an invalid definition');
  });
});

const hasGit = spawnSync('git', ['--version']).status === 0;

describe.skipIf(!hasGit)('mooring with --git-url', () => {
  it('validates a definition fetched from a Git repository', async () => {
    const src = join(tmp, 'gitsrc');
    cpSync(REALISTIC, src, { recursive: true });
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: src });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-qm', 'init');
    const io = fakeIo(tmp);
    const code = await main(
      [
        'validate',
        '--git-url',
        `file://${src}`,
        '--branch',
        'main',
        '-f',
        'clusters/prod/import-cluster.yaml',
      ],
      io,
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(io.out).toBe(
      'clusters/prod/import-cluster.yaml: valid (cluster prod-eu-1: 4 stacks, 16 members, 14 files read)\n',
    );
  }, 60_000);
});

describe('bin/mooring.js', () => {
  it('runs as an executable', { timeout: 60_000 }, () => {
    const r = spawnSync(process.execPath, [BIN, 'validate', '-f', 'clusters/bad.yaml'], {
      cwd: repo,
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('clusters/bad.yaml:11:26: error:');
    const u = spawnSync(process.execPath, [BIN, 'nope'], { encoding: 'utf8' });
    expect(u.status).toBe(2);
  });
});
