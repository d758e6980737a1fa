import { createNamespace, eventually, kitClients, testNamespace } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AgentPlatform, startAgentPlatform } from './support/agentPlatform.ts';

const kit = inject('kit');
const { core } = kitClients(kit);
const ns = testNamespace('resources');
let h: AgentPlatform;
let dropNamespace: () => Promise<void>;

type Page = {
  items: { kind?: string; metadata: Record<string, unknown>; data?: unknown; stringData?: unknown }[];
  total: number;
  page: number;
  page_size: number;
  kind: { key: string; synced_at: string | null } | null;
  stale: boolean;
  last_heard_at: string | null;
};

beforeAll(async () => {
  dropNamespace = await createNamespace(core, ns);
  h = await startAgentPlatform(kit, { namespace: ns, agentEnv: { DYNAMIC_API_DISCOVERY_ENABLED: 'true' } });
}, 120_000);

afterAll(async () => {
  await h?.close();
  await dropNamespace?.();
});

/** Reads Server-Sent Events from a response body, one `{event, data}` at a time. */
async function* sse(body: ReadableStream<Uint8Array>) {
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of body) {
    buf += decoder.decode(chunk, { stream: true });
    for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data)
        yield { event, data: JSON.parse(data) as { kind: string; object?: { metadata: { name: string } } } };
    }
  }
}

describe('live resources through the platform (real agent against the kit cluster, NATS in operator mode)', () => {
  it('the agent streams the 26 built-in kinds and, with discovery, the CRDs’ kinds; each is listed', async () => {
    const kinds = await eventually(
      'every kind listed',
      async () => {
        const r = await h.api<{ items: { key: string; synced_at: string | null }[]; stale: boolean }>(
          'GET',
          `/clusters/${h.clusterId}/resources/kinds`,
        );
        const items = r.body.items ?? [];
        return items.length >= 27 && items.every((k) => k.synced_at) ? r.body : undefined;
      },
      60_000,
    );
    expect(kinds.stale).toBe(false);
    const keys = kinds.items.map((k) => k.key);
    for (const k of [
      'namespaces',
      'nodes',
      'pods',
      'secrets',
      'events',
      'deployments.apps',
      'customresourcedefinitions.apiextensions.k8s.io',
    ])
      expect(keys).toContain(k);
    // discovered: the kit's kwok CRDs, and core kinds beyond the built-in ones
    expect(keys).toContain('logs.kwok.x-k8s.io');
    expect(keys).toContain('limitranges');
    const nodes = await h.api<Page>('GET', `/clusters/${h.clusterId}/resources?kind=Node`);
    expect(nodes.body.total).toBeGreaterThanOrEqual(2);
    expect(nodes.body.items[0]?.metadata.managedFields).toBeUndefined();
  });

  it('serves objects by kind, namespace and label selector, paginated; a Secret carries metadata only', async () => {
    for (let i = 0; i < 5; i++)
      await core.createNamespacedConfigMap({
        namespace: ns,
        body: {
          metadata: { name: `cm-${i}`, labels: { app: i % 2 ? 'odd' : 'even' } },
          data: { i: String(i) },
        },
      });
    await core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: {
          name: 'db',
          annotations: {
            'kubectl.kubernetes.io/last-applied-configuration': '{"stringData":{"password":"s3cret-value"}}',
          },
        },
        stringData: { password: 's3cret-value' },
      },
    });
    const even = await eventually('the ConfigMaps in the cache', async () => {
      const r = await h.api<Page>(
        'GET',
        `/clusters/${h.clusterId}/resources?kind=configmaps&namespace=${ns}&label_selector=app%3Deven&page_size=2`,
      );
      return r.body.total === 3 ? r.body : undefined;
    });
    expect(even).toMatchObject({ page: 1, page_size: 2, stale: false, kind: { key: 'configmaps' } });
    expect(even.items.map((o) => o.metadata.name)).toEqual(['cm-0', 'cm-2']);
    const page2 = await h.api<Page>(
      'GET',
      `/clusters/${h.clusterId}/resources?kind=ConfigMap&namespace=${ns}&label_selector=app%3Deven&page_size=2&page=2`,
    );
    expect(page2.body.items.map((o) => o.metadata.name)).toEqual(['cm-4']);
    expect((page2.body.items[0] as { data?: unknown }).data).toEqual({ i: '4' });

    const secret = await eventually('the Secret in the cache', async () => {
      const r = await h.api<Page>('GET', `/clusters/${h.clusterId}/resources?kind=Secret&namespace=${ns}`);
      return r.body.items.find((o) => o.metadata.name === 'db');
    });
    expect(secret.data).toBeUndefined();
    expect(secret.stringData).toBeUndefined();
    expect(secret.metadata.annotations).toBeUndefined();
    const raw = await fetch(
      `${h.baseUrl}/api/v1/clusters/${h.clusterId}/resources?kind=secrets&namespace=${ns}`,
      {
        headers: { authorization: `Bearer ${h.adminToken}` },
      },
    );
    const text = await raw.text();
    expect(text).toContain('"db"');
    expect(text).not.toContain('s3cret-value');
    expect(text).not.toContain(Buffer.from('s3cret-value').toString('base64'));

    const bad = await h.api<{ error: { fields: { path: string; message: string }[] } }>(
      'GET',
      // a kind no API group serves (other suites add CRDs such as Widget to the shared cluster)
      `/clusters/${h.clusterId}/resources?kind=NoSuchKindServed`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0]?.path).toBe('query.kind');
    const badSelector = await h.api<{ error: { fields: { path: string }[] } }>(
      'GET',
      `/clusters/${h.clusterId}/resources?kind=pods&label_selector=a%20in%20x`,
    );
    expect(badSelector.status).toBe(400);
    expect(badSelector.body.error.fields[0]?.path).toBe('query.label_selector');
  });

  it('pushes changes as Server-Sent Events: added, modified, deleted', async () => {
    const abort = new AbortController();
    const res = await fetch(
      `${h.baseUrl}/api/v1/clusters/${h.clusterId}/resources/events?kind=ConfigMap&namespace=${ns}`,
      { headers: { authorization: `Bearer ${h.adminToken}` }, signal: abort.signal },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = sse(res.body as ReadableStream<Uint8Array>);
    const seen: string[] = [];
    const next = async (want: string) => {
      for (;;) {
        const { value, done } = await events.next();
        if (done) throw new Error(`stream ended before ${want}`);
        const e = `${value.event}:${value.data.object?.metadata.name}`;
        seen.push(e);
        if (e === want) return;
      }
    };
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'live' }, data: { a: '1' } },
    });
    await next('ADDED:live');
    await core.patchNamespacedConfigMap({
      name: 'live',
      namespace: ns,
      body: [{ op: 'replace', path: '/data/a', value: '2' }],
    });
    await next('MODIFIED:live');
    await core.deleteNamespacedConfigMap({ name: 'live', namespace: ns });
    await next('DELETED:live');
    // other namespaces and kinds are not sent
    expect(seen.every((s) => s.endsWith(':live'))).toBe(true);
    abort.abort();
  });
});
