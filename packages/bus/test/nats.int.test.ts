import { startFaultProxy } from '@mooring/testkit';
import { jetstream } from '@nats-io/jetstream';
import { describe, expect, inject, it } from 'vitest';
import { type BusStatus, commandSubject, NatsBus } from '../src/index.ts';
import { ACK_WAIT_MS, busContract, waitFor } from './contract.ts';

const kit = inject('kit');
const servers = kit.natsUrl!;

busContract({
  name: 'NATS',
  connect: () => NatsBus.connect({ servers, name: 'mooring-bus-test', commandAckWaitMs: ACK_WAIT_MS }),
  publishRaw: async (bus, subject, text) => {
    const nc = (bus as NatsBus).nc;
    nc.publish(subject, text);
    await nc.flush();
  },
  enqueueRaw: async (bus, clusterId, text) => {
    await jetstream((bus as NatsBus).nc).publish(commandSubject(clusterId), text);
  },
});

describe('NatsBus reconnect', () => {
  it('reports reconnecting while the server is unreachable, then resumes its subscriptions', async () => {
    const url = new URL(servers.replace(/^nats:/, 'http:'));
    const proxy = await startFaultProxy(url.hostname, Number(url.port));
    const statuses: BusStatus[] = [];
    const agent = await NatsBus.connect({
      servers: `nats://${proxy.address}`,
      name: 'mooring-bus-reconnect',
      reconnectTimeWaitMs: 100,
      reconnectJitterMs: 50,
      onStatus: (s) => statuses.push(s),
    });
    const platform = await NatsBus.connect({ servers });
    try {
      const subject = `t${Math.random().toString(36).slice(2, 8)}.cmd`;
      const got: number[] = [];
      await agent.subscribe<{ n: number }>(subject, (m) => {
        got.push(m.data.n);
        m.reply?.({ ok: m.data.n });
      });
      await platform.publish(subject, { n: 1 });
      await waitFor(() => got.length === 1);

      proxy.cut();
      await waitFor(() => agent.status() === 'reconnecting', 5000, 'reconnecting');
      // many attempts fail while it is down; the client keeps trying
      await new Promise((r) => setTimeout(r, 1000));
      expect(agent.status()).toBe('reconnecting');

      proxy.restore();
      await waitFor(() => agent.status() === 'connected', 10_000, 'connected again');
      expect(statuses).toEqual(['reconnecting', 'connected']);
      await agent.nc.flush();
      await expect(platform.request(subject, { n: 2 }, { timeoutMs: 3000 })).resolves.toEqual({ ok: 2 });
      expect(got).toEqual([1, 2]);
    } finally {
      await agent.close();
      await platform.close();
      await proxy.stop();
    }
    expect(agent.status()).toBe('closed');
  });
});
