import {
  agentPermissions,
  InProcessBus,
  InProcessHub,
  type ResourcesMessage,
  resourcesSubject,
} from '@mooring/bus';
import { KubeConfig } from '@mooring/kube';
import { createNamespace, kitClients, testNamespace } from '@mooring/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../src/logger.ts';
import { type ResourceStreamer, startResourceStreamer } from '../src/resources/streamer.ts';

const kit = inject('kit');
const { kc, core } = kitClients(kit);
const ns = testNamespace('streamer');
let dropNamespace: () => Promise<void>;
const hub = new InProcessHub();
const platform = new InProcessBus({ hub });
const agentBus = new InProcessBus({ hub, permissions: agentPermissions('c1') });
const got: ResourcesMessage[] = [];
let streamer: ResourceStreamer | undefined;

beforeAll(async () => {
  dropNamespace = await createNamespace(core, ns);
  await platform.subscribe(resourcesSubject('c1'), (m) => {
    got.push(m.data as ResourcesMessage);
  });
});
afterAll(async () => {
  await streamer?.stop();
  await agentBus.close();
  await platform.close();
  await dropNamespace?.();
});

const syncsOf = (key: string) =>
  got.filter(
    (m): m is Extract<ResourcesMessage, { op: 'sync' }> => m.op === 'sync' && m.kind.key === key && m.last,
  );

describe('the resource streamer with the watch off (k8s_watch.enabled=false)', () => {
  it('lists every kind again every interval, in numbered pages, without watch events', async () => {
    streamer = await startResourceStreamer({
      bus: agentBus,
      clusterId: 'c1',
      kc: KubeConfig.from(kc),
      logger: silentLogger(),
      watch: false,
      listIntervalMs: 1000,
      dynamicDiscovery: false,
      pageSize: 2,
    });
    expect(got[0]).toMatchObject({ op: 'kinds' });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'later' } } });
    // a later list has it (no watch events are sent)
    await expect
      .poll(
        () =>
          syncsOf('configmaps').some((s) =>
            got
              .filter((m) => m.op === 'sync' && m.sync_id === s.sync_id)
              .some((m) => m.op === 'sync' && m.items.some((o) => o.metadata.name === 'later')),
          ),
        { timeout: 15_000 },
      )
      .toBe(true);
    expect(got.some((m) => m.op === 'event')).toBe(false);
    // nodes come two per page: the kit has 2 nodes → parts numbered from 0, ending with last
    const nodeSync = syncsOf('nodes')[0];
    const parts = got.filter((m) => m.op === 'sync' && m.sync_id === nodeSync?.sync_id);
    expect(parts.map((m) => (m.op === 'sync' ? m.part : -1))).toEqual(parts.map((_, i) => i));
  });
});
