/**
 * Options shared by the commands that act on a cluster (`apply`, `diff`): which
 * cluster (kubeconfig, context), which helm, where charts are cached, how SOPS
 * values are decrypted and where registry credentials come from.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createEngineContext, type EngineContext } from '@mooring/engine';
import { Sops } from '@mooring/gitops';
import { type Credentials, locateHelm, type Mirror } from '@mooring/helm';
import { type Io, UsageError } from '../io.ts';

export const CLUSTER_OPTIONS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  helm: { type: 'string' },
  'chart-cache': { type: 'string' },
  mirror: { type: 'string', multiple: true },
} as const;

export const CLUSTER_USAGE = `      --kubeconfig PATH   the cluster's kubeconfig (default: $KUBECONFIG, then ~/.kube/config)
      --context NAME      kubeconfig context
      --helm PATH         the helm binary (default: $MOORING_HELM, then helm on PATH; with
                          none, the command stops before doing anything and says how to get it)
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

export function credentialsFromEnv(env: Io['env']): NonNullable<EngineContext['credentials']> {
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

/** The same credentials as chart sources take them (`apply` and `validate --check-charts` share them). */
export function registryCredentialsFromEnv(env: Io['env']): (name: string) => Credentials | undefined {
  const of = credentialsFromEnv(env);
  return (name) => {
    const c = of(name);
    if (!c) return undefined;
    return 'token' in c
      ? { kind: 'bearer', token: c.token }
      : { kind: 'basic', username: c.username, password: c.password };
  };
}

/** `--mirror FROM=TO` options. */
export function parseMirrors(values: readonly string[] | undefined): Mirror[] {
  return (values ?? []).map((m) => {
    const i = m.indexOf('=');
    if (i < 1 || i === m.length - 1)
      throw new UsageError(`--mirror must be FROM=TO, got ${JSON.stringify(m)}`);
    return { from: m.slice(0, i), to: m.slice(i + 1) };
  });
}

/**
 * The helm binary: `--helm`, else `$MOORING_HELM`, else `helm` on PATH. Throws
 * HelmNotFoundError (one line saying how to get helm) when there is none, so a
 * command fails before it does anything.
 */
export function helmBinary(args: ClusterArgs, io: Io): string {
  if (args.helm) return locateHelm({ binary: args.helm, origin: '--helm', path: io.env.PATH, cwd: io.cwd });
  if (io.env.MOORING_HELM)
    return locateHelm({
      binary: io.env.MOORING_HELM,
      origin: 'MOORING_HELM',
      path: io.env.PATH,
      cwd: io.cwd,
    });
  return locateHelm({ path: io.env.PATH, cwd: io.cwd });
}

/** The engine's adapters for one cluster; `helm` is the binary `helmBinary` found. */
export function engineContext(cluster: string, args: ClusterArgs, io: Io, helm: string): EngineContext {
  const kubeconfig = args.kubeconfig ? resolve(io.cwd, args.kubeconfig) : io.env.KUBECONFIG?.split(':')[0];
  const sops = new Sops({
    binary: io.env.MOORING_SOPS,
    ageKeyFile: io.env.SOPS_AGE_KEY_FILE,
    ageKey: io.env.SOPS_AGE_KEY,
  });
  const mirrors = parseMirrors(args.mirror);
  return createEngineContext({
    cluster,
    kubeconfig,
    context: args.context,
    helmBinary: helm,
    chartCacheDir: resolve(
      io.cwd,
      args['chart-cache'] ?? join(io.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mooring', 'charts'),
    ),
    mirrors,
    decrypt: (text) => sops.decrypt(text),
    credentials: credentialsFromEnv(io.env),
  });
}
