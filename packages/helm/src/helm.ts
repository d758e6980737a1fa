import { HelmRunner, type HelmRunnerOptions } from './runner.ts';
import type { HistoryEntry, ReleaseStatus, ReleaseSummary, UpgradeOptions } from './types.ts';

function duration(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}

interface RawRelease {
  name: string;
  namespace: string;
  version: number;
  info?: { status?: string; last_deployed?: string; description?: string };
  chart?: { metadata?: { name?: string; version?: string; appVersion?: string } };
  manifest?: string;
}

function summaryOf(r: RawRelease): ReleaseSummary {
  const meta = r.chart?.metadata;
  return {
    name: r.name,
    namespace: r.namespace,
    revision: r.version,
    status: (r.info?.status ?? 'unknown') as ReleaseStatus,
    chart: meta ? `${meta.name}-${meta.version}` : '',
    appVersion: meta?.appVersion,
    updated: r.info?.last_deployed,
  };
}

/** Typed operations over the Helm CLI. Releases live in standard Helm storage, so `helm` itself works on them. */
export class Helm {
  readonly runner: HelmRunner;

  constructor(opts: HelmRunnerOptions | HelmRunner = {}) {
    this.runner = opts instanceof HelmRunner ? opts : new HelmRunner(opts);
  }

  /** `helm upgrade --install` with values on stdin. Returns the new release. */
  async upgradeInstall(o: UpgradeOptions): Promise<ReleaseSummary & { manifest: string }> {
    const args = [
      'upgrade',
      '--install',
      o.release,
      o.chartPath,
      '--namespace',
      o.namespace,
      '--values',
      '-',
      '--output',
      'json',
    ];
    if (o.createNamespace) args.push('--create-namespace');
    if (o.rollbackOnFailure) args.push('--rollback-on-failure');
    const wait = o.wait === true ? 'watcher' : o.wait || (o.rollbackOnFailure ? 'watcher' : undefined);
    if (wait) args.push(`--wait=${wait}`);
    if (o.disableOpenapiValidation) args.push('--disable-openapi-validation');
    if (o.takeOwnership) args.push('--take-ownership');
    if (o.historyMax !== undefined) args.push('--history-max', String(o.historyMax));
    if (o.timeoutMs !== undefined) args.push('--timeout', duration(o.timeoutMs));
    if (o.serverSide) args.push(`--server-side=${o.serverSide}`);
    if (o.forceReplace) args.push('--force-replace');
    if (o.forceConflicts) args.push('--force-conflicts');
    if (o.description) args.push('--description', o.description);
    if (o.labels && Object.keys(o.labels).length > 0) {
      args.push(
        '--labels',
        Object.entries(o.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      );
    }
    const out = await this.runner.run(args, {
      stdin: o.values ?? '',
      release: o.release,
      killAfterMs: o.timeoutMs !== undefined ? o.timeoutMs + 60_000 : undefined,
      secrets: secretLike(o.values),
    });
    const r = JSON.parse(out) as RawRelease;
    return { ...summaryOf(r), manifest: r.manifest ?? '' };
  }

  async uninstall(
    release: string,
    namespace: string,
    opts: { wait?: boolean; timeoutMs?: number; keepHistory?: boolean } = {},
  ): Promise<void> {
    const args = ['uninstall', release, '--namespace', namespace];
    if (opts.wait) args.push('--wait');
    if (opts.keepHistory) args.push('--keep-history');
    if (opts.timeoutMs !== undefined) args.push('--timeout', duration(opts.timeoutMs));
    await this.runner.run(args, { release });
  }

  async rollback(
    release: string,
    namespace: string,
    revision?: number,
    opts: { wait?: boolean; timeoutMs?: number; historyMax?: number } = {},
  ): Promise<void> {
    const args = ['rollback', release, ...(revision ? [String(revision)] : []), '--namespace', namespace];
    if (opts.wait) args.push('--wait=watcher');
    if (opts.historyMax !== undefined) args.push('--history-max', String(opts.historyMax));
    if (opts.timeoutMs !== undefined) args.push('--timeout', duration(opts.timeoutMs));
    await this.runner.run(args, { release });
  }

  async history(release: string, namespace: string, max = 256): Promise<HistoryEntry[]> {
    const out = await this.runner.run(
      ['history', release, '--namespace', namespace, '--max', String(max), '--output', 'json'],
      { release },
    );
    const rows = JSON.parse(out) as {
      revision: number;
      status: string;
      chart: string;
      app_version?: string;
      description?: string;
      updated?: string;
    }[];
    return rows.map((r) => ({
      revision: r.revision,
      status: r.status as ReleaseStatus,
      chart: r.chart,
      appVersion: r.app_version,
      description: r.description ?? '',
      updated: r.updated,
    }));
  }

  /** The latest revision's status. Helm 4's status output carries no chart metadata: `chart` is then empty (use `list` or `history`). */
  async status(release: string, namespace: string): Promise<ReleaseSummary> {
    const out = await this.runner.run(['status', release, '--namespace', namespace, '--output', 'json'], {
      release,
    });
    return summaryOf(JSON.parse(out) as RawRelease);
  }

  async getManifest(release: string, namespace: string, revision?: number): Promise<string> {
    const args = ['get', 'manifest', release, '--namespace', namespace];
    if (revision) args.push('--revision', String(revision));
    return this.runner.run(args, { release });
  }

  async getValues(
    release: string,
    namespace: string,
    opts: { all?: boolean; revision?: number } = {},
  ): Promise<Record<string, unknown>> {
    const args = ['get', 'values', release, '--namespace', namespace, '--output', 'json'];
    if (opts.all) args.push('--all');
    if (opts.revision) args.push('--revision', String(opts.revision));
    const out = await this.runner.run(args, { release });
    return (JSON.parse(out || 'null') as Record<string, unknown> | null) ?? {};
  }

  async list(namespace?: string): Promise<ReleaseSummary[]> {
    const args = [
      'list',
      '--deployed',
      '--failed',
      '--pending',
      '--uninstalling',
      '--output',
      'json',
      '--max',
      '0',
    ];
    if (namespace) args.push('--namespace', namespace);
    else args.push('--all-namespaces');
    const rows = JSON.parse(await this.runner.run(args)) as {
      name: string;
      namespace: string;
      revision: string;
      status: string;
      chart: string;
      app_version?: string;
      updated?: string;
    }[];
    return rows.map((r) => ({
      name: r.name,
      namespace: r.namespace,
      revision: Number(r.revision),
      status: r.status as ReleaseStatus,
      chart: r.chart,
      appVersion: r.app_version,
      updated: r.updated,
    }));
  }

  /**
   * `helm template`: renders the chart with values, without touching the cluster. Like a
   * release's manifest, the output leaves out crds/ (Helm never upgrades those) and test hooks.
   */
  async template(
    release: string,
    namespace: string,
    chartPath: string,
    values?: string,
    opts: { includeCrds?: boolean } = {},
  ): Promise<string> {
    const args = ['template', release, chartPath, '--namespace', namespace, '--values', '-', '--skip-tests'];
    if (opts.includeCrds) args.push('--include-crds');
    return this.runner.run(args, {
      stdin: values ?? '',
      release,
      secrets: secretLike(values),
    });
  }
}

/** Scalar values that look like secrets, to redact from error messages. */
function secretLike(values: string | undefined): string[] {
  if (!values) return [];
  const out: string[] = [];
  for (const m of values.matchAll(
    /^\s*[\w.-]*(?:password|secret|token|key)[\w.-]*\s*:\s*["']?([^"'\n#]+)["']?/gim,
  )) {
    const v = m[1]!.trim();
    if (v.length >= 3) out.push(v);
  }
  return out;
}
