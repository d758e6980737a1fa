import { z } from 'zod';

/** The platform's settings, read once at start-up (see README.md for the table). */
export interface PlatformConfig {
  /** Holds the embedded database (PGlite) and the first start's credentials file. */
  dataDir: string;
  /** Secret (may hold a password): a PostgreSQL server; absent means the embedded database. */
  databaseUrl?: string;
  /** Most connections to the PostgreSQL server (unused with the embedded database). */
  databasePoolSize: number;
  /** Address to listen on. */
  listen: string;
  port: number;
  /** The URL agents and people reach the platform at (used in install commands). */
  publicUrl: string;
  logLevel: LogLevel;
  /** The agent chart named in install commands. */
  agentChart: string;
  /** Failed or successful login attempts allowed per IP and user name in one window. */
  loginRateLimitMax: number;
  loginRateLimitWindowSeconds: number;
  /** How long a login session lasts. */
  sessionTtlSeconds: number;
  /** How long this replica keeps a checked token's principal (seconds; 0: asks the database every request). */
  authCacheSeconds: number;
  /**
   * Secret: the 32-byte key (base64) that encrypts Git credentials and webhook secrets at rest
   * (AES-256-GCM). Absent: a key generated once into `<dataDir>/secret.key` (mode 0600).
   */
  secretKey?: string;
  /** Secret: the key before a rotation; what it encrypted is re-encrypted under `secretKey` at start. */
  secretKeyPrevious?: string;
  /** How often each connected Git repository is polled for new commits (seconds). */
  gitPollSeconds: number;
  /** Bitbucket Cloud's API root, when not `https://api.bitbucket.org` (a proxy, a test server). */
  bitbucketCloudApiUrl?: string;
  /** Bitbucket Cloud's OAuth token endpoint, when not `https://bitbucket.org/site/oauth2/access_token`. */
  bitbucketCloudTokenUrl?: string;
  /** Bitbucket Cloud's Git host, when not `https://bitbucket.org` (a proxy, a test server): drafts push there. */
  bitbucketCloudGitUrl?: string;
  /** Absent: the embedded in-process bus. */
  nats?: NatsSettings;
  /** How often each online cluster gets a reconcile sweep (seconds). */
  sweepIntervalSeconds: number;
  /** Heartbeat history older than this is pruned (hours). */
  heartbeatRetentionHours: number;
  /** Finished sweep operations older than this are pruned (hours). */
  sweepRetentionHours: number;
  /** How long a replica's hold on a cluster's sync lasts without renewal (a dead replica's syncs resume after it). */
  syncLeaseSeconds: number;
  /** Secret: when set, `GET /metrics` needs `Authorization: Bearer <this>`; absent, it is public. */
  metricsToken?: string;
  /** Send `Server-Timing` (database time, pool waits, total) on every response (default false). */
  serverTiming?: boolean;
  /** List (and index) the curated public chart registries for every organisation (default true). */
  defaultRegistries?: boolean;
  /** The helm binary that renders charts for the catalogue (a name on PATH or a path; default `helm`). */
  helm?: string;
}

/** The NATS server (operator mode) agents connect to, and what the platform holds to issue their credentials. */
export interface NatsSettings {
  /** Servers the platform connects to. */
  servers: string[];
  /** Servers handed to agents in their check-in answer (default: `servers`). */
  agentServers: string[];
  /** The Mooring account's public key (`A...`). */
  accountPublicKey: string;
  /** Secret: the seed (`SA...`) of one of the account's signing keys. */
  accountSigningKeySeed: string;
  /** Secret: a `.creds` text of a system-account user; with it the platform disconnects revoked agents at once. */
  systemCreds?: string;
  /** Lifetime of an agent's bus credentials. */
  credentialsTtlSeconds: number;
  /** Replicas of the commands stream when the platform creates it (3 on a nats-server cluster: the scaled mode). */
  commandReplicas: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Variables whose values are never printed, logged or put in an error. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'MOORING_DATABASE_URL',
  'MOORING_SECRET_KEY',
  'MOORING_SECRET_KEY_PREVIOUS',
  'MOORING_NATS_ACCOUNT_SIGNING_KEY_SEED',
  'MOORING_NATS_SYSTEM_CREDS',
  'MOORING_METRICS_TOKEN',
]);

export interface ConfigIssue {
  variable: string;
  message: string;
}

/** The environment does not make a valid configuration; `issues` names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super(
      `invalid platform configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`,
    );
    this.issues = issues;
  }
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const int = (dflt: number, min: number, max: number) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\s*\d+\s*$/, `must be a whole number from ${min} to ${max}`)
      .transform(Number)
      .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
      .optional()
      .default(dflt),
  );

const urlWith = (protocols: RegExp, what: string) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        return protocols.test(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `must be ${what}`);

/** 32 bytes in base64 (standard or URL alphabet); the message never shows the value. */
const secretKey = z
  .string()
  .trim()
  .refine(
    (v) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32,
    'must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)',
  );

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

const splitUrls = (v: string) =>
  v
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);

/** The environment variables the platform reads, by name. */
export const envSchema = z.object({
  MOORING_DATA_DIR: z.preprocess(blankToUndefined, z.string().trim().default('.mooring/platform')),
  MOORING_DATABASE_URL: z.preprocess(
    blankToUndefined,
    urlWith(/^postgres(ql)?:$/, 'a postgres:// or postgresql:// URL').optional(),
  ),
  MOORING_DATABASE_POOL_SIZE: int(10, 1, 1000),
  MOORING_LISTEN: z.preprocess(blankToUndefined, z.string().trim().default('127.0.0.1')),
  MOORING_PORT: int(8400, 0, 65535),
  MOORING_PUBLIC_URL: z.preprocess(blankToUndefined, urlWith(/^https?:$/, 'an http(s) URL').optional()),
  MOORING_LOG_LEVEL: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim().toLowerCase() : undefined),
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  MOORING_AGENT_CHART: z.preprocess(
    blankToUndefined,
    z.string().trim().default('oci://ghcr.io/mooring/charts/mooring-agent'),
  ),
  MOORING_LOGIN_RATE_LIMIT_MAX: int(10, 1, 10_000),
  MOORING_LOGIN_RATE_LIMIT_WINDOW_SECONDS: int(60, 1, 86_400),
  MOORING_SESSION_TTL_SECONDS: int(12 * 3600, 60, 30 * 86_400),
  MOORING_SECRET_KEY: z.preprocess(blankToUndefined, secretKey.optional()),
  MOORING_SECRET_KEY_PREVIOUS: z.preprocess(blankToUndefined, secretKey.optional()),
  MOORING_GIT_POLL_SECONDS: int(60, 5, 86_400),
  MOORING_BITBUCKET_CLOUD_API_URL: z.preprocess(
    blankToUndefined,
    urlWith(/^https?:$/, 'an http(s) URL').optional(),
  ),
  MOORING_BITBUCKET_CLOUD_TOKEN_URL: z.preprocess(
    blankToUndefined,
    urlWith(/^https?:$/, 'an http(s) URL').optional(),
  ),
  MOORING_BITBUCKET_CLOUD_GIT_URL: z.preprocess(
    blankToUndefined,
    urlWith(/^https?:$/, 'an http(s) URL').optional(),
  ),
  MOORING_SWEEP_INTERVAL_SECONDS: int(60, 1, 86_400),
  MOORING_HEARTBEAT_RETENTION_HOURS: int(24, 1, 8760),
  MOORING_SWEEP_RETENTION_HOURS: int(6, 1, 8760),
  MOORING_SYNC_LEASE_SECONDS: int(30, 2, 3600),
  MOORING_METRICS_TOKEN: z.preprocess(
    blankToUndefined,
    z.string().trim().min(16, 'must be at least 16 characters').optional(),
  ),
  MOORING_NATS_URL: z.preprocess(blankToUndefined, natsUrls.optional()),
  MOORING_NATS_AGENT_URL: z.preprocess(blankToUndefined, natsUrls.optional()),
  MOORING_NATS_ACCOUNT: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^A[A-Z2-7]{55}$/, 'must be an account public key (A..., 56 characters)')
      .optional(),
  ),
  // secrets: the messages never quote the value
  MOORING_NATS_ACCOUNT_SIGNING_KEY_SEED: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^SA[A-Z2-7]{56}$/, 'must be an account signing key seed (SA...)')
      .optional(),
  ),
  MOORING_NATS_SYSTEM_CREDS: z.preprocess(
    blankToUndefined,
    z
      .string()
      .refine((v) => v.includes('BEGIN NATS USER JWT'), 'must be the text of a .creds file')
      .optional(),
  ),
  MOORING_BUS_CREDENTIALS_TTL_SECONDS: int(3600, 60, 7 * 86_400),
  MOORING_NATS_COMMAND_REPLICAS: int(1, 1, 5),
  MOORING_DEFAULT_REGISTRIES: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim().toLowerCase() : undefined),
    // absent: false for an embedding (tests, tools) that builds its own settings;
    // the platform process (configFromProcess, `mooring start`) defaults it to true
    z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).default('false'),
  ),
  MOORING_HELM: z.preprocess(blankToUndefined, z.string().trim().default('helm')),
  MOORING_AUTH_CACHE_SECONDS: int(5, 0, 300),
  MOORING_SERVER_TIMING: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim().toLowerCase() : undefined),
    z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).default('false'),
  ),
});

/**
 * The settings from an environment object (pure: tests pass their own).
 * Throws `ConfigError` naming every bad variable; secret values never appear in it.
 */
export function loadConfig(env: Record<string, string | undefined>): PlatformConfig {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(envSchema.shape)) input[key] = env[key];
  const r = envSchema.safeParse(input);
  if (!r.success) {
    const issues = new Map<string, string>();
    for (const i of r.error.issues) {
      const variable = String(i.path[0] ?? '(environment)');
      if (!issues.has(variable)) issues.set(variable, i.message);
    }
    throw new ConfigError([...issues].map(([variable, message]) => ({ variable, message })));
  }
  const e = r.data;
  const natsIssues = natsSettingsIssues(e);
  if (natsIssues.length > 0) throw new ConfigError(natsIssues);
  return {
    dataDir: e.MOORING_DATA_DIR,
    databaseUrl: e.MOORING_DATABASE_URL,
    databasePoolSize: e.MOORING_DATABASE_POOL_SIZE,
    listen: e.MOORING_LISTEN,
    port: e.MOORING_PORT,
    publicUrl: (e.MOORING_PUBLIC_URL ?? `http://localhost:${e.MOORING_PORT}`).replace(/\/+$/, ''),
    logLevel: e.MOORING_LOG_LEVEL,
    agentChart: e.MOORING_AGENT_CHART,
    loginRateLimitMax: e.MOORING_LOGIN_RATE_LIMIT_MAX,
    loginRateLimitWindowSeconds: e.MOORING_LOGIN_RATE_LIMIT_WINDOW_SECONDS,
    sessionTtlSeconds: e.MOORING_SESSION_TTL_SECONDS,
    authCacheSeconds: e.MOORING_AUTH_CACHE_SECONDS,
    secretKey: e.MOORING_SECRET_KEY,
    secretKeyPrevious: e.MOORING_SECRET_KEY_PREVIOUS,
    gitPollSeconds: e.MOORING_GIT_POLL_SECONDS,
    ...(e.MOORING_BITBUCKET_CLOUD_API_URL ? { bitbucketCloudApiUrl: e.MOORING_BITBUCKET_CLOUD_API_URL } : {}),
    ...(e.MOORING_BITBUCKET_CLOUD_TOKEN_URL
      ? { bitbucketCloudTokenUrl: e.MOORING_BITBUCKET_CLOUD_TOKEN_URL }
      : {}),
    ...(e.MOORING_BITBUCKET_CLOUD_GIT_URL ? { bitbucketCloudGitUrl: e.MOORING_BITBUCKET_CLOUD_GIT_URL } : {}),
    sweepIntervalSeconds: e.MOORING_SWEEP_INTERVAL_SECONDS,
    heartbeatRetentionHours: e.MOORING_HEARTBEAT_RETENTION_HOURS,
    sweepRetentionHours: e.MOORING_SWEEP_RETENTION_HOURS,
    syncLeaseSeconds: e.MOORING_SYNC_LEASE_SECONDS,
    defaultRegistries: e.MOORING_DEFAULT_REGISTRIES === 'true' || e.MOORING_DEFAULT_REGISTRIES === '1',
    helm: e.MOORING_HELM,
    serverTiming: e.MOORING_SERVER_TIMING === 'true' || e.MOORING_SERVER_TIMING === '1',
    ...(e.MOORING_METRICS_TOKEN ? { metricsToken: e.MOORING_METRICS_TOKEN } : {}),
    ...(e.MOORING_NATS_URL
      ? {
          nats: {
            servers: splitUrls(e.MOORING_NATS_URL),
            agentServers: splitUrls(e.MOORING_NATS_AGENT_URL ?? e.MOORING_NATS_URL),
            accountPublicKey: e.MOORING_NATS_ACCOUNT as string,
            accountSigningKeySeed: e.MOORING_NATS_ACCOUNT_SIGNING_KEY_SEED as string,
            ...(e.MOORING_NATS_SYSTEM_CREDS ? { systemCreds: e.MOORING_NATS_SYSTEM_CREDS } : {}),
            credentialsTtlSeconds: e.MOORING_BUS_CREDENTIALS_TTL_SECONDS,
            commandReplicas: e.MOORING_NATS_COMMAND_REPLICAS,
          },
        }
      : {}),
  };
}

/** With `MOORING_NATS_URL`, the account and its signing key seed are required (agents get credentials signed by it). */
function natsSettingsIssues(e: z.infer<typeof envSchema>): ConfigIssue[] {
  if (!e.MOORING_NATS_URL) return [];
  const issues: ConfigIssue[] = [];
  for (const variable of ['MOORING_NATS_ACCOUNT', 'MOORING_NATS_ACCOUNT_SIGNING_KEY_SEED'] as const) {
    if (!e[variable]) issues.push({ variable, message: 'is required with MOORING_NATS_URL' });
  }
  return issues;
}

/** The process's settings: the one place that reads `process.env`. */
export function configFromProcess(): PlatformConfig {
  return loadConfig({ ...PROCESS_DEFAULTS, ...process.env });
}

/** Settings whose default differs for the platform process: the curated chart registries are listed. */
export const PROCESS_DEFAULTS: Readonly<Record<string, string>> = { MOORING_DEFAULT_REGISTRIES: 'true' };

/** The settings with secrets replaced, fit for a log line. */
export function describeConfig(config: PlatformConfig): Record<string, unknown> {
  const { nats, ...rest } = config;
  return {
    ...rest,
    bus: nats
      ? {
          kind: 'nats',
          servers: nats.servers,
          agentServers: nats.agentServers,
          account: nats.accountPublicKey,
          accountSigningKeySeed: '***',
          systemCreds: nats.systemCreds ? '***' : undefined,
          credentialsTtlSeconds: nats.credentialsTtlSeconds,
          commandReplicas: nats.commandReplicas,
        }
      : { kind: 'in-process' },
    databaseUrl: config.databaseUrl ? redactUrl(config.databaseUrl) : undefined,
    secretKey: config.secretKey ? '***' : undefined,
    secretKeyPrevious: config.secretKeyPrevious ? '***' : undefined,
    metricsToken: config.metricsToken ? '***' : undefined,
    database: config.databaseUrl ? 'postgresql' : 'pglite',
  };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '***';
  }
}
