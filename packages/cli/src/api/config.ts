/**
 * Where the CLI finds the platform and its token: `--url`/`--token`, else
 * `MOORING_URL`/`MOORING_TOKEN`, else the file `mooring login` writes
 * (`$XDG_CONFIG_HOME/mooring/config.json`, by default
 * `~/.config/mooring/config.json`, mode 0600).
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { baseUrl } from './client.ts';

/** What `mooring login` stores. The token is a secret: it is never printed or logged. */
export interface StoredLogin {
  url?: string;
  token?: string;
  username?: string;
  expires_at?: string;
}

export type TokenSource = 'flag' | 'env' | 'config';

export interface Connection {
  url?: string;
  token?: string;
  tokenSource?: TokenSource;
}

export function configPath(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'mooring', 'config.json');
}

export function readStoredLogin(file: string): StoredLogin {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
    const o = v as Record<string, unknown>;
    const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
    return { url: str('url'), token: str('token'), username: str('username'), expires_at: str('expires_at') };
  } catch {
    throw new Error(`${file} is not JSON: remove it and run "mooring login" again`);
  }
}

/** Writes a file readable by its owner only (0600, folders 0700), replacing it whole. */
export function writePrivateFile(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** Writes the login file (`writePrivateFile`). */
export function writeStoredLogin(file: string, login: StoredLogin): void {
  writePrivateFile(file, `${JSON.stringify(login, null, 2)}\n`);
}

/**
 * The platform and token a command uses (pure). A flag beats the environment,
 * which beats the file. The stored token goes only to the URL it was issued
 * by: with another URL given, it is not sent.
 */
export function resolveConnection(
  flags: { url?: string; token?: string },
  env: Readonly<Record<string, string | undefined>>,
  stored: StoredLogin,
): Connection {
  const url = flags.url || env.MOORING_URL || stored.url;
  const normal = url ? baseUrl(url) : undefined;
  if (flags.token) return { url: normal, token: flags.token, tokenSource: 'flag' };
  if (env.MOORING_TOKEN) return { url: normal, token: env.MOORING_TOKEN, tokenSource: 'env' };
  if (stored.token && stored.url && normal === baseUrl(stored.url))
    return { url: normal, token: stored.token, tokenSource: 'config' };
  return { url: normal };
}
