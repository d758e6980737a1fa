import { BusPermissionError, requestSubject, requestSubjects } from '@mooring/bus';
import { describe, expect, it } from 'vitest';
import { connectionOfEvent, connectionsOf, connectionsToKick } from '../src/agentbus/connz.ts';
import { EmbeddedAgentBus } from '../src/agentbus/embeddedAgentBus.ts';

describe('CONNZ replies and connect advisories', () => {
  it('reads the connections of a server with their users', () => {
    const reply = {
      server: { id: 'NSERVER' },
      data: {
        connections: [
          { cid: 7, authorized_user: 'UAGENT1', name: 'mooring-agent/c1' },
          { cid: 8, name: 'mooring-platform' },
        ],
      },
    };
    expect(connectionsOf(reply)).toEqual([
      { serverId: 'NSERVER', cid: 7, user: 'UAGENT1', name: 'mooring-agent/c1' },
      { serverId: 'NSERVER', cid: 8, name: 'mooring-platform' },
    ]);
    expect(connectionsOf({ server: { id: 'N' }, data: { connections: null } })).toEqual([]);
    expect(connectionsOf({ error: { code: 500 } })).toEqual([]);
  });

  it('reads the connection a connect advisory announces', () => {
    expect(
      connectionOfEvent({ server: { id: 'NS' }, client: { id: 3, user: 'UX', name: 'mooring-agent/c1' } }),
    ).toEqual({ serverId: 'NS', cid: 3, user: 'UX', name: 'mooring-agent/c1' });
    expect(connectionOfEvent({ client: {} })).toBeUndefined();
  });

  it('cuts only the connections of revoked users', () => {
    const conns = [
      { serverId: 'N', cid: 1, user: 'UOLD' },
      { serverId: 'N', cid: 2, user: 'UNEW' },
      { serverId: 'N', cid: 3 },
    ];
    expect(connectionsToKick(conns, new Set(['UOLD'])).map((c) => c.cid)).toEqual([1]);
  });
});

describe('the embedded agent bus', () => {
  it('lets the platform ask an agent and the agent answer; an agent hears only its own requests; revoking closes it', async () => {
    const embedded = new EmbeddedAgentBus();
    const a = embedded.connectAgent('a');
    await a.subscribe(requestSubjects('a'), (m) => m.reply?.({ revisions: [] }));
    await expect(
      embedded.bus.request(requestSubject('a', 'addon.history'), { name: 'x', namespace: 'y' }),
    ).resolves.toEqual({
      revisions: [],
    });
    await expect(a.subscribe(requestSubjects('b'), () => {})).rejects.toBeInstanceOf(BusPermissionError);
    await embedded.revoke({ id: 'a', organizationId: 'o', name: 'a' });
    expect(a.status()).toBe('closed');
    await embedded.close();
  });
});
