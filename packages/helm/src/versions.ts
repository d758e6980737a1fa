/**
 * Chart versions: which published version a wanted one selects, and which
 * published versions are closest to one that does not exist. Pure.
 */
import semver from 'semver';

/**
 * The published version that `wanted` selects: an exact match (a leading `v`
 * is ignored), the newest stable release for empty / `latest` / `*`, or the
 * highest version satisfying a semver range. Undefined when none does.
 */
export function pickVersion(published: readonly string[], wanted: string): string | undefined {
  if (published.length === 0) return undefined;
  const exact = published.find((v) => v === wanted || v === wanted.replace(/^v/, ''));
  if (exact) return exact;
  if (!wanted || wanted === 'latest' || wanted === '*') {
    return published
      .filter((v) => semver.valid(v) && !semver.prerelease(v))
      .sort((a, b) => semver.rcompare(a, b))[0];
  }
  if (semver.validRange(wanted)) {
    return (
      semver.maxSatisfying(
        published.filter((v) => semver.valid(v)),
        wanted,
      ) ?? undefined
    );
  }
  return undefined;
}

/**
 * Up to `n` published versions closest to `wanted`: those sharing the longest
 * prefix (major, then minor) first; then the smallest difference in the first
 * part that differs; then stable before pre-release; then the one nearer to
 * `wanted` (the newer of those below it, the older of those above it).
 * When `wanted` is not a version (a range, a word), the newest versions.
 * Tags that are not semver (`latest`, `sha-...`) are left out.
 */
export function closestVersions(wanted: string, published: readonly string[], n = 3): string[] {
  const valid = [...new Set(published)].filter((v) => semver.valid(v) !== null);
  const t = semver.parse(wanted.replace(/^v/, ''));
  if (!t) return valid.sort((a, b) => semver.rcompare(a, b)).slice(0, n);
  const target = [t.major, t.minor, t.patch];
  const key = (v: string): number[] => {
    const p = semver.parse(v)!;
    const parts = [p.major, p.minor, p.patch];
    let i = 0;
    while (i < 2 && parts[i] === target[i]) i++;
    return [-i, Math.abs(parts[i]! - target[i]!), p.prerelease.length > 0 ? 1 : 0];
  };
  return valid
    .map((v) => ({ v, k: key(v), below: semver.lt(v, t) }))
    .sort((a, b) => {
      for (let i = 0; i < a.k.length; i++) if (a.k[i] !== b.k[i]) return a.k[i]! - b.k[i]!;
      if (a.below !== b.below) return a.below ? -1 : 1;
      return a.below ? semver.rcompare(a.v, b.v) : semver.compare(a.v, b.v);
    })
    .slice(0, n)
    .map((x) => x.v);
}

/** Versions newest first: semver order, then the others by text. Pure. */
export function sortVersionsDesc(versions: readonly string[]): string[] {
  const valid = versions.filter((v) => semver.valid(v)).sort((a, b) => semver.rcompare(a, b));
  const other = versions.filter((v) => !semver.valid(v)).sort((a, b) => b.localeCompare(a));
  return [...valid, ...other];
}
