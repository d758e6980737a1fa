import type { AddonMember } from '@mooring/core';
import { isSopsEncrypted } from '@mooring/gitops';
import type { Credentials } from '@mooring/helm';
import type { StoredRelease } from '@mooring/kube';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { dropWindowProject, forgetHelmRelease, mooringApplication, waitGone } from './argocd/deploy.ts';
import {
  type EngineContext,
  hashLabel,
  healthSource,
  LABEL_CLUSTER,
  LABEL_HASH,
  LABEL_MEMBER,
  LABEL_STACK,
} from './context.ts';
import { engineOf } from './engines.ts';
import { waitHealthy } from './health.ts';
import { parseManifest } from './manifestText.ts';

export interface AddonResult {
  action: 'installed' | 'upgraded' | 'unchanged';
  revision: number;
  message: string;
}

export class AddonDeployError extends Error {
  readonly addon: string;
  constructor(addon: string, message: string, cause?: unknown) {
    super(`add-on ${addon}: ${message}`, { cause });
    this.name = 'AddonDeployError';
    this.addon = addon;
  }
}

/** True when the stored release already holds this content and is deployed: nothing to do, no Helm call. */
export function isUnchanged(
  stored: { status: string; labels?: Record<string, string> } | undefined,
  hash: string,
): boolean {
  return !!stored && stored.status === 'deployed' && stored.labels?.[LABEL_HASH] === hashLabel(hash);
}

export function credentialsFor(ctx: EngineContext, name: string | undefined): Credentials | undefined {
  if (!name || !ctx.credentials) return undefined;
  const c = ctx.credentials(name);
  if (!c) return undefined;
  return 'token' in c
    ? { kind: 'bearer', token: c.token }
    : { kind: 'basic', username: c.username, password: c.password };
}

/** `sync_options` as a set of `Key=value` pairs. */
function syncOption(a: AddonMember, key: string): string | undefined {
  const hit = a.settings.syncPolicy.syncOptions.find((o) => o.split('=')[0] === key);
  return hit?.split('=')[1];
}

async function plain(ctx: EngineContext, a: AddonMember, text: string, what: string): Promise<string> {
  if (!isSopsEncrypted(text)) return text;
  if (!ctx.decrypt)
    throw new AddonDeployError(a.name, `${what} are SOPS-encrypted but no decryption key is configured`);
  try {
    return await ctx.decrypt(text);
  } catch (e) {
    throw new AddonDeployError(a.name, `cannot decrypt ${what}: ${(e as Error).message}`, e);
  }
}

/**
 * Values text ready for helm: SOPS-encrypted values are decrypted in memory;
 * `values_files` layers are merged under the add-on's own values as Helm
 * merges `-f` files (maps key by key, anything else replaced by the later one).
 */
export async function valuesFor(ctx: EngineContext, a: AddonMember): Promise<string> {
  const own = await plain(ctx, a, a.values.text, 'values');
  const layers = a.values.layers ?? [];
  if (layers.length === 0) return own;
  let merged: Record<string, unknown> = {};
  for (const l of layers)
    merged = mergeValues(merged, asMap(parseYaml(await plain(ctx, a, l.text, `values of ${l.file}`))));
  merged = mergeValues(merged, asMap(parseYaml(own)));
  return stringifyYaml(merged);
}

const asMap = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Helm's merge of two values files (pure): maps merge key by key, the later value wins otherwise. */
export function mergeValues(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? mergeValues(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/**
 * Deploys one add-on with `helm upgrade --install`: the release is named after
 * the add-on, in its namespace; rollback on failure; history limit; timeouts
 * from job_configuration; the content hash recorded as a release label.
 */
export async function deployAddon(
  ctx: EngineContext,
  a: AddonMember,
  hash: string,
  stored: StoredRelease | undefined,
  opts: { takeOwnership?: boolean; force?: boolean; description?: string } = {},
): Promise<AddonResult> {
  const engine = engineOf(ctx.engines, a);
  if (engine !== 'native') {
    throw new AddonDeployError(
      a.name,
      `its engine is ${engine}: the native engine deploys only native add-ons (deployArgoAddon deploys argocd ones)`,
    );
  }
  // an add-on moving from Argo CD: Helm adopts the live objects first (--take-ownership), and
  // its Application is deleted without cascade only once the release is deployed and healthy
  const fromArgo = ctx.argocd ? await mooringApplication(ctx.argocd, ctx.cluster, a.name) : undefined;
  if (!fromArgo && !opts.force && isUnchanged(stored, hash)) {
    return {
      action: 'unchanged',
      revision: stored!.version,
      message: `revision ${stored!.version} is current`,
    };
  }
  try {
    return await helmDeploy(ctx, a, hash, stored, { ...opts, fromArgo: !!fromArgo });
  } catch (e) {
    if (!fromArgo) throw e;
    // the take-over failed: the add-on stays on Argo CD, the Helm release storage written for it goes
    await forgetHelmRelease(ctx, a).catch(() => 0);
    throw new AddonDeployError(
      a.name,
      `${(e as Error).message.replace(/^add-on [^:]+: /, '')} (still on Argo CD: its Application is kept, the Helm release storage written for it removed)`,
      e,
    );
  }
}

async function helmDeploy(
  ctx: EngineContext,
  a: AddonMember,
  hash: string,
  stored: StoredRelease | undefined,
  opts: { takeOwnership?: boolean; description?: string; fromArgo: boolean },
): Promise<AddonResult> {
  const fromArgo = opts.fromArgo;
  const chart = await ctx.charts.resolve({
    chart: a.chart.name,
    version: a.chart.version,
    repoUrl: a.chart.registry.url,
    credentials: credentialsFor(ctx, a.chart.registry.credentialName),
  });
  const values = await valuesFor(ctx, a);
  const timeoutMs = a.jobConfiguration.updateJobTimeout.seconds * 1000;
  const ssa = syncOption(a, 'ServerSideApply');
  // helm applies (server-side, which validates) and runs hooks, rolling back if they fail;
  // Mooring then waits for health itself, from the shared watch cache, with its own rules
  const release = await ctx.helm.upgradeInstall({
    release: a.name,
    namespace: a.namespace,
    chartPath: chart.path,
    values,
    createNamespace: syncOption(a, 'CreateNamespace') === 'true',
    // a failed first install rolls back by uninstalling: never for objects adopted from Argo CD
    rollbackOnFailure: !fromArgo,
    wait: 'hookOnly',
    disableOpenapiValidation: true,
    takeOwnership: opts.takeOwnership || fromArgo,
    // Git is the source of truth: fields another manager took (kubectl scale, edits) come back
    forceConflicts: true,
    description: opts.description,
    historyMax: a.settings.revisionHistoryLimit,
    timeoutMs,
    serverSide: ssa === 'true' ? 'true' : ssa === 'false' ? 'false' : 'auto',
    labels: {
      [LABEL_CLUSTER]: ctx.cluster,
      [LABEL_STACK]: a.stack,
      [LABEL_MEMBER]: a.name,
      [LABEL_HASH]: hashLabel(hash),
    },
  });
  const objects = parseManifest(release.manifest, a.namespace);
  const wait = await waitHealthy(
    healthSource(ctx),
    objects,
    a.settings.strictHealthCheck,
    Math.min(timeoutMs, 300_000),
  );
  const health = wait.health;
  if (!wait.ok) {
    const previous = stored && stored.status === 'deployed' ? stored.version : undefined;
    let rolledBack = '';
    if (previous) {
      try {
        await ctx.helm.rollback(a.name, a.namespace, previous, {
          historyMax: a.settings.revisionHistoryLimit,
        });
        rolledBack = `; rolled back to revision ${previous}`;
      } catch (e) {
        rolledBack = `; rollback to revision ${previous} failed: ${(e as Error).message}`;
      }
    }
    throw new AddonDeployError(
      a.name,
      `revision ${release.revision} not healthy${wait.timedOut ? ' in time' : ''}: ${health.message}${rolledBack}`,
    );
  }
  if (fromArgo) {
    // the release verified deployed and healthy: now the Application goes, its resources stay
    await ctx.argocd!.client.deleteApplication(a.name, 'non-cascading');
    await waitGone(ctx.argocd!, a.name, 60_000);
    await dropWindowProject(ctx.argocd!, ctx.cluster, a.name);
  }
  return {
    action: stored ? 'upgraded' : 'installed',
    revision: release.revision,
    message: `revision ${release.revision} deployed${fromArgo ? ' (taken over from its Argo CD Application, deleted without cascade)' : ''}, ${health.message}`,
  };
}
