/**
 * "Did you mean" for misspelled field names: optimal-string-alignment
 * (Damerau-Levenshtein) distance, plus a match that ignores case, `_` and `-`
 * (so `chartVersion` suggests `chart_version`).
 */

/** Edit distance counting insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  // Three rolling rows: i-2, i-1, i.
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = new Array<number>(m + 1);
  let cur = new Array<number>(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}

function squash(s: string): string {
  return s.toLowerCase().replace(/[-_]/g, '');
}

/**
 * The closest candidate to `word`, or undefined when none is close enough
 * (distance at most 1 for short words, 2 up to 8 characters, 3 beyond).
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const sw = squash(word);
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (squash(c) === sw) return c;
    const d = Math.min(
      editDistance(word, c),
      editDistance(word.toLowerCase(), c.toLowerCase()),
      editDistance(sw, squash(c)),
    );
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  return bestD <= limit ? best : undefined;
}
