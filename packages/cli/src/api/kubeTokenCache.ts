/**
 * The short-lived tokens `mooring cluster kube-token` prints, kept between kubectl's runs (kubectl
 * runs its exec plugin again in every process): one file per platform, login and cluster under
 * `$XDG_CACHE_HOME/mooring/kube-tokens` (by default `~/.cache/…`), readable by its owner only. A
 * token is used again while more than a minute of it is left, so a kubectl call does not mint a
 * new one each time.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writePrivateFile } from './config.ts';

export interface KubeToken {
  token: string;
  expires_at: string;
}

/** Seconds a kept token must still have to be used again. */
export const KUBE_TOKEN_MARGIN_SECONDS = 60;

function folder(env: Readonly<Record<string, string | undefined>>): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'mooring', 'kube-tokens');
}

/** Forgets every kept token (`mooring logout`). */
export function forgetKubeTokens(env: Readonly<Record<string, string | undefined>>): void {
  rmSync(folder(env), { recursive: true, force: true });
}

/** The file of one platform, login (`identity`: a hash of its token) and cluster reference (pure). */
export function kubeTokenFile(
  env: Readonly<Record<string, string | undefined>>,
  key: { url: string; identity: string; cluster: string },
): string {
  const name = createHash('sha256').update(`${key.url}\n${key.identity}\n${key.cluster}`).digest('hex');
  return join(folder(env), `${name.slice(0, 32)}.json`);
}

/** Whether a kept token may be printed again at `now` (pure). */
export function stillGood(t: KubeToken | undefined, now: Date): t is KubeToken {
  if (!t) return false;
  const expires = Date.parse(t.expires_at);
  return Number.isFinite(expires) && expires - now.getTime() > KUBE_TOKEN_MARGIN_SECONDS * 1000;
}

/** The kept token, or undefined when there is none or the file is not one (it is then replaced). */
export function readKubeToken(file: string): KubeToken | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<KubeToken>;
    return typeof v.token === 'string' && typeof v.expires_at === 'string'
      ? { token: v.token, expires_at: v.expires_at }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps a token (0600, folders 0700), replacing the file whole. */
export function writeKubeToken(file: string, t: KubeToken): void {
  writePrivateFile(file, `${JSON.stringify({ token: t.token, expires_at: t.expires_at })}\n`);
}
