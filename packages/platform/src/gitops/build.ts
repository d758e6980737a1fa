import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Bus } from '@mooring/bus';
import type { RetryPolicyMs } from '@mooring/core';
import { GitCache } from '@mooring/gitops';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { PlatformConfig } from '../config.ts';
import type { Database } from '../db/types.ts';
import { CredentialsService } from './credentials.ts';
import { type ApplyDispatcher, unwiredDispatcher } from './dispatcher.ts';
import type { ProviderEndpoints } from './fetchDefinition.ts';
import { SyncLeases } from './leases.ts';
import type { SecretBox } from './secretBox.ts';
import { ephemeralSecretBox } from './secretKeyFile.ts';
import { GitopsService } from './service.ts';

/** What an embedding (the platform, a test) may give the GitOps part. */
export interface GitopsParts {
  /** Encrypts credentials and webhook secrets; absent: a key for this process only (a warning is logged). */
  secretBox?: SecretBox;
  /** Hands applies to the cluster; absent: the platform's operations service (server.ts), else every apply fails and says so. */
  dispatcher?: ApplyDispatcher;
  /** The git cache (default `<dataDir>/git`). */
  cacheDir?: string;
  retryPolicy?: RetryPolicyMs;
  sleep?: (ms: number) => Promise<void>;
  /** Where the provider APIs are (over the configuration's Bitbucket Cloud URLs). */
  providers?: ProviderEndpoints;
}

export interface Gitops {
  service: GitopsService;
  credentials: CredentialsService;
  box: SecretBox;
  /** The git cache the syncs read through (drafts read the same). */
  cache: GitCache;
}

export function buildGitops(
  o: {
    config: PlatformConfig;
    db: Database;
    logger: Logger;
    clock: Clock;
    dispatcher?: ApplyDispatcher;
    /** The bus to the agents (previews). */
    bus?: Bus;
  },
  parts: GitopsParts = {},
): Gitops {
  let box = parts.secretBox;
  if (!box) {
    o.logger.warn('no secret key given: Git credentials stored now cannot be read after a restart');
    box = ephemeralSecretBox();
  }
  const credentials = new CredentialsService({ db: o.db, box, clock: o.clock });
  const cache = new GitCache({ dir: parts.cacheDir ?? join(o.config.dataDir, 'git') });
  const service = new GitopsService({
    db: o.db,
    clock: o.clock,
    logger: o.logger,
    box,
    cache,
    credentials,
    dispatcher: parts.dispatcher ?? o.dispatcher ?? unwiredDispatcher,
    publicUrl: o.config.publicUrl,
    ...(o.bus ? { bus: o.bus } : {}),
    pollSeconds: o.config.gitPollSeconds,
    providers: {
      ...(o.config.bitbucketCloudApiUrl ? { bitbucketCloudApiUrl: o.config.bitbucketCloudApiUrl } : {}),
      ...(o.config.bitbucketCloudTokenUrl ? { bitbucketCloudTokenUrl: o.config.bitbucketCloudTokenUrl } : {}),
      ...parts.providers,
    },
    runner: {
      // replicas on one database never run the same cluster's sync at once
      leases: new SyncLeases({
        db: o.db,
        holder: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
        ttlMs: o.config.syncLeaseSeconds * 1000,
      }),
      ...(parts.retryPolicy ? { retryPolicy: parts.retryPolicy } : {}),
      ...(parts.sleep ? { sleep: parts.sleep } : {}),
    },
  });
  return { service, credentials, box, cache };
}
