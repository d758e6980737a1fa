import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** How to get a helm binary; part of every HelmNotFoundError. */
export const HELM_INSTALL_HINT =
  'install Helm (https://helm.sh/docs/intro/install/) or pass --helm PATH or set MOORING_HELM';

/** No usable helm binary: the one named does not exist or is not executable, or none is on PATH. */
export class HelmNotFoundError extends Error {
  /** What was looked for: a path, or `helm` on PATH. */
  readonly wanted: string;
  constructor(wanted: string, reason: string) {
    super(`${reason}: ${HELM_INSTALL_HINT}`);
    this.name = 'HelmNotFoundError';
    this.wanted = wanted;
  }
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The helm binary to run: `binary` (a path, or a bare name looked up on PATH;
 * default `helm`), named by `origin` in the error (`--helm`, `MOORING_HELM`).
 * Returns an absolute path, or throws HelmNotFoundError at once, so a command
 * fails before it changes anything. Nothing is spawned.
 */
export function locateHelm(opts: { binary?: string; origin?: string; path?: string; cwd: string }): string {
  const wanted = opts.binary || 'helm';
  const by = opts.origin ? ` (${opts.origin})` : '';
  if (wanted.includes('/') || isAbsolute(wanted)) {
    const p = resolve(opts.cwd, wanted);
    if (isExecutableFile(p)) return p;
    throw new HelmNotFoundError(wanted, `helm not found: ${p}${by} is not an executable file`);
  }
  for (const dir of (opts.path ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = resolve(opts.cwd, join(dir, wanted));
    if (isExecutableFile(p)) return p;
  }
  throw new HelmNotFoundError(wanted, `helm not found: no ${wanted} on PATH${by}`);
}
