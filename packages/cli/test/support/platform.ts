/** A real platform in this process (embedded PGlite in a temp dir, a free loopback port) and a CLI runner. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, loadConfig, type RunningPlatform, startPlatform } from '@mooring/platform';
import type { Io } from '../../src/io.ts';
import { main } from '../../src/main.ts';

export interface TestPlatform {
  url: string;
  username: string;
  password: string;
  platform: RunningPlatform;
  /** Every log line the platform wrote. */
  logs(): string;
  close(): Promise<void>;
}

/** `env`: more platform settings (`MOORING_HELM`, ...). */
export async function startTestPlatform(env: Record<string, string> = {}): Promise<TestPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mooring-cli-platform-'));
  const lines: string[] = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const platform = await startPlatform({
    config: loadConfig({
      MOORING_DATA_DIR: dataDir,
      MOORING_LISTEN: '127.0.0.1',
      MOORING_PORT: '0',
      MOORING_PUBLIC_URL: 'https://mooring.example.test',
      ...env,
    }),
    logger,
    print: () => {},
  });
  const creds = platform.firstCredentials!;
  return {
    url: platform.address!,
    username: creds.username,
    password: creds.password,
    platform,
    logs: () => lines.join(''),
    close: async () => {
      await platform.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Run {
  code: number;
  out: string;
  err: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  stdin?: string;
  /** Answers to terminal prompts, in order (makes stdin a terminal). */
  answers?: string[];
  signal?: AbortSignal;
}

/** Runs `mooring ...` in this process with its own streams, directory and environment. */
export async function mooring(argv: string[], o: RunOptions): Promise<Run> {
  let out = '';
  let err = '';
  const answers = [...(o.answers ?? [])];
  const io: Io = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    cwd: o.cwd,
    env: { HOME: o.cwd, XDG_CONFIG_HOME: join(o.cwd, '.config'), ...o.env },
    signal: o.signal,
    stdinIsTTY: o.answers !== undefined,
    readStdin: async () => o.stdin ?? '',
    prompt: async (question) => {
      err += question;
      return answers.shift() ?? '';
    },
  };
  const code = await main(argv, io);
  return { code, out, err };
}
