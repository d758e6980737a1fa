/** `mooring logs CLUSTER NAMESPACE/POD`: a pod's log through the platform and the cluster's agent. */
import { connect, PLATFORM_USAGE, parsePlatformArgs, positionals, reporting } from '../api/command.ts';
import { EXIT } from '../exits.ts';
import { type Command, UsageError } from '../io.ts';
import { findCluster } from './clusters.ts';

const OPTIONS = {
  container: { type: 'string', short: 'c' },
  follow: { type: 'boolean', short: 'f' },
  tail: { type: 'string' },
  since: { type: 'string' },
  previous: { type: 'boolean', short: 'p' },
  'all-containers': { type: 'boolean' },
  timestamps: { type: 'boolean' },
} as const;

/** `30s`, `5m`, `2h`, `1d` → seconds (pure). */
export function parseSince(v: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(v.trim());
  if (!m || Number(m[1]) < 1)
    throw new UsageError(`--since must look like 30s, 5m, 2h or 1d, got ${JSON.stringify(v)}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/** `NAMESPACE/POD` (pure). */
export function parsePodRef(v: string): { namespace: string; pod: string } {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(v);
  if (!m) throw new UsageError(`the pod must be NAMESPACE/POD, got ${JSON.stringify(v)}`);
  return { namespace: m[1] as string, pod: m[3] as string };
}

export const logsCommand: Command = {
  summary: 'print (or follow) a pod’s log through the platform',
  usage: `usage: mooring logs CLUSTER NAMESPACE/POD [-c CONTAINER] [-f] [--tail N] [--since DUR] [--previous] [--all-containers] [--timestamps]

Prints a pod's log, read by the cluster's agent from its API server and streamed
through the platform (GET /api/v1/clusters/{id}/pods/{namespace}/{pod}/logs).
CLUSTER is a cluster's name or id.

options:
  -c, --container NAME    the container (needed when the pod has more than one)
  -f, --follow            keep printing new lines until Ctrl-C or the container ends
      --tail N            only the last N lines
      --since DUR         only lines newer than DUR: 30s, 5m, 2h, 1d
  -p, --previous          the log of the container's previous (terminated) instance
      --all-containers    every container of the pod, each line prefixed [container]
      --timestamps        each line starts with its RFC 3339 timestamp

${PLATFORM_USAGE}`,
  run(argv, io) {
    return reporting(io, argv, 'mooring logs', async () => {
      const { values, positionals: p, flags } = parsePlatformArgs(argv, OPTIONS);
      const [clusterRef, podRef] = positionals(p, ['CLUSTER', 'NAMESPACE/POD']);
      const { namespace, pod } = parsePodRef(podRef as string);
      const tail = values.tail === undefined ? undefined : Number(values.tail);
      if (tail !== undefined && !(Number.isInteger(tail) && tail >= 0))
        throw new UsageError(`--tail must be a whole number of lines, got ${JSON.stringify(values.tail)}`);
      const since = values.since === undefined ? undefined : parseSince(values.since);
      if (values.container && values['all-containers'])
        throw new UsageError('--container and --all-containers cannot be used together');
      const client = connect(flags, io);
      const cluster = await findCluster(client, clusterRef as string);
      const res = await client.stream(
        `/clusters/${encodeURIComponent(cluster.id)}/pods/${namespace}/${pod}/logs`,
        {
          container: values.container,
          follow: values.follow || undefined,
          tail_lines: tail,
          since_seconds: since,
          previous: values.previous || undefined,
          all_containers: values['all-containers'] || undefined,
          timestamps: values.timestamps || undefined,
        },
        io.signal,
      );
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body ?? [])
          io.stdout(decoder.decode(chunk as Uint8Array, { stream: true }));
      } catch (e) {
        // Ctrl-C while following: the end the user asked for
        if (!io.signal?.aborted) throw e;
      }
      io.stdout(decoder.decode());
      return EXIT.ok;
    });
  },
};
