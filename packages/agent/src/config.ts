import { CLUSTER_ID_PATTERN } from '@mooring/bus';
import { z } from 'zod';

/** The agent's log levels as the chart spells them (`log_level`). */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Variables whose values are never printed, logged or put in an error. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set(['MOORING_TOKEN', 'MOORING_ARGOCD_TOKEN']);

/** The agent's settings, read once at start-up (see README.md for the table). */
export interface AgentConfig {
  clusterId: string;
  platformUrl: string;
  /** Secret: never log it (use `describeConfig`). */
  token?: string;
  logLevel: LogLevel;
  /** Absent: the in-process bus (embedded single-machine mode). */
  natsUrl?: string;
  /** Absent: `$KUBECONFIG`, `~/.kube/config` or the in-cluster service account. */
  kubeconfig?: string;
  natsWorkerMaxWorkers: number;
  readWorkerCount: number;
  writeWorkerCount: number;
  k8sWatchEnabled: boolean;
  /** `DYNAMIC_API_DISCOVERY_ENABLED`: stream every served kind, CRDs included, not only the built-in ones. */
  dynamicApiDiscovery: boolean;
  /** Seconds between full lists of each kind when the watch is off. */
  resourceListIntervalSeconds: number;
  httpPort: number;
  reconcileIntervalSeconds: number;
  autoHeal: boolean;
  helm: string;
  chartCache: string;
  shutdownTimeoutSeconds: number;
  namespace?: string;
  podName?: string;
  /** Seconds between check-ins with the platform (with `token`). */
  checkInIntervalSeconds: number;
  /** `MOORING_CHART_MIRRORS`: chart sources served from elsewhere (`FROM=TO,FROM=TO`), e.g. an in-house mirror. */
  chartMirrors: { from: string; to: string }[];
  /** `MOORING_SOPS_AGE_KEY_FILE`: age identities that decrypt SOPS-encrypted values (in memory, with `sops`). */
  sopsAgeKeyFile?: string;
  /** `MOORING_SOPS`: the sops program. */
  sops: string;
  /** `KUBE_PROXY_UNARY_CONCURRENCY`: unary requests through the kubectl proxy at once. */
  kubeProxyUnaryConcurrency: number;
  /** `KUBE_PROXY_STREAM_CONCURRENCY`: streams (watch, logs -f) through the kubectl proxy at once. */
  kubeProxyStreamConcurrency: number;
  /** `MOORING_PUBLIC_IP_*` (`public_ip.*` of the chart): report the public egress IP at check-in. Off by default. */
  publicIp: { enabled: boolean; lookupUrl: string; refreshSeconds: number; lookupTimeoutSeconds: number };
  /** `KUBERNETES_HTTP2_ENABLED`: the engine's requests and watches use HTTP/2 (one multiplexed connection); the kube proxy stays on HTTP/1.1. */
  kubernetesHttp2: boolean;
  /** `POD_LOGS_HTTP2_ENABLED`: pod logs are read as streams of one HTTP/2 connection to an `https:` API server. */
  podLogsHttp2: boolean;
  /** `KUBERNETES_REQUEST_MAX_ATTEMPTS`: attempts of a get or list whose connection broke before an answer. */
  kubernetesRequestMaxAttempts: number;
  /** `FORWARD_SERVICE_REQUEST_MAX_TIMEOUT_SECONDS`: the longest a request forwarded to an in-cluster Service may take. */
  forwardServiceMaxTimeoutSeconds: number;
  /** `MOORING_ARGOCD_URL`: the cluster's Argo CD API, for add-ons with `settings.engine: argocd`. */
  argocdUrl?: string;
  /** Secret: `MOORING_ARGOCD_TOKEN`, the `mooring` local account's API token. */
  argocdToken?: string;
  /** `MOORING_ARGOCD_NAMESPACE`: where Argo CD keeps Applications (default `argocd`). */
  argocdNamespace: string;
  /** `MOORING_ARGOCD_DELETION`: how a removed add-on's Application is deleted. */
  argocdDeletion: 'foreground' | 'background' | 'non-cascading';
}

/** One bad variable: its name and what is wrong (never its value when it is secret). */
export interface ConfigIssue {
  variable: string;
  message: string;
}

/** The environment does not make a valid configuration; `issues` names every bad variable. */
export class ConfigError extends Error {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super(
      `invalid agent configuration (${issues.length} ${issues.length === 1 ? 'variable' : 'variables'}):\n${issues
        .map((i) => `  ${i.variable}: ${i.message}`)
        .join('\n')}`,
    );
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/**
 * An optional environment variable with a default: blank means unset; `parse`
 * returns the value, or undefined when the text is not acceptable (reported with `message`).
 */
const envValue = <T>(dflt: T, message: string, parse: (text: string) => T | undefined) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return dflt;
        const parsed = parse(v);
        if (parsed === undefined) {
          ctx.addIssue({ code: 'custom', message });
          return z.NEVER;
        }
        return parsed;
      }),
  );

const bool = (dflt: boolean) =>
  envValue(dflt, 'must be true or false', (v) => {
    const s = v.trim().toLowerCase();
    return TRUE.has(s) ? true : FALSE.has(s) ? false : undefined;
  });

const int = (dflt: number, min: number, max: number) =>
  envValue(dflt, `must be a whole number from ${min} to ${max}`, (v) => {
    const n = /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
    return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
  });

const seconds = (dflt: number) =>
  envValue(dflt, 'must be a number of seconds greater than 0', (v) => {
    const n = /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : Number.NaN;
    return n > 0 ? n : undefined;
  });

const optionalText = z.preprocess(blankToUndefined, z.string().trim().optional());
const text = (dflt: string) => z.preprocess(blankToUndefined, z.string().trim().default(dflt));

const url = (protocols: RegExp, what: string) =>
  z.string().refine((v) => {
    try {
      return protocols.test(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be ${what}`);

const natsUrls = z
  .string()
  .trim()
  .refine(
    (v) =>
      v.split(',').every((u) => {
        try {
          return /^(nats|tls|ws|wss):$/.test(new URL(u.trim()).protocol);
        } catch {
          return false;
        }
      }),
    'must be one or more comma-separated nats://host:port URLs',
  );

/** The environment variables the agent reads, by name. */
export const envSchema = z.object({
  MOORING_CLUSTER_ID: z
    .string({ error: 'is required' })
    .regex(
      CLUSTER_ID_PATTERN,
      'must be one safe token: letters, digits, "_" and "-", at most 128 characters',
    ),
  MOORING_PLATFORM_URL: z.preprocess(
    blankToUndefined,
    url(/^https?:$/, 'an http(s) URL').default('https://platform.mooring.dev'),
  ),
  // secret: the messages below never include the value
  MOORING_TOKEN: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[\x21-\x7e]+$/, 'must be printable characters without whitespace')
      .optional(),
  ),
  MOORING_LOG_LEVEL: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim().toUpperCase() : undefined),
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('INFO'),
  ),
  MOORING_NATS_URL: z.preprocess(blankToUndefined, natsUrls.optional()),
  MOORING_KUBECONFIG: optionalText,
  MOORING_NATS_WORKER_MAX_WORKERS: int(15, 1, 1000),
  MOORING_READ_WORKER_COUNT: int(5, 1, 1000),
  MOORING_WRITE_WORKER_COUNT: int(5, 1, 1000),
  MOORING_K8S_WATCH_ENABLED: bool(true),
  DYNAMIC_API_DISCOVERY_ENABLED: bool(false),
  MOORING_RESOURCE_LIST_INTERVAL_SECONDS: seconds(60),
  MOORING_HTTP_PORT: int(8080, 0, 65535),
  MOORING_RECONCILE_INTERVAL_SECONDS: seconds(60),
  RECONCILE_AUTO_HEAL_ENABLED: bool(true),
  KUBE_PROXY_UNARY_CONCURRENCY: int(64, 1, 10_000),
  KUBE_PROXY_STREAM_CONCURRENCY: int(128, 1, 10_000),
  MOORING_PUBLIC_IP_REPORTING_ENABLED: bool(false),
  MOORING_PUBLIC_IP_LOOKUP_URL: z.preprocess(
    blankToUndefined,
    url(/^https?:$/, 'an http(s) URL').default('https://api.ipify.org?format=json'),
  ),
  MOORING_PUBLIC_IP_REFRESH_SECONDS: seconds(3600),
  MOORING_PUBLIC_IP_LOOKUP_TIMEOUT_SECONDS: seconds(5),
  KUBERNETES_HTTP2_ENABLED: bool(false),
  POD_LOGS_HTTP2_ENABLED: bool(false),
  KUBERNETES_REQUEST_MAX_ATTEMPTS: int(3, 1, 20),
  FORWARD_SERVICE_REQUEST_MAX_TIMEOUT_SECONDS: seconds(120),
  MOORING_HELM: text('helm'),
  MOORING_CHART_CACHE: text('/tmp/mooring/charts'),
  MOORING_SOPS_AGE_KEY_FILE: optionalText,
  MOORING_SOPS: text('sops'),
  MOORING_SHUTDOWN_TIMEOUT_SECONDS: seconds(300),
  MOORING_NAMESPACE: optionalText,
  MOORING_POD_NAME: optionalText,
  MOORING_CHECK_IN_INTERVAL_SECONDS: seconds(15),
  MOORING_ARGOCD_URL: z.preprocess(blankToUndefined, url(/^https?:$/, 'an http(s) URL').optional()),
  // secret: the messages below never include the value
  MOORING_ARGOCD_TOKEN: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[\x21-\x7e]+$/, 'must be printable characters without whitespace')
      .optional(),
  ),
  MOORING_ARGOCD_NAMESPACE: text('argocd'),
  MOORING_ARGOCD_DELETION: z.preprocess(
    blankToUndefined,
    z
      .enum(['foreground', 'background', 'non-cascading'], {
        error: 'must be one of foreground, background, non-cascading',
      })
      .default('foreground'),
  ),
  MOORING_CHART_MIRRORS: z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        const out: { from: string; to: string }[] = [];
        for (const item of (v ?? '')
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)) {
          const i = item.indexOf('=');
          if (i < 1 || i === item.length - 1) {
            ctx.addIssue({
              code: 'custom',
              message: `each mirror must be FROM=TO, got ${JSON.stringify(item)}`,
            });
            return z.NEVER;
          }
          out.push({ from: item.slice(0, i), to: item.slice(i + 1) });
        }
        return out;
      }),
  ),
});

/**
 * Reads the agent's settings from an environment object (pure: tests pass their
 * own). Throws `ConfigError` naming every bad variable; secret values never
 * appear in it.
 */
export function loadConfig(env: Record<string, string | undefined>): AgentConfig {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(envSchema.shape)) input[key] = env[key];
  const r = envSchema.safeParse(input);
  if (!r.success) {
    const issues = new Map<string, string>();
    for (const i of r.error.issues) {
      const variable = String(i.path[0] ?? '(environment)');
      if (issues.has(variable)) continue;
      issues.set(variable, SECRET_VARIABLES.has(variable) ? stripValue(i.message, env[variable]) : i.message);
    }
    throw new ConfigError([...issues].map(([variable, message]) => ({ variable, message })));
  }
  const e = r.data;
  return {
    clusterId: e.MOORING_CLUSTER_ID,
    platformUrl: e.MOORING_PLATFORM_URL,
    token: e.MOORING_TOKEN,
    logLevel: e.MOORING_LOG_LEVEL,
    natsUrl: e.MOORING_NATS_URL,
    kubeconfig: e.MOORING_KUBECONFIG,
    natsWorkerMaxWorkers: e.MOORING_NATS_WORKER_MAX_WORKERS,
    readWorkerCount: e.MOORING_READ_WORKER_COUNT,
    writeWorkerCount: e.MOORING_WRITE_WORKER_COUNT,
    k8sWatchEnabled: e.MOORING_K8S_WATCH_ENABLED,
    dynamicApiDiscovery: e.DYNAMIC_API_DISCOVERY_ENABLED,
    resourceListIntervalSeconds: e.MOORING_RESOURCE_LIST_INTERVAL_SECONDS,
    httpPort: e.MOORING_HTTP_PORT,
    reconcileIntervalSeconds: e.MOORING_RECONCILE_INTERVAL_SECONDS,
    autoHeal: e.RECONCILE_AUTO_HEAL_ENABLED,
    helm: e.MOORING_HELM,
    chartCache: e.MOORING_CHART_CACHE,
    shutdownTimeoutSeconds: e.MOORING_SHUTDOWN_TIMEOUT_SECONDS,
    namespace: e.MOORING_NAMESPACE,
    podName: e.MOORING_POD_NAME,
    checkInIntervalSeconds: e.MOORING_CHECK_IN_INTERVAL_SECONDS,
    chartMirrors: e.MOORING_CHART_MIRRORS,
    ...(e.MOORING_SOPS_AGE_KEY_FILE ? { sopsAgeKeyFile: e.MOORING_SOPS_AGE_KEY_FILE } : {}),
    sops: e.MOORING_SOPS,
    kubeProxyUnaryConcurrency: e.KUBE_PROXY_UNARY_CONCURRENCY,
    kubeProxyStreamConcurrency: e.KUBE_PROXY_STREAM_CONCURRENCY,
    publicIp: {
      enabled: e.MOORING_PUBLIC_IP_REPORTING_ENABLED,
      lookupUrl: e.MOORING_PUBLIC_IP_LOOKUP_URL,
      refreshSeconds: e.MOORING_PUBLIC_IP_REFRESH_SECONDS,
      lookupTimeoutSeconds: e.MOORING_PUBLIC_IP_LOOKUP_TIMEOUT_SECONDS,
    },
    kubernetesHttp2: e.KUBERNETES_HTTP2_ENABLED,
    podLogsHttp2: e.POD_LOGS_HTTP2_ENABLED,
    kubernetesRequestMaxAttempts: e.KUBERNETES_REQUEST_MAX_ATTEMPTS,
    forwardServiceMaxTimeoutSeconds: e.FORWARD_SERVICE_REQUEST_MAX_TIMEOUT_SECONDS,
    argocdUrl: e.MOORING_ARGOCD_URL,
    argocdToken: e.MOORING_ARGOCD_TOKEN,
    argocdNamespace: e.MOORING_ARGOCD_NAMESPACE,
    argocdDeletion: e.MOORING_ARGOCD_DELETION,
  };
}

/** Belt and braces: a message about a secret never carries its value. */
function stripValue(message: string, value: string | undefined): string {
  return value ? message.split(value).join('[redacted]') : message;
}

/** The configuration as it may be logged: secrets replaced by `[set]` / absent. */
export function describeConfig(c: AgentConfig): Record<string, unknown> {
  const { token, argocdToken, ...rest } = c;
  return {
    ...rest,
    ...(token ? { token: '[set]' } : {}),
    ...(argocdToken ? { argocdToken: '[set]' } : {}),
  };
}
