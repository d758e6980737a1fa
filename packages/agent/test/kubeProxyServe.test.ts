// The agent's kubectl proxy against a stand-in API server (plain HTTP on loopback)
// over the in-process bus with the agent's and the platform's permissions: the
// impersonation reaches the API server, the limits answer 429, a stream arrives
// in chunks and a cancel closes the API server request.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  agentPermissions,
  InProcessBus,
  InProcessHub,
  type KubeProxyChunk,
  type KubeProxyReply,
  kubeControlSubject,
  kubeDataSubject,
  kubeRequestSubject,
  platformPermissions,
} from '@mooring/bus';
import { KubeConfig } from '@mooring/kube';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.ts';
import { type KubeProxy, serveKubeProxy } from '../src/proxy/kubeProxy.ts';

let server: Server;
let seen: IncomingMessage[];
let held: ServerResponse[];
let closed: number;
let hub: InProcessHub;
let platform: InProcessBus;
let agent: InProcessBus;
let proxy: KubeProxy;

const request = (path: string, stream = false, sid = `s${Math.random().toString(36).slice(2, 12)}`) => ({
  stream_id: sid,
  method: 'GET' as const,
  path,
  headers: { accept: 'application/json', authorization: 'Bearer leaked' },
  impersonate: { user: 'mooring:alice', groups: ['mooring:view', 'system:authenticated'] },
  stream,
});

beforeEach(async () => {
  seen = [];
  held = [];
  closed = 0;
  server = createServer((req, res) => {
    seen.push(req);
    res.on('close', () => closed++);
    if (req.url?.startsWith('/hold')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"type":"ADDED"}\n');
      held.push(res);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'x=1' });
    res.end(req.url === '/big' ? 'x'.repeat(600_000) : '{"kind":"PodList"}');
  });
  // upgrades (exec): `/refuse...` is refused as RBAC would; anything else switches and echoes in upper case
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    seen.push(req);
    if (req.url?.startsWith('/refuse')) {
      socket.end(
        'HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: 15\r\n\r\n{"code":403}   ',
      );
      return;
    }
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-accept: acc-${req.headers['sec-websocket-key']}\r\nsec-websocket-protocol: v5.channel.k8s.io\r\nset-cookie: x=1\r\n\r\n`,
    );
    socket.on('data', (b: Buffer) => socket.write(b.toString().toUpperCase()));
    socket.on('end', () => socket.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'c',
        server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        skipTLSVerify: true,
      },
    ],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  hub = new InProcessHub();
  platform = new InProcessBus({ hub, permissions: platformPermissions() });
  agent = new InProcessBus({ hub, permissions: agentPermissions('c1') });
  proxy = await serveKubeProxy({
    bus: agent,
    clusterId: 'c1',
    kc,
    logger: silentLogger(),
    unaryConcurrency: 1,
    streamConcurrency: 1,
  });
});

afterEach(async () => {
  await proxy.stop();
  for (const r of held) r.destroy();
  await agent.close();
  await platform.close();
  await new Promise((r) => server.close(r));
  server.closeAllConnections();
});

describe('the agent’s kubectl proxy', () => {
  it('sends the impersonation and no client credentials; answers small bodies inline', async () => {
    const reply = await platform.request<KubeProxyReply>(kubeRequestSubject('c1'), request('/api/v1/pods'));
    expect(reply).toMatchObject({
      status: 200,
      more: false,
      headers: { 'content-type': 'application/json' },
    });
    expect(reply.headers['set-cookie']).toBeUndefined();
    expect(Buffer.from(reply.body!, 'base64').toString()).toBe('{"kind":"PodList"}');
    const h = seen[0]!.headers;
    expect(h['impersonate-user']).toBe('mooring:alice');
    expect(h['impersonate-group']).toBe('mooring:view, system:authenticated');
    expect(h.authorization).toBeUndefined();
  });

  it('sends a body larger than one message in ordered chunks', async () => {
    const sid = 'big-body-1';
    const chunks: KubeProxyChunk[] = [];
    await platform.subscribe<KubeProxyChunk>(kubeDataSubject('c1', sid), (m) => {
      chunks.push(m.data);
    });
    const reply = await platform.request<KubeProxyReply>(
      kubeRequestSubject('c1'),
      request('/big', false, sid),
    );
    expect(reply).toMatchObject({ status: 200, more: true });
    await expect.poll(() => chunks.at(-1)?.end).toBe(true);
    expect(chunks.map((c) => c.seq)).toEqual([0, 1, 2, 3]);
    expect(chunks.map((c) => Buffer.from(c.data ?? '', 'base64').length).reduce((a, b) => a + b)).toBe(
      600_000,
    );
  });

  it('streams a watch, refuses a second stream with 429 while it runs, and a cancel ends it', async () => {
    const sid = 'watch-one-1';
    const chunks: KubeProxyChunk[] = [];
    await platform.subscribe<KubeProxyChunk>(kubeDataSubject('c1', sid), (m) => {
      chunks.push(m.data);
    });
    const head = await platform.request<KubeProxyReply>(
      kubeRequestSubject('c1'),
      request('/hold?watch=true', true, sid),
    );
    expect(head).toMatchObject({ status: 200, more: true });
    await expect.poll(() => chunks.length).toBe(1);
    expect(Buffer.from(chunks[0]!.data!, 'base64').toString()).toBe('{"type":"ADDED"}\n');
    held[0]!.write('{"type":"MODIFIED"}\n');
    await expect.poll(() => chunks.length).toBe(2);
    expect(proxy.active()).toEqual({ unary: 0, stream: 1 });

    const second = await platform.request<KubeProxyReply>(
      kubeRequestSubject('c1'),
      request('/hold?watch=1', true),
    );
    expect(second.status).toBe(429);
    expect(second.headers['retry-after']).toBe('1');
    expect(JSON.parse(Buffer.from(second.body!, 'base64').toString())).toMatchObject({
      kind: 'Status',
      reason: 'TooManyRequests',
    });
    // unary requests have their own limit
    expect((await platform.request<KubeProxyReply>(kubeRequestSubject('c1'), request('/api'))).status).toBe(
      200,
    );

    await platform.publish(kubeControlSubject('c1', sid), { cancel: true });
    await expect.poll(() => closed).toBeGreaterThanOrEqual(2);
    await expect.poll(() => proxy.active()).toEqual({ unary: 0, stream: 0 });
  });

  it('answers 429 past the unary limit', async () => {
    const slow = platform.request<KubeProxyReply>(kubeRequestSubject('c1'), request('/hold'));
    await expect.poll(() => held.length).toBe(1);
    const refused = await platform.request<KubeProxyReply>(kubeRequestSubject('c1'), request('/api'));
    expect(refused.status).toBe(429);
    held[0]!.end();
    expect((await slow).status).toBe(200);
  });

  it('tunnels an upgrade: the handshake both ways, bytes in order each way, the end from either side', async () => {
    const sid = 'tunnel-one-1';
    const chunks: KubeProxyChunk[] = [];
    await platform.subscribe<KubeProxyChunk>(kubeDataSubject('c1', sid), (m) => {
      chunks.push(m.data);
    });
    const handshake = {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-key': 'k3y',
      'sec-websocket-version': '13',
      'sec-websocket-protocol': 'v5.channel.k8s.io, v4.channel.k8s.io',
      authorization: 'Bearer leaked',
    };
    const head = await platform.request<KubeProxyReply>(kubeRequestSubject('c1'), {
      ...request('/api/v1/namespaces/a/pods/p/exec?command=sh', true, sid),
      upgrade: handshake,
    });
    expect(head).toMatchObject({
      status: 101,
      more: true,
      headers: {
        upgrade: 'websocket',
        'sec-websocket-accept': 'acc-k3y',
        'sec-websocket-protocol': 'v5.channel.k8s.io',
      },
    });
    expect(head.headers['set-cookie']).toBeUndefined();
    const h = seen[0]!.headers;
    expect(h['impersonate-user']).toBe('mooring:alice');
    expect(h.authorization).toBeUndefined();
    expect(h['sec-websocket-key']).toBe('k3y');
    expect(proxy.active()).toEqual({ unary: 0, stream: 1 });
    // the client's bytes, published out of order, reach the API server in order
    const ctl = kubeControlSubject('c1', sid);
    await platform.publish(ctl, { tunnel: { seq: 1, data: Buffer.from('two ').toString('base64') } });
    await platform.publish(ctl, { tunnel: { seq: 0, data: Buffer.from('one ').toString('base64') } });
    const text = () => chunks.map((c) => Buffer.from(c.data ?? '', 'base64').toString()).join('');
    await expect.poll(text).toBe('ONE TWO ');
    await platform.publish(ctl, { tunnel: { seq: 2, end: true } });
    await expect.poll(() => chunks.at(-1)?.end).toBe(true);
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
    await expect.poll(() => proxy.active()).toEqual({ unary: 0, stream: 0 });
  });

  it('answers a refused upgrade as the API server did', async () => {
    const reply = await platform.request<KubeProxyReply>(kubeRequestSubject('c1'), {
      ...request('/refuse/exec', true),
      upgrade: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' },
    });
    expect(reply).toMatchObject({ status: 403, more: false });
    expect(Buffer.from(reply.body!, 'base64').toString()).toBe('{"code":403}   ');
    await expect.poll(() => proxy.active()).toEqual({ unary: 0, stream: 0 });
  });
});
