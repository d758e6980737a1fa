/** Maps a public chart source URL prefix to a local one (air-gapped clusters). */
export interface Mirror {
  /** e.g. `https://charts.bitnami.com/bitnami` or `oci://ghcr.io/org` */
  from: string;
  /** e.g. `http://charts.internal/bitnami` or `oci://registry.internal/org` */
  to: string;
}

const trim = (u: string) => u.replace(/\/+$/, '');

/** The URL to use for `url` after applying the longest matching mirror prefix. */
export function applyMirrors(url: string, mirrors: readonly Mirror[] = []): string {
  const u = trim(url);
  let best: Mirror | undefined;
  for (const m of mirrors) {
    const from = trim(m.from);
    if ((u === from || u.startsWith(`${from}/`)) && (!best || from.length > trim(best.from).length)) best = m;
  }
  return best ? trim(best.to) + u.slice(trim(best.from).length) : u;
}
