import { NatsBus } from '@mooring/bus';
import type { Logger } from 'pino';
import {
  type BusAccountSigner,
  busAccountSigner,
  issueAgentCredentials,
  issuePlatformCredentials,
} from '../busauth/index.ts';
import type { Clock } from '../clock.ts';
import type { ClusterHooks, ClusterRef } from '../clusters/hooks.ts';
import type { NatsSettings } from '../config.ts';
import type { Database } from '../db/types.ts';
import { NatsDisconnector } from './disconnector.ts';
import { pruneBusUsers, recordBusUser, revokeClusterBusUsers, revokedBusUsers } from './queries.ts';
import type { AgentBus, CheckInBus } from './types.ts';

export interface NatsAgentBusOptions {
  settings: NatsSettings;
  db: Database;
  clock: Clock;
  logger: Logger;
}

/**
 * The scaled mode: the platform's own NATS connection (credentials it signs for itself),
 * agent credentials at check-in (after the cluster's command consumer exists), and, with
 * a system-account user, the disconnection of agents whose token was replaced or whose
 * cluster was deleted.
 */
export class NatsAgentBus implements AgentBus {
  readonly kind = 'nats' as const;
  readonly bus: NatsBus;
  readonly #signer: BusAccountSigner;
  readonly #o: NatsAgentBusOptions;
  readonly #disconnector: NatsDisconnector | undefined;

  private constructor(
    bus: NatsBus,
    signer: BusAccountSigner,
    disconnector: NatsDisconnector | undefined,
    o: NatsAgentBusOptions,
  ) {
    this.bus = bus;
    this.#signer = signer;
    this.#disconnector = disconnector;
    this.#o = o;
  }

  static async start(o: NatsAgentBusOptions): Promise<NatsAgentBus> {
    const { settings, logger } = o;
    const signer = busAccountSigner(settings.accountPublicKey, settings.accountSigningKeySeed);
    // the platform's own credentials, renewed at every reconnection
    let own = await issuePlatformCredentials(signer, { ttlSeconds: 7 * 24 * 3600 });
    const bus = await NatsBus.connect({
      servers: settings.servers,
      name: 'mooring-platform',
      creds: () => own.creds,
      inboxPrefix: own.inboxPrefix,
      commandReplicas: settings.commandReplicas,
      onStatus: (status) => logger.info({ status }, 'bus status'),
      onError: (err, subject) => logger.warn({ err, subject }, 'bus error'),
    });
    const renew = setInterval(
      () =>
        void issuePlatformCredentials(signer, { ttlSeconds: 7 * 24 * 3600 }).then((c) => {
          own = c;
        }),
      24 * 3600 * 1000,
    );
    renew.unref();
    let disconnector: NatsDisconnector | undefined;
    try {
      if (settings.systemCreds) {
        disconnector = await NatsDisconnector.start({
          servers: settings.servers,
          systemCreds: settings.systemCreds,
          accountPublicKey: settings.accountPublicKey,
          revoked: (keys) => revokedBusUsers(o.db, keys, o.clock()),
          logger,
        });
      } else {
        logger.warn(
          {},
          'no system-account credentials (MOORING_NATS_SYSTEM_CREDS): a revoked agent keeps its bus connection until its credentials expire',
        );
      }
    } catch (e) {
      clearInterval(renew);
      await bus.close().catch(() => undefined);
      throw e;
    }
    const agentBus = new NatsAgentBus(bus, signer, disconnector, o);
    agentBus.#renewTimer = renew;
    return agentBus;
  }

  #renewTimer: NodeJS.Timeout | undefined;
  /** Clusters whose command consumer this process has made sure of (a renewal asks JetStream nothing). */
  readonly #prepared = new Set<string>();
  #prunedAt = 0;

  /** Credentials for one cluster's agent (its consumer is created first); the user is recorded for revocation. */
  async issue(cluster: ClusterRef): Promise<CheckInBus> {
    const { settings, db, clock } = this.#o;
    if (!this.#prepared.has(cluster.id)) {
      await this.bus.prepareCommands(cluster.id);
      this.#prepared.add(cluster.id);
    }
    const now = clock();
    const c = await issueAgentCredentials(this.#signer, cluster.id, {
      now,
      ttlSeconds: settings.credentialsTtlSeconds,
    });
    // expired users are pruned at most once a minute, not at every issue
    if (now.getTime() - this.#prunedAt >= 60_000) {
      this.#prunedAt = now.getTime();
      await pruneBusUsers(db, now);
    }
    await recordBusUser(db, {
      userPublicKey: c.userPublicKey,
      clusterId: cluster.id,
      issuedAt: c.issuedAt,
      expiresAt: c.expiresAt,
    });
    return {
      kind: 'nats',
      servers: settings.agentServers,
      creds: c.creds,
      inbox_prefix: c.inboxPrefix,
      expires_at: c.expiresAt.toISOString(),
      renew_at: c.renewAt.toISOString(),
    };
  }

  /** Revokes every bus user of the cluster and cuts their connections. */
  async revoke(cluster: ClusterRef): Promise<void> {
    this.#prepared.delete(cluster.id);
    const keys = await revokeClusterBusUsers(this.#o.db, cluster.id, this.#o.clock());
    const cut = (await this.#disconnector?.disconnectUsers(keys)) ?? 0;
    this.#o.logger.info(
      { cluster_id: cluster.id, users: keys.length, connections: cut },
      'agent bus users revoked',
    );
  }

  hooks(): ClusterHooks {
    return {
      issueBusCredentials: (cluster) => this.issue(cluster) as unknown as Promise<Record<string, unknown>>,
      agentTokenReplaced: (cluster) => this.revoke(cluster),
      deleted: (cluster) => this.revoke(cluster),
    };
  }

  get disconnector(): NatsDisconnector | undefined {
    return this.#disconnector;
  }

  async close(): Promise<void> {
    clearInterval(this.#renewTimer);
    await this.#disconnector?.close();
    await this.bus.close().catch(() => undefined);
  }
}
