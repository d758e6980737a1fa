import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ENV = {
  PATH: process.env.PATH ?? '',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

/** Test helper: a working clone that commits files and pushes them to a remote. */
export class WorkClone {
  readonly dir: string;
  readonly remote: string;

  constructor(remote: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'mooring-work-'));
    this.remote = remote;
    this.git('init', '-q', '--initial-branch=main');
    this.git('config', 'user.email', 'test@example.com');
    this.git('config', 'user.name', 'test');
    this.git('config', 'commit.gpgsign', 'false');
  }

  /** Local commands only (the git server runs in this process: network commands must be async). */
  git(...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      env: ENV,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  }

  async gitAsync(...args: string[]): Promise<string> {
    const { stdout } = await execFileAsync('git', args, { cwd: this.dir, env: ENV, encoding: 'utf8' });
    return stdout.trim();
  }

  /** Writes files, commits them and returns the new commit SHA. */
  commit(files: Record<string, string>, message = 'change'): string {
    for (const [path, content] of Object.entries(files)) {
      const abs = join(this.dir, path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, content);
    }
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  async push(branch = 'main'): Promise<void> {
    await this.gitAsync('push', '-q', this.remote, `HEAD:refs/heads/${branch}`);
  }
}
