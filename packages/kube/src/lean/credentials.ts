import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Cluster, ExecConfig, KubeConfig, User } from './kubeConfig.ts';

/** What a request to the current cluster carries: TLS material and an Authorization header. */
export interface Credentials {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** false with `insecure-skip-tls-verify`; unset otherwise (Node's default: verify). */
  rejectUnauthorized?: boolean;
  servername?: string;
  authorization?: string;
}

/** An exec credential plugin failed or answered something that is not an ExecCredential. */
export class ExecCredentialError extends Error {
  override readonly name = 'ExecCredentialError';
  readonly command: string;
  constructor(command: string, message: string, cause?: unknown) {
    super(`exec credential plugin ${command}: ${message}`, { cause });
    this.command = command;
  }
}

/** How long a token read from a file is used before the file is read again (rotated service-account tokens). */
export const TOKEN_FILE_TTL_MS = 60_000;

interface ExecResult {
  token?: string;
  cert?: string;
  key?: string;
  /** ms since the epoch; undefined: valid for the life of the process. */
  expiresAt?: number;
}

const execCache = new WeakMap<ExecConfig, { at: number; value: Promise<ExecResult> }>();
const tokenFileCache = new Map<string, { at: number; token: string }>();

/** Forgets an exec plugin's credential (after a 401), so the next request runs the plugin again. */
export function forgetExecCredential(kc: KubeConfig): void {
  const exec = kc.getCurrentUser()?.exec;
  if (exec) execCache.delete(exec);
}

/** The current context's credentials: files read, the token file re-read after a minute, exec plugins run (cached until they expire). */
export async function credentialsOf(kc: KubeConfig, now = Date.now()): Promise<Credentials> {
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server)
    throw new Error('the kubeconfig names no API server (no current context with a cluster)');
  const user = kc.getCurrentUser();
  const c: Credentials = { server: cluster.server.replace(/\/+$/, '') };
  tls(cluster, c);
  if (user) await userCredentials(user, cluster, c, now);
  return c;
}

function tls(cluster: Cluster, c: Credentials): void {
  if (cluster.caData) c.ca = Buffer.from(cluster.caData, 'base64');
  else if (cluster.caFile) c.ca = readFileSync(cluster.caFile);
  if (cluster.skipTLSVerify) c.rejectUnauthorized = false;
  if (cluster.tlsServerName) c.servername = cluster.tlsServerName;
}

async function userCredentials(user: User, cluster: Cluster, c: Credentials, now: number): Promise<void> {
  if (user.certData) c.cert = Buffer.from(user.certData, 'base64');
  else if (user.certFile) c.cert = readFileSync(user.certFile);
  if (user.keyData) c.key = Buffer.from(user.keyData, 'base64');
  else if (user.keyFile) c.key = readFileSync(user.keyFile);
  if (user.token) c.authorization = `Bearer ${user.token}`;
  else if (user.tokenFile) c.authorization = `Bearer ${readTokenFile(user.tokenFile, now)}`;
  else if (user.username)
    c.authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
  if (user.exec) {
    const r = await execCredential(user.exec, cluster, now);
    if (r.token) c.authorization = `Bearer ${r.token}`;
    if (r.cert) c.cert = Buffer.from(r.cert);
    if (r.key) c.key = Buffer.from(r.key);
  }
}

function readTokenFile(file: string, now: number): string {
  const hit = tokenFileCache.get(file);
  if (hit && now - hit.at < TOKEN_FILE_TTL_MS) return hit.token;
  const token = readFileSync(file, 'utf8').trim();
  tokenFileCache.set(file, { at: now, token });
  return token;
}

function execCredential(exec: ExecConfig, cluster: Cluster, now: number): Promise<ExecResult> {
  const hit = execCache.get(exec);
  if (hit) {
    // renewed a little before it expires, so a request does not carry a token about to lapse
    const exp = hit.value.then((r) => r.expiresAt);
    return exp.then(
      (expiresAt) => {
        if (expiresAt === undefined || expiresAt - 10_000 > Date.now()) return hit.value;
        execCache.delete(exec);
        return execCredential(exec, cluster, Date.now());
      },
      () => {
        execCache.delete(exec);
        return execCredential(exec, cluster, Date.now());
      },
    );
  }
  const value = runExec(exec, cluster);
  execCache.set(exec, { at: now, value });
  value.catch(() => execCache.delete(exec));
  return value;
}

function runExec(exec: ExecConfig, cluster: Cluster): Promise<ExecResult> {
  const apiVersion = exec.apiVersion ?? 'client.authentication.k8s.io/v1';
  const info = {
    apiVersion,
    kind: 'ExecCredential',
    spec: {
      interactive: false,
      ...(exec.provideClusterInfo
        ? {
            cluster: {
              server: cluster.server,
              ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}),
              ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
              ...(cluster.caData ? { 'certificate-authority-data': cluster.caData } : {}),
            },
          }
        : {}),
    },
  };
  const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  for (const e of exec.env ?? []) env[e.name] = e.value;
  return new Promise((resolve, reject) => {
    execFile(
      exec.command,
      exec.args ?? [],
      { env, timeout: 60_000, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          const why = String(stderr).trim().split('\n').slice(-1)[0] || err.message;
          return reject(new ExecCredentialError(exec.command, why, err));
        }
        try {
          resolve(parseExecCredential(String(stdout)));
        } catch (e) {
          reject(new ExecCredentialError(exec.command, (e as Error).message, e));
        }
      },
    );
  });
}

/** Reads an ExecCredential's status (pure): token or client certificate, and when it expires. */
export function parseExecCredential(stdout: string): ExecResult {
  let doc: { kind?: string; status?: Record<string, unknown> };
  try {
    doc = JSON.parse(stdout) as typeof doc;
  } catch {
    throw new Error('its output is not JSON');
  }
  if (doc?.kind !== 'ExecCredential') throw new Error('its output is not an ExecCredential');
  const s = doc.status ?? {};
  const r: ExecResult = {};
  if (typeof s.token === 'string' && s.token) r.token = s.token;
  if (typeof s.clientCertificateData === 'string') r.cert = s.clientCertificateData;
  if (typeof s.clientKeyData === 'string') r.key = s.clientKeyData;
  if (!r.token && !(r.cert && r.key))
    throw new Error('its ExecCredential has neither a token nor a client certificate and key');
  if (typeof s.expirationTimestamp === 'string') {
    const t = Date.parse(s.expirationTimestamp);
    if (Number.isFinite(t)) r.expiresAt = t;
  }
  return r;
}
