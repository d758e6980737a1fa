import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  appendLogLines,
  createNamespace,
  criLogLine,
  eventually,
  kitClients,
  servePodLogs,
  testNamespace,
} from '../src/index.ts';

const kit = inject('kit');
const { kc, core } = kitClients(kit);
const ns = testNamespace('kwok-logs');
let cleanup: () => Promise<void>;

beforeAll(async () => {
  cleanup = await createNamespace(core, ns);
});
afterAll(async () => cleanup?.());

describe('kwok serves fake pods’ logs from local files', () => {
  it('reads a container log through the API server (pods/log), with tailLines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kwok-logs-'));
    const file = join(dir, 'app.log');
    const old = new Date(Date.now() - 3600_000);
    writeFileSync(file, criLogLine('an hour ago', old));
    appendLogLines(file, ['one', 'two', 'three']);
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'app' },
        spec: { containers: [{ name: 'app', image: 'busybox' }] },
      },
    });
    await servePodLogs(kc, { namespace: ns, pod: 'app', logs: [{ containers: ['app'], file }] });
    await eventually('the pod Running', async () => {
      const p = await core.readNamespacedPod({ name: 'app', namespace: ns });
      return p.status?.phase === 'Running' ? p : undefined;
    });
    const all = await eventually('the log served', async () => {
      const text = await core.readNamespacedPodLog({ name: 'app', namespace: ns, container: 'app' });
      return text.includes('three') ? text : undefined;
    });
    expect(all).toBe('an hour ago\none\ntwo\nthree\n');
    expect(await core.readNamespacedPodLog({ name: 'app', namespace: ns, tailLines: 2 })).toBe(
      'two\nthree\n',
    );
    expect(await core.readNamespacedPodLog({ name: 'app', namespace: ns, sinceSeconds: 600 })).toBe(
      'one\ntwo\nthree\n',
    );
  });
});
