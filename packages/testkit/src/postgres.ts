import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { ManagedProcess, waitUntil } from './process.ts';

export interface PostgresServer {
  url: string;
  host: string;
  port: number;
  socketDir: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** Finds the newest PostgreSQL installed from Debian packages. */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) throw new Error('PostgreSQL is not installed (Debian package postgresql)');
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
  return join(base, versions[0]!, 'bin');
}

function account(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/** A throwaway PostgreSQL cluster (initdb + postgres) on a free loopback port. PostgreSQL refuses to run as root, so under root it runs as the postgres account. */
export async function startPostgres(workDir: string): Promise<PostgresServer> {
  const dir = join(workDir, 'postgres');
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  mkdirSync(sock, { recursive: true });
  const acct = account();
  if (acct) {
    chownSync(dir, acct.uid, acct.gid);
    chownSync(sock, acct.uid, acct.gid);
  }
  const bin = postgresBinDir();
  execFileSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'mooring', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    {
      uid: acct?.uid,
      gid: acct?.gid,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const port = await freePort();
  const proc = new ManagedProcess({
    name: 'postgres',
    command: join(bin, 'postgres'),
    logDir: join(workDir, 'logs'),
    args: [
      '-D',
      data,
      '-p',
      String(port),
      '-h',
      '127.0.0.1',
      '-k',
      sock,
      '-c',
      'fsync=off',
      '-c',
      'full_page_writes=off',
    ],
    uid: acct?.uid,
    gid: acct?.gid,
  });
  try {
    await waitUntil(proc, 'postgres accepting connections', async () => {
      execFileSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      return true;
    });
    execFileSync(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'mooring', 'mooring'], {
      stdio: 'ignore',
    });
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return {
    url: `postgres://mooring@127.0.0.1:${port}/mooring`,
    host: '127.0.0.1',
    port,
    socketDir: sock,
    process: proc,
    stop: () => proc.stop(),
  };
}
