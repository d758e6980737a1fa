import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The web package's folder. */
export const WEB_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the build writes the UI the platform serves at `/`. */
export const WEB_DIST = join(WEB_ROOT, 'dist');

const INPUTS = ['src', 'index.html', 'vite.config.ts', 'package.json'];

function newestMtime(path: string): number {
  let s: ReturnType<typeof statSync>;
  try {
    s = statSync(path);
  } catch {
    return 0;
  }
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** True when dist/index.html exists and is newer than every source of the UI. */
export function webBuildIsFresh(root: string = WEB_ROOT): boolean {
  const built = newestMtime(join(root, 'dist', 'index.html'));
  if (built === 0) return false;
  return INPUTS.every((input) => newestMtime(join(root, input)) <= built);
}
