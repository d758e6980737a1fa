import { mostCommonRegion, REGION_LABEL } from '@mooring/kube';
import { describe, expect, it } from 'vitest';
import {
  CheckInFailedError,
  CheckInRejectedError,
  checkIn,
  checkInUrl,
  needsBusCredentials,
} from '../src/checkin.ts';

const report = {
  agent_version: '0.1.0',
  kubernetes_version: 'v1.35.4',
  node_count: 3,
  region: 'eu-west-1',
  bus_credentials: true,
};
const bus = {
  kind: 'nats' as const,
  servers: ['nats://n:4222'],
  creds: 'SECRET-CREDS',
  inbox_prefix: '_INBOX.agent.c1',
  expires_at: '2026-03-01T13:00:00Z',
  renew_at: '2026-03-01T12:40:00Z',
};
const answering =
  (status: number, body: unknown, seen: Request[] = []): typeof fetch =>
  async (input, init) => {
    seen.push(new Request(input as string, init));
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };

describe('mostCommonRegion', () => {
  const node = (region?: string): { labels: Record<string, string> } => ({
    labels: region ? { [REGION_LABEL]: region } : {},
  });
  const cases: [string, { labels?: Record<string, string> }[], string | null][] = [
    ['no nodes', [], null],
    ['no labels', [node(), { labels: undefined }], null],
    ['one region', [node('eu'), node()], 'eu'],
    ['the majority', [node('us'), node('eu'), node('eu')], 'eu'],
    ['a tie: the first by name', [node('us'), node('eu')], 'eu'],
  ];
  it.each(cases)('%s', (_name, nodes, want) => expect(mostCommonRegion(nodes)).toBe(want));
});

describe('needsBusCredentials', () => {
  it('asks when there are none, and from renew_at on', () => {
    expect(needsBusCredentials(undefined, new Date())).toBe(true);
    expect(needsBusCredentials(bus, new Date('2026-03-01T12:39:59Z'))).toBe(false);
    expect(needsBusCredentials(bus, new Date('2026-03-01T12:40:00Z'))).toBe(true);
  });
});

describe('checkIn', () => {
  it('posts the report with the token and reads the answer', async () => {
    const seen: Request[] = [];
    const a = await checkIn({
      platformUrl: 'https://p.example/',
      token: 'tok',
      report,
      fetch: answering(200, { cluster_id: 'c1', state: 'online', bus }, seen),
    });
    expect(a.bus?.creds).toBe('SECRET-CREDS');
    expect(seen[0]?.url).toBe('https://p.example/api/v1/agent/check-in');
    expect(seen[0]?.headers.get('authorization')).toBe('Bearer tok');
    expect(await seen[0]?.json()).toEqual(report);
  });

  it('is refused on 401 and 403, fails on 5xx, a bad answer or no answer, never naming the token', async () => {
    for (const status of [401, 403]) {
      await expect(
        checkIn({ platformUrl: 'http://p', token: 'tok', report, fetch: answering(status, {}) }),
      ).rejects.toBeInstanceOf(CheckInRejectedError);
    }
    await expect(
      checkIn({ platformUrl: 'http://p', token: 'tok', report, fetch: answering(503, {}) }),
    ).rejects.toBeInstanceOf(CheckInFailedError);
    await expect(
      checkIn({ platformUrl: 'http://p', token: 'tok', report, fetch: answering(200, { cluster_id: 1 }) }),
    ).rejects.toBeInstanceOf(CheckInFailedError);
    const down: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    const e = await checkIn({ platformUrl: 'http://p', token: 'secret-tok', report, fetch: down }).catch(
      (x: Error) => x,
    );
    expect(e).toBeInstanceOf(CheckInFailedError);
    expect(String((e as Error).message)).not.toContain('secret-tok');
  });

  it('builds the URL under the platform URL', () => {
    expect(checkInUrl('https://p.example/base//')).toBe('https://p.example/base/api/v1/agent/check-in');
  });
});
