import { existsSync, readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { applyToHTTPSOptions } from './transport.ts';

/** A cluster of a kubeconfig (field names as `@kubernetes/client-node` has them). */
export interface Cluster {
  name: string;
  server: string;
  caData?: string;
  caFile?: string;
  skipTLSVerify?: boolean;
  tlsServerName?: string;
}

/** An exec credential plugin (`client.authentication.k8s.io/v1` or `v1beta1`). */
export interface ExecConfig {
  apiVersion?: string;
  command: string;
  args?: string[];
  env?: { name: string; value: string }[];
  interactiveMode?: string;
  provideClusterInfo?: boolean;
}

export interface User {
  name: string;
  token?: string;
  /** A file holding the token, read again when it may have been rotated (service accounts). */
  tokenFile?: string;
  certData?: string;
  certFile?: string;
  keyData?: string;
  keyFile?: string;
  username?: string;
  password?: string;
  exec?: ExecConfig;
}

export interface Context {
  name: string;
  cluster: string;
  user: string;
  namespace?: string;
}

export interface KubeConfigOptions {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext?: string;
}

/** Where a pod finds its service account. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * A kubeconfig: clusters, users, contexts and the current one. Loads from a file, a string,
 * `$KUBECONFIG` / `~/.kube/config`, or a pod's service account. Relative file paths in a
 * kubeconfig are resolved against the file's folder, as kubectl does.
 */
export class KubeConfig {
  clusters: Cluster[] = [];
  users: User[] = [];
  contexts: Context[] = [];
  currentContext = '';
  /** Speak HTTP/2 to an `https:` API server (one multiplexed connection) instead of HTTP/1.1 keep-alive. */
  http2 = false;

  /** A KubeConfig of these clusters, users and contexts (any object of that shape, e.g. another client's KubeConfig). */
  static from(o: KubeConfigOptions): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions(o);
    return kc;
  }

  loadFromOptions(o: KubeConfigOptions): void {
    this.clusters = o.clusters;
    this.users = o.users;
    this.contexts = o.contexts;
    this.currentContext = o.currentContext ?? '';
  }

  loadFromString(text: string, baseDir?: string): void {
    this.loadFromOptions(parseKubeConfig(text, baseDir));
  }

  loadFromFile(file: string): void {
    this.loadFromString(readFileSync(file, 'utf8'), dirname(file));
  }

  /** The service account of the pod this runs in (its token file is read again as it rotates). */
  loadFromCluster(dir = SERVICE_ACCOUNT_DIR, env: NodeJS.ProcessEnv = process.env): void {
    const host = env.KUBERNETES_SERVICE_HOST ?? '';
    const port = env.KUBERNETES_SERVICE_PORT ?? '443';
    const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const nsFile = join(dir, 'namespace');
    this.loadFromOptions({
      clusters: [{ name: 'inCluster', server, caFile: join(dir, 'ca.crt') }],
      users: [{ name: 'inClusterUser', tokenFile: join(dir, 'token') }],
      contexts: [
        {
          name: 'inClusterContext',
          cluster: 'inCluster',
          user: 'inClusterUser',
          ...(existsSync(nsFile) ? { namespace: readFileSync(nsFile, 'utf8').trim() } : {}),
        },
      ],
      currentContext: 'inClusterContext',
    });
  }

  /** `$KUBECONFIG` (its files merged, the first wins), else `~/.kube/config`, else the pod's service account. */
  loadFromDefault(env: NodeJS.ProcessEnv = process.env): void {
    const files = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
    if (files.length) {
      const merged: KubeConfigOptions = { clusters: [], users: [], contexts: [] };
      for (const f of files) {
        if (files.length > 1 && !existsSync(f)) continue;
        const o = parseKubeConfig(readFileSync(f, 'utf8'), dirname(f));
        mergeInto(merged, o);
      }
      this.loadFromOptions(merged);
      return;
    }
    const home = join(env.HOME ?? homedir(), '.kube', 'config');
    if (existsSync(home)) {
      this.loadFromFile(home);
      return;
    }
    if (env.KUBERNETES_SERVICE_HOST) {
      this.loadFromCluster(SERVICE_ACCOUNT_DIR, env);
      return;
    }
    throw Object.assign(
      new Error('no kubeconfig: $KUBECONFIG is unset, ~/.kube/config does not exist and this is not a pod'),
      {
        code: 'ENOENT',
      },
    );
  }

  getContexts(): Context[] {
    return this.contexts;
  }
  getClusters(): Cluster[] {
    return this.clusters;
  }
  getUsers(): User[] {
    return this.users;
  }
  getContextObject(name: string): Context | undefined {
    return this.contexts.find((c) => c.name === name);
  }
  getCurrentContext(): string {
    return this.currentContext;
  }
  setCurrentContext(name: string): void {
    this.currentContext = name;
  }
  getCurrentCluster(): Cluster | null {
    const c = this.getContextObject(this.currentContext);
    return (c && this.clusters.find((x) => x.name === c.cluster)) ?? null;
  }
  getCurrentUser(): User | null {
    const c = this.getContextObject(this.currentContext);
    return (c && this.users.find((x) => x.name === c.user)) ?? null;
  }
  /** Request options for the current cluster: TLS material, Authorization, the keep-alive pool (`agent`). */
  applyToHTTPSOptions(opts: RequestOptions): Promise<void> {
    return applyToHTTPSOptions(this, opts);
  }
  /** The current context's namespace, else `default`. */
  getNamespace(): string {
    return this.getContextObject(this.currentContext)?.namespace || 'default';
  }
}

function mergeInto(into: KubeConfigOptions, o: KubeConfigOptions): void {
  const add = <T extends { name: string }>(list: T[], more: T[]) => {
    for (const m of more) if (!list.some((x) => x.name === m.name)) list.push(m);
  };
  add(into.clusters, o.clusters);
  add(into.users, o.users);
  add(into.contexts, o.contexts);
  if (!into.currentContext && o.currentContext) into.currentContext = o.currentContext;
}

type Raw = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Parses kubeconfig YAML into clusters, users and contexts (pure). Entries without a name
 * are skipped; a document that is not a mapping throws. File paths are made absolute
 * against `baseDir`.
 */
export function parseKubeConfig(text: string, baseDir?: string): KubeConfigOptions {
  const doc = parse(text) as unknown;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw new Error('not a kubeconfig: the document is not a mapping');
  const d = doc as Raw;
  const path = (v: unknown) => {
    const s = str(v);
    return s && baseDir && !isAbsolute(s) ? join(baseDir, s) : s;
  };
  const named = (v: unknown, key: string): { name: string; body: Raw }[] =>
    (Array.isArray(v) ? v : [])
      .filter((e): e is Raw => !!e && typeof e === 'object' && typeof (e as Raw).name === 'string')
      .map((e) => ({ name: e.name as string, body: ((e as Raw)[key] ?? {}) as Raw }));
  const clusters: Cluster[] = named(d.clusters, 'cluster').map(({ name, body: c }) => ({
    name,
    server: str(c.server) ?? '',
    ...opt('caData', str(c['certificate-authority-data'])),
    ...opt('caFile', path(c['certificate-authority'])),
    ...opt('skipTLSVerify', c['insecure-skip-tls-verify'] === true ? true : undefined),
    ...opt('tlsServerName', str(c['tls-server-name'])),
  }));
  const users: User[] = named(d.users, 'user').map(({ name, body: u }) => ({
    name,
    ...opt('token', str(u.token)),
    ...opt('tokenFile', path(u.tokenFile ?? u['token-file'])),
    ...opt('certData', str(u['client-certificate-data'])),
    ...opt('certFile', path(u['client-certificate'])),
    ...opt('keyData', str(u['client-key-data'])),
    ...opt('keyFile', path(u['client-key'])),
    ...opt('username', str(u.username)),
    ...opt('password', str(u.password)),
    ...opt('exec', execOf(u.exec, baseDir)),
  }));
  const contexts: Context[] = named(d.contexts, 'context').map(({ name, body: c }) => ({
    name,
    cluster: str(c.cluster) ?? '',
    user: str(c.user) ?? '',
    ...opt('namespace', str(c.namespace)),
  }));
  return { clusters, users, contexts, currentContext: str(d['current-context']) ?? '' };
}

function execOf(v: unknown, baseDir?: string): ExecConfig | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const e = v as Raw;
  let command = str(e.command);
  if (!command) return undefined;
  // a relative command with a slash is relative to the kubeconfig's folder (kubectl's rule)
  if (baseDir && !isAbsolute(command) && command.includes('/')) command = join(baseDir, command);
  return {
    command,
    ...opt('apiVersion', str(e.apiVersion)),
    ...opt('args', Array.isArray(e.args) ? e.args.map(String) : undefined),
    ...opt(
      'env',
      Array.isArray(e.env)
        ? (e.env as Raw[]).map((x) => ({ name: String(x.name), value: String(x.value ?? '') }))
        : undefined,
    ),
    ...opt('interactiveMode', str(e.interactiveMode)),
    ...opt('provideClusterInfo', e.provideClusterInfo === true ? true : undefined),
  };
}

function opt<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
}
