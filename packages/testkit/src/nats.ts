import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binaryPath } from './paths.ts';
import { freePort } from './ports.ts';
import { ManagedProcess, waitUntil } from './process.ts';

export interface NatsServer {
  url: string;
  monitorUrl: string;
  process: ManagedProcess;
  stop(): Promise<void>;
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
  writeFileSync(configFile, config({ port, monitor, storeDir }), { mode: 0o600 });
  const proc = new ManagedProcess({
    name,
    command: binaryPath('nats-server'),
    logDir,
    args: ['-c', configFile],
  });
  const monitorUrl = `http://127.0.0.1:${monitor}`;
  try {
    await waitUntil(
      proc,
      `${name} /healthz`,
      async () => (await fetch(`${monitorUrl}/healthz?js-enabled-only=true`)).ok,
    );
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return { url: `nats://127.0.0.1:${port}`, monitorUrl, process: proc, stop: () => proc.stop() };
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
