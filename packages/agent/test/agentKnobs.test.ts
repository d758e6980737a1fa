// The agent's less common knobs: retries of gets whose connection broke
// (KUBERNETES_REQUEST_MAX_ATTEMPTS), the public IP lookup, endpoint choice for a
// forwarded Service request, and the settings themselves.
import { createServer as createHttpServer, type Server } from 'node:http';
import { type AddressInfo, createServer, type Server as TcpServer } from 'node:net';
import { KubeConfig } from '@mooring/kube';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/logger.ts';
import { ApiServerClient } from '../src/proxy/apiServer.ts';
import { PublicIpReporter, parsePublicIp } from '../src/publicIp.ts';
import { pickEndpoint } from '../src/serviceForward.ts';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

/** A server that drops the first `drops` connections at once, then answers 200. */
async function flaky(drops: number): Promise<{ url: string; connections: () => number }> {
  let n = 0;
  const s: TcpServer = createServer((sock) => {
    n++;
    if (n <= drops) return sock.destroy();
    sock.once('data', () =>
      sock.end(
        'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}',
      ),
    );
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  closers.push(() => s.close());
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, connections: () => n };
}

function kubeconfig(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

const get = (method = 'GET') => ({
  method,
  path: '/api/v1/pods',
  headers: {},
  signal: new AbortController().signal,
});

describe('KUBERNETES_REQUEST_MAX_ATTEMPTS', () => {
  it('a GET whose connection broke is tried again, up to the attempts', async () => {
    const s = await flaky(2);
    const res = await new ApiServerClient(kubeconfig(s.url), { maxAttempts: 3 }).send(get());
    expect(res.statusCode).toBe(200);
    expect(s.connections()).toBe(3);
  });

  it('gives up after the attempts', async () => {
    const s = await flaky(2);
    await expect(new ApiServerClient(kubeconfig(s.url), { maxAttempts: 2 }).send(get())).rejects.toThrow(
      /API server request failed/,
    );
    expect(s.connections()).toBe(2);
  });

  it('never repeats a write', async () => {
    const s = await flaky(1);
    await expect(
      new ApiServerClient(kubeconfig(s.url), { maxAttempts: 5 }).send(get('POST')),
    ).rejects.toThrow();
    expect(s.connections()).toBe(1);
  });
});

describe('public IP reporting', () => {
  it.each([
    ['{"ip":"203.0.113.7"}', '203.0.113.7'],
    ['198.51.100.2\n', '198.51.100.2'],
    ['{"ip":"2001:db8::1"}', '2001:db8::1'],
    ['{"ip":"not an ip"}', undefined],
    ['<html>', undefined],
  ])('parses %s', (body, ip) => {
    expect(parsePublicIp(body)).toBe(ip);
  });

  it('looks up once per refresh, keeps the last address when a lookup fails, and bounds each lookup', async () => {
    let hits = 0;
    let mode: 'ok' | 'fail' | 'slow' = 'ok';
    const s: Server = createHttpServer((_req, res) => {
      hits++;
      if (mode === 'fail') return res.writeHead(500).end();
      if (mode === 'slow') return setTimeout(() => res.end('{"ip":"192.0.2.9"}'), 2000);
      res.end('{"ip":"203.0.113.7"}');
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    closers.push(() => s.closeAllConnections());
    closers.push(() => s.close());
    let now = 0;
    const r = new PublicIpReporter({
      lookupUrl: `http://127.0.0.1:${(s.address() as AddressInfo).port}/?format=json`,
      refreshSeconds: 3600,
      lookupTimeoutSeconds: 0.3,
      logger: silentLogger(),
      now: () => now,
    });
    expect(await r.current()).toBe('203.0.113.7');
    expect(await r.current()).toBe('203.0.113.7');
    expect(hits).toBe(1);
    now += 3600_000;
    mode = 'fail';
    expect(await r.current()).toBe('203.0.113.7');
    expect(hits).toBe(2);
    now += 60_000;
    mode = 'slow';
    const t0 = Date.now();
    expect(await r.current()).toBe('203.0.113.7');
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(hits).toBe(3);
  });
});

describe('a forwarded Service request', () => {
  const ports = [
    { name: 'http', port: 80 },
    { name: 'metrics', port: 9090 },
  ];
  const slices = [
    {
      endpoints: [
        { addresses: ['10.0.0.5'], conditions: { ready: false } },
        { addresses: ['10.0.0.6'], conditions: { ready: true } },
      ],
      ports: [
        { name: 'http', port: 8080 },
        { name: 'metrics', port: 19090 },
      ],
    },
  ];
  it.each([
    [80, { target: { address: '10.0.0.6', port: 8080 } }],
    ['metrics', { target: { address: '10.0.0.6', port: 19090 } }],
    [81, { problem: 'the Service has no port 81' }],
  ])('port %s', (port, want) => {
    expect(pickEndpoint(ports, slices, port)).toEqual(want);
  });
  it('no ready endpoint', () => {
    expect(
      pickEndpoint(
        ports,
        [
          {
            endpoints: [{ addresses: ['x'], conditions: { ready: false } }],
            ports: [{ name: 'http', port: 1 }],
          },
        ],
        80,
      ),
    ).toEqual({
      problem: 'the Service has no ready endpoint',
    });
  });
});

describe('settings', () => {
  it('defaults: public IP off, the lookup as documented, HTTP/1.1, 3 attempts, 120 s forwards', () => {
    const c = loadConfig({ MOORING_CLUSTER_ID: 'c' });
    expect(c.publicIp).toEqual({
      enabled: false,
      lookupUrl: 'https://api.ipify.org?format=json',
      refreshSeconds: 3600,
      lookupTimeoutSeconds: 5,
    });
    expect([c.kubernetesHttp2, c.kubernetesRequestMaxAttempts, c.forwardServiceMaxTimeoutSeconds]).toEqual([
      false,
      3,
      120,
    ]);
  });

  it('reads every knob and names each bad one', () => {
    const c = loadConfig({
      MOORING_CLUSTER_ID: 'c',
      MOORING_PUBLIC_IP_REPORTING_ENABLED: 'true',
      MOORING_PUBLIC_IP_LOOKUP_URL: 'http://127.0.0.1:1/ip',
      MOORING_PUBLIC_IP_REFRESH_SECONDS: '60',
      MOORING_PUBLIC_IP_LOOKUP_TIMEOUT_SECONDS: '2',
      KUBERNETES_HTTP2_ENABLED: 'on',
      KUBERNETES_REQUEST_MAX_ATTEMPTS: '5',
      FORWARD_SERVICE_REQUEST_MAX_TIMEOUT_SECONDS: '10',
      MOORING_LOG_LEVEL: 'warning',
    });
    expect(c.publicIp.enabled).toBe(true);
    expect(c.kubernetesRequestMaxAttempts).toBe(5);
    expect(c.forwardServiceMaxTimeoutSeconds).toBe(10);
    expect(c.logLevel).toBe('WARNING');
    expect(() =>
      loadConfig({
        MOORING_CLUSTER_ID: 'c',
        MOORING_PUBLIC_IP_LOOKUP_URL: 'ftp://x',
        KUBERNETES_REQUEST_MAX_ATTEMPTS: '0',
        FORWARD_SERVICE_REQUEST_MAX_TIMEOUT_SECONDS: '-1',
        KUBERNETES_HTTP2_ENABLED: 'maybe',
      }),
    ).toThrow(
      /MOORING_PUBLIC_IP_LOOKUP_URL: must be an http\(s\) URL[\s\S]*KUBERNETES_HTTP2_ENABLED: must be true or false[\s\S]*KUBERNETES_REQUEST_MAX_ATTEMPTS: must be a whole number from 1 to 20[\s\S]*FORWARD_SERVICE_REQUEST_MAX_TIMEOUT_SECONDS/,
    );
  });
});
