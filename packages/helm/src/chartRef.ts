import type { Credentials } from './credentials.ts';

/** Where a chart comes from: a Helm HTTP repository or an OCI registry (`oci://` prefix). */
export interface ChartRef {
  chart: string;
  version: string;
  /** `https://charts.example.com` or `oci://registry.example.com/charts` */
  repoUrl: string;
  credentials?: Credentials;
}

export function isOci(url: string): boolean {
  return url.startsWith('oci://');
}

/** `oci://host/path` + chart → { host, repository: 'path/chart' } */
export function ociLocation(repoUrl: string, chart: string): { host: string; repository: string } {
  const rest = repoUrl.slice('oci://'.length).replace(/\/+$/, '');
  const slash = rest.indexOf('/');
  const host = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash + 1);
  // a repo URL may already end with the chart name
  const repository =
    path.endsWith(`/${chart}`) || path === chart ? path : [path, chart].filter(Boolean).join('/');
  return { host, repository };
}

/** Loopback registries are spoken to over plain HTTP; everything else over HTTPS. */
export function ociScheme(host: string, plainHttpHosts: readonly string[] = []): 'http' | 'https' {
  const name = host.replace(/:\d+$/, '');
  if (plainHttpHosts.includes(host) || plainHttpHosts.includes(name)) return 'http';
  return name === 'localhost' || name.startsWith('127.') || name === '[::1]' ? 'http' : 'https';
}
