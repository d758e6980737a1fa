// Every command exits when its work is done, on success and on failure: the real `mooring` bin as
// a child process under a time limit, with helm missing, an unreachable API server, a bad
// kubeconfig, a helm that fails, and against the kit cluster.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, kitClients, testNamespace } from '@mooring/testkit';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const kit = inject('kit');
const { core } = kitClients(kit);
const BIN = join(import.meta.dirname, '../bin/mooring.js');
const LIMIT_MS = 60_000;

interface Run {
  code: number | null;
  /** The signal that ended it, if one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/** Runs `mooring ARGS`; kills it after LIMIT_MS (then `timedOut`). `onStderr` may signal it. */
function mooring(
  args: string[],
  o: { cwd: string; env: Record<string, string>; onStderr?: (text: string, child: ChildProcess) => void },
): Promise<Run> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: o.cwd, env: o.env, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.on('data', (b: Buffer) => {
    stdout += b;
  });
  child.stderr.on('data', (b: Buffer) => {
    stderr += b;
    o.onStderr?.(stderr, child);
  });
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, LIMIT_MS);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0, timedOut });
    });
  });
}

const COMMANDS: { name: string; args: string[] }[] = [
  { name: 'apply', args: ['apply'] },
  { name: 'apply --dry-run', args: ['apply', '--dry-run'] },
  { name: 'diff', args: ['diff'] },
  { name: 'apply --watch', args: ['apply', '--watch', '--interval', '2s'] },
];

let dir: string;
let ns: string;
let noHelmPath: string;
let closedPort: number;
let env: Record<string, string>;
const files = { closed: '', garbage: '', missing: '' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-exits-'));
  mkdirSync(join(dir, '.git'));
  mkdirSync(join(dir, 'home'));
  noHelmPath = join(dir, 'empty-bin');
  mkdirSync(noHelmPath);
  ns = testNamespace('exits');
  writeFileSync(
    join(dir, 'cluster.yaml'),
    `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${ns}
spec:
  stacks:
    - name: apps
      manifests:
        - name: ns
          manifest: |
            apiVersion: v1
            kind: Namespace
            metadata:
              name: ${ns}
      addons:
        - name: web
          chart_name: podinfo
          chart_version: "6.14.1"
          namespace: ${ns}
          registry_name: kit
          registry_url: ${kit.chartRepoUrl}
          parents:
            - manifest: ns
`,
  );
  closedPort = await freePort();
  files.closed = join(dir, 'closed.kubeconfig');
  writeFileSync(
    files.closed,
    `apiVersion: v1
kind: Config
clusters:
  - name: gone
    cluster: { server: "https://127.0.0.1:${closedPort}", insecure-skip-tls-verify: true }
contexts:
  - name: gone
    context: { cluster: gone, user: u }
current-context: gone
users:
  - name: u
    user: { token: abc }
`,
  );
  files.garbage = join(dir, 'garbage.kubeconfig');
  writeFileSync(files.garbage, 'this: is: [not a kubeconfig\n\x00\x01');
  files.missing = join(dir, 'no-such.kubeconfig');
  // nothing from the developer's machine: no ~/.kube/config, no helm on PATH unless given
  env = {
    ...kit.env,
    HOME: join(dir, 'home'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    PATH: noHelmPath,
  };
  delete env.KUBECONFIG;
  delete env.MOORING_HELM;
});

const run = (
  args: string[],
  extra: Record<string, string> = {},
  onStderr?: (text: string, child: ChildProcess) => void,
) => mooring([...args, '-f', 'cluster.yaml'], { cwd: dir, env: { ...env, ...extra }, onStderr });

async function namespaceExists(name: string): Promise<boolean> {
  try {
    await core.readNamespace({ name });
    return true;
  } catch {
    return false;
  }
}

describe.each(COMMANDS)('mooring $name exits on failure', ({ name, args }) => {
  it('with no helm on PATH: one line saying how to get helm, before anything is applied', async () => {
    const r = await run([...args, '--kubeconfig', kit.kubeconfig!]);
    expect(r.timedOut, r.stderr).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `mooring ${name.split(' ')[0]}: helm not found: no helm on PATH: install Helm (https://helm.sh/docs/intro/install/) or pass --helm PATH or set MOORING_HELM\n`,
    );
    expect(await namespaceExists(ns)).toBe(false);
  });

  it('with MOORING_HELM naming no executable', async () => {
    const r = await run([...args, '--kubeconfig', kit.kubeconfig!], {
      MOORING_HELM: join(dir, 'nope', 'helm'),
    });
    expect(r.timedOut, r.stderr).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `mooring ${name.split(' ')[0]}: helm not found: ${join(dir, 'nope', 'helm')} (MOORING_HELM) is not an executable file: install Helm (https://helm.sh/docs/intro/install/) or pass --helm PATH or set MOORING_HELM\n`,
    );
  });

  it('when the API server cannot be reached', async () => {
    const r = await run([...args, '--helm', kit.helm, '--kubeconfig', files.closed]);
    expect(r.timedOut, r.stderr).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `mooring ${name.split(' ')[0]}: cannot reach the Kubernetes API server at https://127.0.0.1:${closedPort}: connect ECONNREFUSED 127.0.0.1:${closedPort}\n`,
    );
  });

  it('with a kubeconfig that is not one', async () => {
    const r = await run([...args, '--helm', kit.helm, '--kubeconfig', files.garbage]);
    expect(r.timedOut, r.stderr).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^mooring ${name.split(' ')[0]}: cannot load kubeconfig ${files.garbage}: not a kubeconfig: .+\\n$`,
      ),
    );
  });

  it('with a kubeconfig that does not exist', async () => {
    const r = await run([...args, '--helm', kit.helm, '--kubeconfig', files.missing]);
    expect(r.timedOut, r.stderr).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `mooring ${name.split(' ')[0]}: cannot load kubeconfig ${files.missing}: no such file\n`,
    );
  });
});

describe('mooring exits against the kit cluster', () => {
  it('validate and plan exit 0', async () => {
    const v = await run(['validate']);
    expect(v.timedOut).toBe(false);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const p = await run(['plan']);
    expect(p.timedOut).toBe(false);
    expect(p.code, p.stdout + p.stderr).toBe(0);
  });

  it('apply with a helm that fails every call: reports the failure and exits 1', async () => {
    const r = await run(['apply', '--helm', '/bin/false', '--kubeconfig', kit.kubeconfig!]);
    expect(r.timedOut, r.stderr).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FAILED: 1 deployed, 0 unchanged, 1 failed, 0 blocked, 0 removed/);
    expect(r.stderr).toMatch(/✗ apps\/addon\/web: .*failed \(exit 1\)/);
  });

  it('apply, diff, apply --dry-run exit 0 when done; apply --watch exits 0 when stopped', async () => {
    const cluster = [
      '--helm',
      kit.helm,
      '--kubeconfig',
      kit.kubeconfig!,
      '--chart-cache',
      join(dir, 'charts'),
    ];
    const a = await run(['apply', ...cluster]);
    expect(a.timedOut, a.stderr).toBe(false);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toMatch(/applied: 1 deployed, 1 unchanged, 0 failed/);

    const d = await run(['diff', ...cluster]);
    expect(d.timedOut, d.stderr).toBe(false);
    expect(d.code, d.stdout + d.stderr).toBe(0);
    expect(d.stdout).toMatch(/no drift: 1 add-ons and 1 manifests match/);

    const p = await run(['apply', '--dry-run', ...cluster]);
    expect(p.timedOut, p.stderr).toBe(false);
    expect(p.code, p.stdout + p.stderr).toBe(0);
    expect(p.stdout).toMatch(/no changes \(dry run: nothing was changed\)/);

    let signalled = false;
    const w = await run(['apply', '--watch', '--interval', '2s', ...cluster], {}, (text, child) => {
      if (!signalled && text.includes('watching:')) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    expect(signalled, w.stderr).toBe(true);
    expect(w.timedOut, w.stderr).toBe(false);
    expect([w.code, w.signal], w.stderr).toEqual([0, null]);
  });
});
