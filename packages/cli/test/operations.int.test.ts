import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mooring, startTestPlatform, type TestPlatform } from './support/platform.ts';

let p: TestPlatform;
let cwd: string;
let clusterId: string;

const DEFINITION = `apiVersion: v1
kind: ImportCluster
metadata:
  name: ops
spec:
  stacks:
    - name: base
      addons:
        - name: podinfo
          chart_name: podinfo
          chart_version: "6.7.1"
          repository_url: https://stefanprodan.github.io/podinfo
          namespace: apps
`;

interface Step {
  name: string;
  state: string;
  idempotency_key: string;
}

/** An operation as a scheduler or a sync starts it: its first step's command goes to the agent. */
async function startOperation(steps: string[]): Promise<{ id: string; steps: Step[] }> {
  return (await p.platform.services.operations.start({
    clusterId,
    type: 'apply',
    createdBy: 'test',
    steps: steps.map((name) => ({ name, kind: 'apply' })),
  })) as unknown as { id: string; steps: Step[] };
}

/** The agent's answer for a step, as it arrives on the bus. */
async function agentResult(step: Step, ok: boolean, message: string): Promise<void> {
  await p.platform.services.operations.handleResult(clusterId, {
    command_id: `cmd-${step.idempotency_key}`,
    cluster_id: clusterId,
    kind: 'apply',
    ok,
    outcome: ok ? 'applied' : 'failed',
    message,
    idempotency_key: step.idempotency_key,
  });
}

beforeAll(async () => {
  p = await startTestPlatform();
  cwd = mkdtempSync(join(tmpdir(), 'mooring-cli-operations-'));
  mkdirSync(join(cwd, 'repo'));
  writeFileSync(join(cwd, 'repo', 'import-cluster.yaml'), DEFINITION);
  expect(
    (
      await mooring(['login', p.url, '--username', p.username, '--password-stdin'], {
        cwd,
        stdin: p.password,
      })
    ).code,
  ).toBe(0);
  const imported = await mooring(['cluster', 'import', '-f', 'repo/import-cluster.yaml', '-o', 'json'], {
    cwd,
  });
  expect(imported.code).toBe(0);
  clusterId = JSON.parse(imported.out).cluster.id;
});
afterAll(async () => {
  await p?.close();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe('mooring operations against a real platform', () => {
  it('list and get: tables with the cluster’s name, json that parses; an unknown id is 5', async () => {
    const op = await startOperation(['deploy base', 'verify']);
    const list = await mooring(['operations', 'list', '--cluster', 'ops'], { cwd });
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^ID +TYPE +STATE +CLUSTER +STEPS +CREATED +FINISHED +MESSAGE\n/);
    expect(list.out).toMatch(new RegExp(`\\n${op.id} +apply +running +ops +`));
    const json = JSON.parse((await mooring(['operations', 'list', '-o', 'json'], { cwd })).out);
    expect(json.map((o: { id: string }) => o.id)).toContain(op.id);

    const get = await mooring(['operations', 'get', op.id], { cwd });
    expect(get.code).toBe(0);
    expect(get.out).toContain(`cluster:   ops (${clusterId})\n`);
    expect(get.out).toMatch(/\nSTEP +KIND +STATE +SENDS +STARTED +FINISHED +MESSAGE\n/);
    expect(get.out).toMatch(/\ndeploy base +apply +running +1 +\S+ +- +-\n/);
    expect(get.out).toMatch(/\nverify +apply +pending +0 +- +- +-\n/);
    const yaml = await mooring(['operations', 'get', op.id, '-o', 'yaml'], { cwd });
    expect(yaml.out).toContain(`id: ${op.id}\n`);

    const missing = await mooring(['operations', 'get', 'no-such-operation'], { cwd });
    expect(missing.code).toBe(5);
    await mooring(['operations', 'cancel', op.id], { cwd });
  });

  it('watch follows the steps until the operation succeeds: exit 0', async () => {
    const op = await startOperation(['deploy base', 'verify']);
    const watching = mooring(['operations', 'watch', op.id, '--interval', '50ms'], { cwd });
    await new Promise((r) => setTimeout(r, 150));
    await agentResult(op.steps[0]!, true, 'deployed');
    await new Promise((r) => setTimeout(r, 150));
    await agentResult(op.steps[1]!, true, 'verified');
    const r = await watching;
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toBe(`operation ${op.id} (apply): running`);
    expect(lines).toContain('  step deploy base: success (deployed)');
    expect(lines).toContain('  step verify: success (verified)');
    expect(lines.at(-1)).toMatch(new RegExp(`^operation ${op.id} \\(apply\\): success`));
  });

  it('a failed operation: watch exits 1, -o json prints the operation; retry makes a new one', async () => {
    const op = await startOperation(['deploy base']);
    await agentResult(op.steps[0]!, false, 'helm: timed out waiting for the condition');
    const r = await mooring(['operations', 'watch', op.id], { cwd });
    expect(r.code).toBe(1);
    expect(r.out).toContain('  step deploy base: failed (helm: timed out waiting for the condition)\n');
    const json = await mooring(['operations', 'watch', op.id, '-o', 'json'], { cwd });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ id: op.id, state: 'failed' });

    const retry = await mooring(['operations', 'retry', op.id, '-o', 'json'], { cwd });
    expect(retry.code).toBe(0);
    const again = JSON.parse(retry.out);
    expect(again).toMatchObject({ retry_of: op.id, state: 'running' });
    expect(again.id).not.toBe(op.id);
    await mooring(['operations', 'cancel', again.id], { cwd });
  });

  it('cancel: the operation ends cancelled (watch exits 1); cancelling it again is a conflict (6)', async () => {
    const op = await startOperation(['deploy base']);
    const r = await mooring(['operations', 'cancel', op.id], { cwd });
    expect(r.code).toBe(0);
    expect(r.out).toBe(`operation ${op.id}: cancelled\n`);
    expect((await mooring(['operations', 'watch', op.id], { cwd })).code).toBe(1);
    const again = await mooring(['operations', 'cancel', op.id], { cwd });
    expect(again.code).toBe(6);
    expect(again.err).toMatch(/\(HTTP 409\)\n$/);
  });

  it('watch stops when asked to (Ctrl-C): exit 1, says where the operation is', async () => {
    const op = await startOperation(['deploy base']);
    const stop = new AbortController();
    const watching = mooring(['operations', 'watch', op.id, '--interval', '50ms'], {
      cwd,
      signal: stop.signal,
    });
    await new Promise((r) => setTimeout(r, 200));
    stop.abort();
    const r = await watching;
    expect(r.code).toBe(1);
    expect(r.out).toBe(`operation ${op.id} (apply): running\n  step deploy base: running\n`);
    expect(r.err).toBe(`stopped watching; operation ${op.id} is running\n`);
    await mooring(['operations', 'cancel', op.id], { cwd });
  });
});
