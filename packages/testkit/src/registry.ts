import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { ManagedProcess, waitUntil } from './process.ts';

export interface OciRegistry {
  /** host:port, for oci://HOST/... references (plain HTTP). */
  host: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** The distribution registry (Debian's docker-registry) on a free loopback port. */
export async function startRegistry(workDir: string): Promise<OciRegistry> {
  const dir = join(workDir, 'registry');
  mkdirSync(join(dir, 'data'), { recursive: true });
  const [port, debug] = await Promise.all([freePort(), freePort()]);
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
  debug:
    addr: 127.0.0.1:${debug}
`,
  );
  const proc = new ManagedProcess({
    name: 'docker-registry',
    command: 'docker-registry',
    args: ['serve', config],
    logDir: join(workDir, 'logs'),
  });
  const host = `127.0.0.1:${port}`;
  try {
    await waitUntil(proc, 'registry /v2/', async () => (await fetch(`http://${host}/v2/`)).ok);
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return { host, process: proc, stop: () => proc.stop() };
}
