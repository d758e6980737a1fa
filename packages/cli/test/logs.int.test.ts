// `mooring logs` against a platform in this process with the real agent on its
// in-process bus, reading logs kwok serves from files for a fake pod.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appendLogLines,
  createNamespace,
  criLogLine,
  eventually,
  kitClients,
  servePodLogs,
  testNamespace,
} from '@mooring/testkit';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startEmbeddedAgent } from '../src/embedded/agent.ts';
import { mooring, startTestPlatform, type TestPlatform } from './support/platform.ts';

const kit = inject('kit');
const { kc, core } = kitClients(kit);
const ns = testNamespace('cli-logs');
const work = mkdtempSync(join(tmpdir(), 'mooring-cli-logs-'));
const appLog = join(work, 'app.log');
const CLUSTER = `logs-${ns.slice(-6)}`;
const BIN = join(import.meta.dirname, '../bin/mooring.js');

let p: TestPlatform;
let token: string;
let stopAgent: (() => Promise<void>) | undefined;
let dropNamespace: (() => Promise<void>) | undefined;

const env = () => ({ MOORING_URL: p.url, MOORING_TOKEN: token });
const run = (args: string[]) => mooring(args, { cwd: work, env: env() });

beforeAll(async () => {
  dropNamespace = await createNamespace(core, ns);
  writeFileSync(appLog, criLogLine('an hour ago', new Date(Date.now() - 3600_000)));
  appendLogLines(appLog, ['one', 'two', 'three']);
  await core.createNamespacedPod({
    namespace: ns,
    body: { metadata: { name: 'web' }, spec: { containers: [{ name: 'app', image: 'busybox' }] } },
  });
  await servePodLogs(kc, { namespace: ns, pod: 'web', logs: [{ containers: ['app'], file: appLog }] });
  p = await startTestPlatform();
  const login = await fetch(`${p.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: p.username, password: p.password }),
  });
  token = ((await login.json()) as { token: string }).token;
  const imported = (await (
    await fetch(`${p.url}/api/v1/clusters`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        definition: `apiVersion: v1\nkind: ImportCluster\nmetadata:\n  name: ${CLUSTER}\nspec:\n  stacks: []\n`,
      }),
    })
  ).json()) as { cluster: { id: string }; agent_token: string };
  const session = await startEmbeddedAgent({
    platform: p.platform,
    platformUrl: p.url,
    clusterId: imported.cluster.id,
    token: imported.agent_token,
    kubeconfig: kit.kubeconfig!,
    helm: kit.helm,
    chartCache: join(work, 'charts'),
    mirrors: [],
    reconcileIntervalSeconds: 3600,
    logger: pino({ level: 'silent' }),
  });
  stopAgent = () => session.stop();
  await eventually('the pod Running', async () => {
    const pod = await core.readNamespacedPod({ name: 'web', namespace: ns });
    return pod.status?.phase === 'Running' ? pod : undefined;
  });
}, 120_000);

afterAll(async () => {
  await stopAgent?.();
  await p?.close();
  await dropNamespace?.();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('mooring logs', () => {
  it('prints the log, its tail and its recent lines', async () => {
    const all = await eventually('the log', async () => {
      const r = await run(['logs', CLUSTER, `${ns}/web`]);
      return r.code === 0 ? r : undefined;
    });
    expect(all.out).toBe('an hour ago\none\ntwo\nthree\n');
    expect((await run(['logs', CLUSTER, `${ns}/web`, '--tail', '1'])).out).toBe('three\n');
    expect((await run(['logs', CLUSTER, `${ns}/web`, '--since', '10m', '-c', 'app'])).out).toBe(
      'one\ntwo\nthree\n',
    );
    expect((await run(['logs', CLUSTER, `${ns}/web`, '--all-containers', '--tail', '1'])).out).toBe(
      '[app] three\n',
    );
  });

  it('-f follows new lines as they are written, none lost', async () => {
    const child = spawn(process.execPath, [BIN, 'logs', CLUSTER, `${ns}/web`, '-f', '--tail', '0'], {
      cwd: work,
      env: { ...process.env, ...env() },
      stdio: 'pipe',
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    try {
      const want = Array.from({ length: 200 }, (_, i) => `live ${i}`);
      // the first line once the stream is open, then the rest in bursts
      await eventually(
        'the stream open',
        async () => {
          if (out === '') appendLogLines(appLog, ['ready']);
          await new Promise((r) => setTimeout(r, 200));
          return out.includes('ready\n') ? true : undefined;
        },
        20_000,
      );
      for (let i = 0; i < want.length; i += 40) {
        appendLogLines(appLog, want.slice(i, i + 40));
        await new Promise((r) => setTimeout(r, 30));
      }
      await expect
        .poll(() => out.split('\n').filter((l) => l.startsWith('live ')), { timeout: 20_000 })
        .toEqual(want);
    } finally {
      child.kill('SIGINT');
    }
  });

  it('says what is wrong: usage, a missing pod, a missing container', async () => {
    const usage = await run(['logs', CLUSTER, 'web']);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/NAMESPACE\/POD/);
    const missing = await run(['logs', CLUSTER, `${ns}/nope`]);
    expect(missing.code, missing.err).toBe(5);
    expect(missing.err).toMatch(/nope/);
    const container = await run(['logs', CLUSTER, `${ns}/web`, '-c', 'other']);
    expect(container.code, container.err).toBe(6);
    expect(container.err).toMatch(/container "other" is not valid/);
    const help = await run(['logs', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--all-containers/);
  });
});
