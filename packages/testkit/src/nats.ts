import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binaryPath } from './paths.ts';
import { freePort } from './ports.ts';
import { ManagedProcess, waitUntil } from './process.ts';

export interface NatsServer {
  url: string;
  monitorUrl: string;
  /** The server's `server_name`. */
  name: string;
  /** The running process (a new one after `start()`). */
  readonly process: ManagedProcess;
  stop(): Promise<void>;
  /** SIGKILL (a crash): connections drop at once; the JetStream store stays on disk. */
  kill(): Promise<void>;
  /**
   * Starts the server again with the same configuration (same ports, same store) after a
   * `stop` or `kill`, and waits until it is healthy.
   */
  start(): Promise<void>;
}

interface Spawned {
  name: string;
  serverName: string;
  configFile: string;
  logDir: string;
  monitorUrl: string;
  /** The /healthz query that means "ready" for this server. */
  health: string;
}

function spawnNats(s: Spawned): ManagedProcess {
  return new ManagedProcess({
    name: s.name,
    command: binaryPath('nats-server'),
    logDir: s.logDir,
    args: ['-c', s.configFile],
  });
}

async function waitHealthy(proc: ManagedProcess, s: Spawned): Promise<void> {
  await waitUntil(
    proc,
    `${s.name} /healthz`,
    async () => (await fetch(`${s.monitorUrl}/healthz${s.health}`)).ok,
  );
}

/** A running server whose process can be killed and started again (tests of bus faults). */
function managed(s: Spawned, url: string, first: ManagedProcess): NatsServer {
  let proc = first;
  return {
    url,
    monitorUrl: s.monitorUrl,
    name: s.serverName,
    get process() {
      return proc;
    },
    stop: () => proc.stop(),
    async kill() {
      if (proc.running && proc.pid) {
        try {
          process.kill(proc.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      await proc.stop();
    },
    async start() {
      if (proc.running) return;
      proc = spawnNats(s);
      try {
        await waitHealthy(proc, s);
      } catch (e) {
        await proc.stop();
        throw e;
      }
    },
  };
}

/**
 * Runs the pinned nats-server with a configuration file (listen address, monitor port,
 * JetStream store and `storeDir` filled in) and waits until JetStream is healthy.
 */
export async function runNatsServer(
  workDir: string,
  name: string,
  config: (ports: { port: number; monitor: number; storeDir: string }) => string,
): Promise<NatsServer> {
  const dir = join(workDir, name);
  // nats-server keeps its streams in `<storeDir>/jetstream`
  const storeDir = dir;
  const logDir = join(workDir, 'logs');
  mkdirSync(storeDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const [port, monitor] = await Promise.all([freePort(), freePort()]);
  const configFile = join(dir, 'nats-server.conf');
  const text = config({ port, monitor, storeDir });
  writeFileSync(configFile, text, { mode: 0o600 });
  const s: Spawned = {
    name,
    serverName: /server_name: "([^"]+)"/.exec(text)?.[1] ?? name,
    configFile,
    logDir,
    monitorUrl: `http://127.0.0.1:${monitor}`,
    health: '?js-enabled-only=true',
  };
  const proc = spawnNats(s);
  try {
    await waitHealthy(proc, s);
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return managed(s, `nats://127.0.0.1:${port}`, proc);
}

/** The part of a configuration every kit nats-server shares. */
export function baseNatsConfig(serverName: string, p: { port: number; monitor: number; storeDir: string }) {
  return [
    `server_name: ${JSON.stringify(serverName)}`,
    `listen: "127.0.0.1:${p.port}"`,
    `http: "127.0.0.1:${p.monitor}"`,
    `jetstream: { store_dir: ${JSON.stringify(p.storeDir)} }`,
  ].join('\n');
}

/** nats-server with JetStream and no authentication, storage in the run's work directory. */
export function startNats(workDir: string): Promise<NatsServer> {
  return runNatsServer(workDir, 'nats-server', (p) => `${baseNatsConfig('mooring-kit', p)}\n`);
}

export interface NatsCluster {
  /** Every node's client URL (what a client lists to fail over between them). */
  urls: string[];
  nodes: NatsServer[];
  stop(): Promise<void>;
}

/**
 * A nats-server cluster with clustered JetStream (the scaled mode's bus): `nodes` servers
 * (default 3) on loopback, routes between all of them, each with its own store, no
 * authentication. Resolves once every node reports JetStream healthy (a meta leader elected),
 * so streams with `num_replicas: 3` can be created at once. Each node can be killed and
 * started again (`nodes[i].kill()`, `.start()`).
 */
export async function startNatsCluster(
  workDir: string,
  o: { nodes?: number; name?: string } = {},
): Promise<NatsCluster> {
  const count = o.nodes ?? 3;
  const clusterName = o.name ?? 'nats-cluster';
  const logDir = join(workDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const ports = await Promise.all(
    Array.from({ length: count }, async () => ({
      port: await freePort(),
      monitor: await freePort(),
      route: await freePort(),
    })),
  );
  const specs: Spawned[] = ports.map((p, i) => {
    const name = `${clusterName}-${i + 1}`;
    const dir = join(workDir, name);
    mkdirSync(dir, { recursive: true });
    const routes = ports
      .filter((_, j) => j !== i)
      .map((q) => JSON.stringify(`nats-route://127.0.0.1:${q.route}`));
    const configFile = join(dir, 'nats-server.conf');
    writeFileSync(
      configFile,
      [
        baseNatsConfig(name, { port: p.port, monitor: p.monitor, storeDir: dir }),
        `cluster: { name: ${JSON.stringify(clusterName)}, listen: "127.0.0.1:${p.route}", routes: [${routes.join(', ')}] }`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    // a clustered node is healthy once JetStream's meta group is current
    return {
      name,
      serverName: name,
      configFile,
      logDir,
      monitorUrl: `http://127.0.0.1:${p.monitor}`,
      health: '',
    };
  });
  const procs = specs.map(spawnNats);
  const nodes = specs.map((s, i) => managed(s, `nats://127.0.0.1:${ports[i]!.port}`, procs[i]!));
  const stop = async () => {
    for (const n of nodes) await n.stop();
  };
  try {
    await Promise.all(specs.map((s, i) => waitHealthy(procs[i]!, s)));
  } catch (e) {
    await stop();
    throw e;
  }
  return { urls: nodes.map((n) => n.url), nodes, stop };
}
