import { CoreApi } from './lean/coreApi.ts';
import { KubeConfig } from './lean/kubeConfig.ts';

export interface KubeTarget {
  /** Path of a kubeconfig file; default: $KUBECONFIG, then ~/.kube/config, then in-cluster. */
  kubeconfig?: string;
  context?: string;
  /** Speak HTTP/2 to the API server (`KUBERNETES_HTTP2_ENABLED`); default HTTP/1.1 keep-alive. */
  http2?: boolean;
}

/** A kubeconfig that cannot be used: missing or unreadable, not a kubeconfig, no such context, no cluster. */
export class KubeConfigError extends Error {
  readonly file?: string;
  constructor(message: string, file?: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'KubeConfigError';
    this.file = file;
  }
}

/** The API server did not answer (connection refused, DNS, TLS, timeout). */
export class ApiServerUnreachableError extends Error {
  readonly server: string;
  constructor(server: string, reason: string, cause?: unknown) {
    super(`cannot reach the Kubernetes API server at ${server}: ${reason}`, { cause });
    this.name = 'ApiServerUnreachableError';
    this.server = server;
  }
}

/** Loads a KubeConfig for a target cluster; throws KubeConfigError when it names no usable cluster. */
export function loadKubeConfig(t: KubeTarget = {}): KubeConfig {
  const kc = new KubeConfig();
  const what = t.kubeconfig ? `kubeconfig ${t.kubeconfig}` : 'the default kubeconfig';
  try {
    if (t.kubeconfig) kc.loadFromFile(t.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason =
      err.code === 'ENOENT'
        ? 'no such file'
        : err.code && err.syscall
          ? `${err.code}`
          : `not a kubeconfig: ${String(err.message).split('\n')[0]}`;
    throw new KubeConfigError(`cannot load ${what}: ${reason}`, t.kubeconfig, e);
  }
  if (t.context) {
    if (!kc.getContextObject(t.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new KubeConfigError(
        `${what} has no context ${t.context}${known.length ? ` (it has: ${known.join(', ')})` : ''}`,
        t.kubeconfig,
      );
    }
    kc.setCurrentContext(t.context);
  }
  if (!kc.getCurrentCluster()?.server)
    throw new KubeConfigError(
      `${what} names no cluster: it needs a current-context whose cluster has a server (or pass --context)`,
      t.kubeconfig,
    );
  if (t.http2) kc.http2 = true;
  return kc;
}

/**
 * Asks the API server for its version, so a command learns at once that the
 * cluster cannot be reached rather than at its first real request. Resolves
 * with the server's gitVersion.
 */
export async function checkApiServer(kc: KubeConfig, timeoutMs = 15_000): Promise<string> {
  const server = kc.getCurrentCluster()?.server ?? '(no server)';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ApiServerUnreachableError(server, `no answer within ${timeoutMs / 1000}s`)),
      timeoutMs,
    );
    timer.unref();
  });
  try {
    const v = await Promise.race([new CoreApi(kc).getCode(), timeout]);
    return v.gitVersion;
  } catch (e) {
    if (e instanceof ApiServerUnreachableError) throw e;
    // an HTTP answer (401, 403, ...) means the server is there; the command's own requests report the rest
    if (typeof (e as { code?: unknown }).code === 'number') return '';
    throw new ApiServerUnreachableError(server, reasonOf(e), e);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The most telling part of a failed request: the message of the innermost
 * cause with an errno code (`connect ECONNREFUSED 127.0.0.1:6443`), else the
 * outer message with the innermost one (`fetch failed (bad port)`).
 */
function reasonOf(e: unknown): string {
  const messages: string[] = [];
  let coded: string | undefined;
  for (let c: unknown = e, i = 0; c && i < 6; i++, c = (c as { cause?: unknown }).cause) {
    const code = (c as { code?: unknown }).code;
    const message = String((c as Error).message ?? c).split('\n')[0]!;
    messages.push(message);
    if (typeof code === 'string') coded = message.includes(code) ? message : `${code} ${message}`.trim();
  }
  if (coded) return coded;
  const [outer, inner] = [messages[0] ?? String(e), messages[messages.length - 1]];
  return inner && inner !== outer ? `${outer} (${inner})` : outer;
}
