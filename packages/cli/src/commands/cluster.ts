/**
 * Options shared by the commands that act on a cluster (`apply`, `diff`): which
 * cluster (kubeconfig, context), which helm, where charts are cached, how SOPS
 * values are decrypted and where registry credentials come from.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createEngineContext, type EngineContext } from '@mooring/engine';
import { Sops } from '@mooring/gitops';
import type { Io } from '../io.ts';

export const CLUSTER_OPTIONS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  helm: { type: 'string' },
  'chart-cache': { type: 'string' },
  mirror: { type: 'string', multiple: true },
} as const;

export const CLUSTER_USAGE = `      --kubeconfig PATH   the cluster's kubeconfig (default: $KUBECONFIG, then ~/.kube/config)
      --context NAME      kubeconfig context
      --helm PATH         the helm binary (default: $MOORING_HELM, then helm on PATH)
      --chart-cache DIR   where resolved charts are kept (default: ~/.cache/mooring/charts)
      --mirror FROM=TO    use TO for charts whose registry URL starts with FROM (repeatable)

  SOPS-encrypted values are decrypted in memory with the age key in $SOPS_AGE_KEY_FILE or $SOPS_AGE_KEY.
  Registry credentials named by credential_name come from the environment:
  MOORING_CREDENTIAL_<NAME>_USERNAME and _PASSWORD, or MOORING_CREDENTIAL_<NAME>_TOKEN
  (NAME upper-cased, non-alphanumerics as _).`;

export interface ClusterArgs {
  kubeconfig?: string;
  context?: string;
  helm?: string;
  'chart-cache'?: string;
  mirror?: string[];
}

export function credentialsFromEnv(env: Io['env']): EngineContext['credentials'] {
  return (name: string) => {
    const key = `MOORING_CREDENTIAL_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
    const token = env[`${key}_TOKEN`];
    if (token) return { token };
    const username = env[`${key}_USERNAME`];
    const password = env[`${key}_PASSWORD`];
    if (username && password) return { username, password };
    return undefined;
  };
}

export function engineContext(cluster: string, args: ClusterArgs, io: Io): EngineContext {
  const kubeconfig = args.kubeconfig ? resolve(io.cwd, args.kubeconfig) : io.env.KUBECONFIG?.split(':')[0];
  const sops = new Sops({
    binary: io.env.MOORING_SOPS,
    ageKeyFile: io.env.SOPS_AGE_KEY_FILE,
    ageKey: io.env.SOPS_AGE_KEY,
  });
  const mirrors = (args.mirror ?? []).map((m) => {
    const i = m.indexOf('=');
    if (i < 1) throw new Error(`--mirror must be FROM=TO, got ${JSON.stringify(m)}`);
    return { from: m.slice(0, i), to: m.slice(i + 1) };
  });
  return createEngineContext({
    cluster,
    kubeconfig,
    context: args.context,
    helmBinary: args.helm ?? io.env.MOORING_HELM ?? 'helm',
    chartCacheDir: resolve(
      io.cwd,
      args['chart-cache'] ?? join(io.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mooring', 'charts'),
    ),
    mirrors,
    decrypt: (text) => sops.decrypt(text),
    credentials: credentialsFromEnv(io.env),
  });
}
