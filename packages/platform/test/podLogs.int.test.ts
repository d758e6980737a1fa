import { mkdtempSync, writeFileSync } from 'node:fs';
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
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AgentPlatform, startAgentPlatform } from './support/agentPlatform.ts';

const kit = inject('kit');
const { kc, core } = kitClients(kit);
const ns = testNamespace('pod-logs');
const dir = mkdtempSync(join(tmpdir(), 'pod-logs-'));
const appLog = join(dir, 'app.log');
const sideLog = join(dir, 'side.log');
let h: AgentPlatform;
let dropNamespace: () => Promise<void>;

beforeAll(async () => {
  dropNamespace = await createNamespace(core, ns);
  writeFileSync(appLog, criLogLine('two hours ago', new Date(Date.now() - 7200_000)));
  appendLogLines(appLog, ['first', 'second', 'third']);
  writeFileSync(sideLog, '');
  appendLogLines(sideLog, ['side']);
  await core.createNamespacedPod({
    namespace: ns,
    body: {
      metadata: { name: 'web' },
      spec: {
        containers: [
          { name: 'app', image: 'busybox' },
          { name: 'side', image: 'busybox' },
        ],
      },
    },
  });
  await servePodLogs(kc, {
    namespace: ns,
    pod: 'web',
    logs: [
      { containers: ['app'], file: appLog },
      { containers: ['side'], file: sideLog },
    ],
  });
  await eventually('the pod Running', async () => {
    const p = await core.readNamespacedPod({ name: 'web', namespace: ns });
    return p.status?.phase === 'Running' ? p : undefined;
  });
  h = await startAgentPlatform(kit, { namespace: ns });
}, 120_000);

afterAll(async () => {
  await h?.close();
  await dropNamespace?.();
});

const logsUrl = (q: string) => `${h.baseUrl}/api/v1/clusters/${h.clusterId}/pods/${ns}/web/logs?${q}`;
const get = (q: string, signal?: AbortSignal) =>
  fetch(logsUrl(q), { headers: { authorization: `Bearer ${h.adminToken}` }, ...(signal ? { signal } : {}) });

describe('pod logs through the platform (real agent, NATS in operator mode, kwok serving the log files)', () => {
  it('prints a container’s log, its tail and its recent lines', async () => {
    // the agent answers once it is connected
    const all = await eventually('the log', async () => {
      const r = await get('container=app');
      return r.status === 200 ? r : undefined;
    });
    expect(all.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await all.text()).toBe('two hours ago\nfirst\nsecond\nthird\n');
    expect(await (await get('container=app&tail_lines=2')).text()).toBe('second\nthird\n');
    expect(await (await get('container=app&since_seconds=600')).text()).toBe('first\nsecond\nthird\n');
    const both = await (await get('all_containers=true&tail_lines=1')).text();
    expect(both.split('\n').filter(Boolean).sort()).toEqual(['[app] third', '[side] side']);
    expect(await (await get('container=app&tail_lines=1&timestamps=true')).text()).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z third\n$/,
    );
  });

  it('follows a log as lines are written, none lost, in order', async () => {
    const abort = new AbortController();
    const res = await get('container=app&follow=true&tail_lines=0', abort.signal);
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const want = Array.from({ length: 500 }, (_, i) => `followed ${i}`);
    const read = async () => {
      const { value, done } = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error(`no more text after ${text.split('\n').length - 1} lines`)),
            20_000,
          ),
        ),
      ]);
      if (!done) text += decoder.decode(value, { stream: true });
      return done;
    };
    // with tail_lines=0 the log starts where the file is once the kubelet follows it: a first
    // line until it comes through, then the rest
    const ready = setInterval(() => appendLogLines(appLog, ['ready']), 300);
    try {
      while (!text.includes('ready\n')) if (await read()) break;
    } finally {
      clearInterval(ready);
    }
    // written in bursts while the client reads
    for (let i = 0; i < want.length; i += 50) {
      appendLogLines(appLog, want.slice(i, i + 50));
      await new Promise((r) => setTimeout(r, 20));
    }
    const followed = () => text.split('\n').filter((l) => l.startsWith('followed '));
    while (followed().length < want.length) if (await read()) break;
    expect(followed()).toEqual(want);
    abort.abort();
  });

  it('answers the API server’s refusals and bad parameters with the field named', async () => {
    const which = await get('');
    expect(which.status).toBe(400);
    expect(((await which.json()) as { error: { message: string } }).error.message).toMatch(/container/);
    const missing = await fetch(`${h.baseUrl}/api/v1/clusters/${h.clusterId}/pods/${ns}/nope/logs`, {
      headers: { authorization: `Bearer ${h.adminToken}` },
    });
    expect(missing.status).toBe(404);
    const bad = await get('container=app&tail_lines=-3');
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { fields: { path: string }[] } };
    expect(body.error.fields[0]?.path).toBe('query.tail_lines');
    const flag = await get('container=app&follow=maybe');
    expect(flag.status).toBe(400);
  });
});
