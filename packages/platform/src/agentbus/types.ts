import type { Bus } from '@mooring/bus';
import type { ClusterHooks } from '../clusters/hooks.ts';

/** What an agent gets in its check-in answer as `bus`. The creds are secret. */
export interface CheckInBus {
  kind: 'nats';
  servers: string[];
  /** Secret: the `.creds` text (user JWT and seed). */
  creds: string;
  inbox_prefix: string;
  expires_at: string;
  renew_at: string;
}

/** The platform's side of the agents' bus: its own connection and what it attaches to clusters' lives. */
export interface AgentBus {
  readonly kind: 'nats' | 'in-process';
  /** The platform's connection: commands and requests out, heartbeats and results in. */
  readonly bus: Bus;
  /** Check-in credentials and revocation on token replacement or deletion. */
  hooks(): ClusterHooks;
  close(): Promise<void>;
}
