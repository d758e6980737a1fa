/**
 * `mooring start`: the platform on one machine (the embedded default): the
 * API and web UI on an embedded database (PGlite in the data directory), the
 * in-process bus, and, with --kubeconfig, an agent in the same process for
 * one cluster. With --import FILE the cluster is imported the first time and
 * deployed (an apply operation) at every start; unchanged members cost
 * nothing. Ctrl-C stops everything.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadDefinition } from '@mooring/core';
import {
  createLogger,
  importOperation,
  loadConfig,
  type PlatformConfig,
  PROCESS_DEFAULTS,
  startPlatform,
} from '@mooring/platform';
import pino from 'pino';
import { startEmbeddedAgent } from '../embedded/agent.ts';
import { ensureCluster } from '../embedded/cluster.ts';
import { ownerPrincipal } from '../embedded/owner.ts';
import { type Command, type Io, parseOptions, UsageError } from '../io.ts';
import { helmBinary, parseMirrors } from './cluster.ts';
import { formatDiagnostics, resolveSource } from './source.ts';

const USAGE = `usage: mooring start [--data-dir DIR] [--port N] [--listen ADDR]
                     [--kubeconfig FILE [--import import-cluster.yaml] [--helm PATH]
                      [--mirror FROM=TO]... [--interval 60s]]

Runs the platform on this machine: the API (/api/v1, reference at /api/v1/docs/) and the
web UI on an embedded database kept in the data directory, and the in-process bus. The
first start creates an organisation and its owner and prints the password once (also
written, mode 0600, to DIR/initial-admin-credentials.txt).

  --data-dir DIR        where the database, agent tokens and logs live (default: .mooring/data)
  --port N              HTTP port (default 8400; 0 picks a free one)
  --listen ADDR         address to listen on (default 127.0.0.1)
  --kubeconfig FILE     run an agent for this cluster in the same process
  --import FILE         with --kubeconfig: the cluster's ImportCluster file, imported the first
                        time (by its metadata.name afterwards) and deployed at every start
  --helm PATH           the helm binary for the agent (default: $MOORING_HELM, else helm on PATH)
  --mirror FROM=TO      read charts whose registry URL starts with FROM from TO (repeatable)
  --interval DURATION   the agent's reconcile sweep interval (default 60s)

Other platform settings come from MOORING_* variables (see packages/platform/README.md).
Logs go to DIR/mooring.log. Ctrl-C stops everything.`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  listen: { type: 'string' },
  kubeconfig: { type: 'string' },
  import: { type: 'string' },
  helm: { type: 'string' },
  mirror: { type: 'string', multiple: true },
  interval: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function seconds(v: string | undefined): number {
  if (v === undefined) return 60;
  const m = /^(\d+)(s|m)?$/.exec(v);
  if (!m) throw new UsageError(`--interval must be like 30s or 2m, got ${JSON.stringify(v)}`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}

export const startCommand: Command = {
  summary: 'run the platform (API, web UI) on this machine, with an agent for a local cluster',
  usage: USAGE,
  async run(argv: string[], io: Io): Promise<number> {
    const o = parseOptions(argv, OPTIONS);
    if (o.import && !o.kubeconfig)
      throw new UsageError('--import needs --kubeconfig (the cluster to deploy to)');
    const dataDir = resolve(io.cwd, o['data-dir'] ?? '.mooring/data');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const interval = seconds(o.interval);
    const mirrors = parseMirrors(o.mirror);
    const helm = o.kubeconfig ? helmBinary({ helm: o.helm }, io) : undefined;

    // the definition is read and validated before anything starts
    let def: { name: string; path: string; files: Record<string, string> } | undefined;
    if (o.import) {
      const src = await resolveSource({ file: o.import }, io);
      const r = loadDefinition(src.source, src.path);
      if (!r.definition) {
        io.stderr(`${formatDiagnostics(r.diagnostics, src.display)}nothing imported\n`);
        return 1;
      }
      const files: Record<string, string> = {};
      for (const f of r.files) files[f] = src.source.readFile(f)!;
      def = { name: r.definition.name, path: src.path, files };
    }

    const config: PlatformConfig = loadConfig({
      ...PROCESS_DEFAULTS,
      ...io.env,
      MOORING_DATA_DIR: dataDir,
      ...(o.port ? { MOORING_PORT: o.port } : {}),
      ...(o.listen ? { MOORING_LISTEN: o.listen } : {}),
    });
    const logFile = join(dataDir, 'mooring.log');
    const logger = createLogger(
      config.logLevel,
      pino.destination({ dest: logFile, sync: false, mkdir: true }),
    );
    const platform = await startPlatform({ config, logger, print: (t) => io.stdout(`${t}\n`) });
    const url = `http://${platform.address?.replace(/^https?:\/\//, '') ?? `${config.listen}:${config.port}`}`;
    const stops: (() => Promise<void>)[] = [() => platform.close()];
    const stopAll = async () => {
      for (const s of stops.reverse()) await s().catch(() => undefined);
      logger.flush();
    };
    try {
      io.stdout(`\nMooring is running at ${url}   (API reference: ${url}/api/v1/docs/)\n`);
      if (!platform.firstCredentials)
        io.stdout(
          `sign in as the owner created at the first start (its password: ${join(dataDir, 'initial-admin-credentials.txt')}, if still there)\n`,
        );
      io.stdout(`logs: ${logFile}\n`);
      if (o.kubeconfig && helm) {
        const owner = await ownerPrincipal(platform.database.db);
        let cluster: Awaited<ReturnType<typeof ensureCluster>> | undefined;
        if (def) {
          cluster = await ensureCluster(platform, owner, def.name, def, dataDir);
          io.stdout(
            cluster.imported
              ? `imported cluster ${cluster.name} (${cluster.id}) from ${o.import}\n`
              : `cluster ${cluster.name} (${cluster.id}) was imported before: its stored definition is deployed\n`,
          );
        }
        if (cluster) {
          const session = await startEmbeddedAgent({
            platform,
            platformUrl: url,
            clusterId: cluster.id,
            token: cluster.token,
            kubeconfig: resolve(io.cwd, o.kubeconfig),
            helm,
            chartCache: join(dataDir, 'charts'),
            mirrors,
            reconcileIntervalSeconds: interval,
            logger,
          });
          stops.push(() => session.stop());
          io.stdout(`agent connected for ${cluster.name}: reconciling every ${interval}s\n`);
          // the first start records the import as an operation, later starts an apply
          const op = await platform.services.operations.start(
            cluster.imported
              ? importOperation(cluster.id, cluster.name, owner.userId, cluster.definition)
              : {
                  clusterId: cluster.id,
                  type: 'apply',
                  payload: { source: 'start' },
                  createdBy: owner.userId,
                  steps: [{ name: `apply ${cluster.name}`, kind: 'apply', payload: cluster.definition }],
                },
          );
          io.stdout(
            `deploying ${cluster.name}: operation ${op.id}\n  follow it: ${url}/api/v1/operations/${op.id}  (or: mooring operations watch ${op.id})\n`,
          );
          void watchOperation(platform, owner.organizationId, op.id, io);
        }
      }
      io.stdout('\nCtrl-C stops everything.\n');
      await new Promise<void>((resolveStop) => {
        if (io.signal) {
          if (io.signal.aborted) resolveStop();
          io.signal.addEventListener('abort', () => resolveStop(), { once: true });
          return;
        }
        process.once('SIGINT', () => resolveStop());
        process.once('SIGTERM', () => resolveStop());
      });
      io.stdout('stopping\n');
      return 0;
    } finally {
      await stopAll();
    }
  },
};

/** Prints how the operation ended (polling the stored operation; the platform keeps it). */
async function watchOperation(
  platform: Awaited<ReturnType<typeof startPlatform>>,
  organizationId: string,
  id: string,
  io: Io,
): Promise<void> {
  const db = platform.database.db;
  for (let i = 0; i < 1800; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const row = await db
      .selectFrom('operations')
      .select(['state', 'message'])
      .where('id', '=', id)
      .where('organization_id', '=', organizationId)
      .executeTakeFirst()
      .catch(() => undefined);
    if (!row) return;
    if (['success', 'failed', 'cancelled', 'timeout'].includes(row.state)) {
      io.stdout(`operation ${id}: ${row.state}${row.message ? `: ${row.message}` : ''}\n`);
      return;
    }
  }
}
