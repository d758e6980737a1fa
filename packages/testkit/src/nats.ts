import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { ManagedProcess, waitUntil } from './process.ts';

export interface NatsServer {
  url: string;
  monitorUrl: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** nats-server with JetStream, storage in the run's work directory. */
export async function startNats(workDir: string): Promise<NatsServer> {
  const dir = join(workDir, 'nats');
  mkdirSync(dir, { recursive: true });
  const [port, monitor] = await Promise.all([freePort(), freePort()]);
  const proc = new ManagedProcess({
    name: 'nats-server',
    command: 'nats-server',
    logDir: join(workDir, 'logs'),
    args: [
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '-m',
      String(monitor),
      '-js',
      '-sd',
      dir,
      '--server_name',
      'mooring-kit',
    ],
  });
  const monitorUrl = `http://127.0.0.1:${monitor}`;
  try {
    await waitUntil(
      proc,
      'nats /healthz',
      async () => (await fetch(`${monitorUrl}/healthz?js-enabled-only=true`)).ok,
    );
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return { url: `nats://127.0.0.1:${port}`, monitorUrl, process: proc, stop: () => proc.stop() };
}
