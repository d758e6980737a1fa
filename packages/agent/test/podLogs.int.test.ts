import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  agentPermissions,
  InProcessBus,
  InProcessHub,
  logsControlSubject,
  logsDataSubject,
  logsRequestSubject,
  type PodLogsChunk,
  type PodLogsReply,
} from '@mooring/bus';
import { KubeConfig } from '@mooring/kube';
import {
  appendLogLines,
  createNamespace,
  criLogLine,
  eventually,
  kitClients,
  servePodLogs as kwokServesLogs,
  testNamespace,
} from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../src/logger.ts';
import { type PodLogsServer, servePodLogs } from '../src/logs/podLogs.ts';

const kit = inject('kit');
const { kc, core } = kitClients(kit);
const ns = testNamespace('agent-logs');
const dir = mkdtempSync(join(tmpdir(), 'agent-logs-'));
const bigLog = join(dir, 'big.log');
const sideLog = join(dir, 'side.log');
const LINES = 20_000;
let dropNamespace: () => Promise<void>;
const hub = new InProcessHub();
const platform = new InProcessBus({ hub });
const agentBus = new InProcessBus({ hub, permissions: agentPermissions('c1') });
let server: PodLogsServer;

beforeAll(async () => {
  dropNamespace = await createNamespace(core, ns);
  // ~1.2 MB: many more chunks than a window
  writeFileSync(
    bigLog,
    Array.from({ length: LINES }, (_, i) =>
      criLogLine(`line ${String(i).padStart(6, '0')} ${'x'.repeat(40)}`),
    ).join(''),
  );
  writeFileSync(sideLog, '');
  appendLogLines(sideLog, ['side one', 'side two']);
  await core.createNamespacedPod({
    namespace: ns,
    body: {
      metadata: { name: 'app' },
      spec: {
        initContainers: [{ name: 'init', image: 'busybox' }],
        containers: [
          { name: 'main', image: 'busybox' },
          { name: 'side', image: 'busybox' },
        ],
      },
    },
  });
  await kwokServesLogs(kc, {
    namespace: ns,
    pod: 'app',
    logs: [
      { containers: ['main'], file: bigLog },
      { containers: ['side', 'init'], file: sideLog },
    ],
  });
  await eventually('the pod Running', async () => {
    const p = await core.readNamespacedPod({ name: 'app', namespace: ns });
    return p.status?.phase === 'Running' ? p : undefined;
  });
}, 60_000);

afterAll(async () => {
  await agentBus.close();
  await platform.close();
  await dropNamespace?.();
});

async function open(sid: string, extra: Record<string, unknown>, window = 4) {
  const chunks: PodLogsChunk[] = [];
  const stop = await platform.subscribe(logsDataSubject('c1', sid), (m) => {
    chunks.push(m.data as PodLogsChunk);
  });
  const reply = await platform.request<PodLogsReply>(logsRequestSubject('c1'), {
    stream_id: sid,
    namespace: ns,
    pod: 'app',
    all_containers: false,
    follow: false,
    previous: false,
    timestamps: false,
    window,
    ...extra,
  });
  return { chunks, reply, stop };
}

// each way of reading from the API server: a connection per log (HTTP/1.1), or streams of one (HTTP/2)
describe.each([
  ['HTTP/1.1', false],
  ['HTTP/2', true],
])('pod logs from the agent over %s (kwok serves the log files)', (_, http2) => {
  beforeAll(async () => {
    // the side log as the follow test expects it (an earlier round appended to it)
    writeFileSync(sideLog, '');
    appendLogLines(sideLog, ['side one', 'side two']);
    server = await servePodLogs({
      bus: agentBus,
      clusterId: 'c1',
      kc: KubeConfig.from(kc),
      logger: silentLogger(),
      concurrency: 4,
      http2,
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('never runs more than the window ahead of the platform’s credit, and loses no line', async () => {
    const s = await open('stream-window-1', { container: 'main' }, 4);
    expect(s.reply).toEqual({ status: 200, containers: ['main'] });
    await expect.poll(() => s.chunks.length).toBe(4);
    // no credit: nothing more comes
    await new Promise((r) => setTimeout(r, 500));
    expect(s.chunks.length).toBe(4);
    expect(server.active()).toBe(1);
    // credit as the chunks come: the rest follows, in order, then the end
    let acked = -1;
    await eventually(
      'the whole log',
      async () => {
        const last = s.chunks.at(-1);
        if (last && last.seq > acked) {
          acked = last.seq;
          await platform.publish(logsControlSubject('c1', 'stream-window-1'), { ack: acked });
        }
        return last?.end ? true : undefined;
      },
      30_000,
    );
    const text = s.chunks.map((c) => c.data ?? '').join('');
    const lines = text.split('\n').filter(Boolean);
    expect(lines).toHaveLength(LINES);
    expect(lines[0]).toMatch(/^line 000000 /);
    expect(lines.at(-1)).toMatch(/^line 019999 /);
    expect(s.chunks.map((c) => c.seq)).toEqual(s.chunks.map((_, i) => i));
    await s.stop();
    await expect.poll(() => server.active()).toBe(0);
  });

  it('tail, every container prefixed, and the API server’s refusals', async () => {
    const tail = await open('stream-tail-01', { container: 'main', tail_lines: 2 }, 64);
    await expect.poll(() => tail.chunks.at(-1)?.end).toBe(true);
    expect(tail.chunks.map((c) => c.data ?? '').join('')).toMatch(/^line 019998 x+\nline 019999 x+\n$/);

    const all = await open('stream-all-001', { all_containers: true, tail_lines: 1 }, 64);
    expect(all.reply.containers).toEqual(['init', 'main', 'side']);
    await expect.poll(() => all.chunks.at(-1)?.end).toBe(true);
    const lines = all.chunks
      .map((c) => c.data ?? '')
      .join('')
      .split('\n')
      .filter(Boolean)
      .sort();
    expect(lines).toEqual([
      '[init] side two',
      expect.stringMatching(/^\[main\] line 019999 /),
      '[side] side two',
    ]);

    const none = await open('stream-none-01', { container: 'nope' });
    expect(none.reply.status).toBe(400);
    expect(none.reply.message).toMatch(/nope/);
    const which = await open('stream-which-1', {});
    expect(which.reply.status).toBe(400);
    expect(which.reply.message).toMatch(/container name must be specified/);
    const gone = await open('stream-gone-01', { pod: 'missing', container: 'main' });
    expect(gone.reply.status).toBe(404);
  });

  it('a cancel ends a followed log', async () => {
    const s = await open('stream-follow-1', { container: 'side', follow: true }, 8);
    await expect.poll(() => s.chunks.map((c) => c.data ?? '').join('')).toBe('side one\nside two\n');
    await platform.publish(logsControlSubject('c1', 'stream-follow-1'), { ack: s.chunks.at(-1)?.seq ?? 0 });
    appendLogLines(sideLog, ['side three']);
    await expect
      .poll(() => s.chunks.map((c) => c.data ?? '').join(''))
      .toBe('side one\nside two\nside three\n');
    expect(server.active()).toBe(1);
    await platform.publish(logsControlSubject('c1', 'stream-follow-1'), { cancel: true });
    await expect.poll(() => server.active()).toBe(0);
  });
});
