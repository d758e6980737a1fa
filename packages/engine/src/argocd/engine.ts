import type { ArgoCdClient, DeletionMode } from './client.ts';

/** What the engine needs to drive Argo CD for one cluster (part of the EngineContext). */
export interface ArgoCdEngine {
  client: ArgoCdClient;
  /** Argo CD's namespace, where Applications live (default `argocd`). */
  namespace: string;
  /** The AppProject of Mooring's Applications (default `default`). */
  project?: string;
  /** What removing an add-on does by default: cascade in the foreground, the background, or not at all. */
  deletion: DeletionMode;
  /** How often a wait polls the API (default 500 ms). */
  pollMs?: number;
  /** How long a removal waits for an Application to go (default 120 s). */
  deletionWaitMs?: number;
  /** A deletion pending longer than this is stuck: its finalizers are removed (default 10 minutes). */
  stuckAfterMs?: number;
}
