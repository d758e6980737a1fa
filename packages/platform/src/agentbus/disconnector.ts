import { NatsBus } from '@mooring/bus';
import type { Logger } from 'pino';
import { type ClientConnection, connectionOfEvent, connectionsOf, connectionsToKick } from './connz.ts';

export interface DisconnectorOptions {
  servers: string[];
  /** Secret: a system-account user's `.creds` text. */
  systemCreds: string;
  /** The Mooring account (`A...`) whose agents connect. */
  accountPublicKey: string;
  /** Which of these user keys are revoked (and not yet expired). */
  revoked: (userKeys: string[]) => Promise<Set<string>>;
  logger: Logger;
}

/**
 * Cuts agents' NATS connections through the system account: finds the account's
 * connections with `$SYS.REQ.SERVER.PING.CONNZ` (every server answers) and disconnects
 * those of revoked users with `$SYS.REQ.SERVER.<id>.KICK` (nats-server 2.10+). It also
 * watches the account's connect advisories, so a revoked user that reconnects with
 * credentials the server still accepts is cut again at once.
 */
export class NatsDisconnector {
  readonly #bus: NatsBus;
  readonly #o: DisconnectorOptions;
  #unsubscribe: (() => Promise<void>) | undefined;

  private constructor(bus: NatsBus, o: DisconnectorOptions) {
    this.#bus = bus;
    this.#o = o;
  }

  static async start(o: DisconnectorOptions): Promise<NatsDisconnector> {
    const bus = await NatsBus.connect({
      servers: o.servers,
      name: 'mooring-platform/system',
      creds: o.systemCreds,
      onError: (err, subject) => o.logger.warn({ err, subject }, 'system bus error'),
    });
    const d = new NatsDisconnector(bus, o);
    d.#unsubscribe = await bus.subscribe(
      `$SYS.ACCOUNT.${o.accountPublicKey}.CONNECT`,
      async (m) => {
        const c = connectionOfEvent(m.data);
        if (!c?.user) return;
        const revoked = await o.revoked([c.user]);
        if (revoked.has(c.user)) await d.#kick([c]);
      },
      { onError: (err) => o.logger.warn({ err }, 'connect advisory not handled') },
    );
    return d;
  }

  /** Every connection of the account, from every server that answers within the wait. */
  async connections(): Promise<ClientConnection[]> {
    const body = new TextEncoder().encode(
      JSON.stringify({ acc: this.#o.accountPublicKey, auth: true, limit: 10_000 }),
    );
    const replies = await this.#bus.nc.requestMany('$SYS.REQ.SERVER.PING.CONNZ', body, {
      strategy: 'stall',
      stall: 300,
      maxWait: 3000,
    });
    const all: ClientConnection[] = [];
    for await (const m of replies) {
      try {
        all.push(...connectionsOf(m.json()));
      } catch {
        // not JSON: not a CONNZ answer
      }
    }
    return all;
  }

  /** Disconnects every connection of these users; answers how many were cut. */
  async disconnectUsers(userKeys: readonly string[]): Promise<number> {
    if (userKeys.length === 0) return 0;
    const targets = connectionsToKick(await this.connections(), new Set(userKeys));
    return this.#kick(targets);
  }

  async #kick(targets: readonly ClientConnection[]): Promise<number> {
    let cut = 0;
    for (const c of targets) {
      try {
        await this.#bus.request(`$SYS.REQ.SERVER.${c.serverId}.KICK`, { cid: c.cid }, { timeoutMs: 3000 });
        cut++;
        this.#o.logger.info(
          { cid: c.cid, name: c.name, server: c.serverId },
          'agent disconnected from the bus',
        );
      } catch (err) {
        this.#o.logger.warn({ err, cid: c.cid, server: c.serverId }, 'could not disconnect an agent');
      }
    }
    return cut;
  }

  async close(): Promise<void> {
    await this.#unsubscribe?.().catch(() => undefined);
    await this.#bus.close().catch(() => undefined);
  }
}
