/**
 * `npm run sandbox -- up|down|status`: the test kit for a person. `up` starts a
 * local cluster (and the chart repository, OCI registry, NATS, PostgreSQL and Git
 * server) in a background process that stays until `down`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type KitInfo, startKit } from '../kit.ts';
import { REPO_ROOT } from '../paths.ts';

const stateDir = process.env.MOORING_SANDBOX_DIR ?? join(homedir(), '.mooring', 'sandbox');
const stateFile = join(stateDir, 'state.json');
const logFile = join(stateDir, 'sandbox.log');

interface State {
  pid: number;
  info: KitInfo;
}

function readState(): State | undefined {
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8')) as State;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function describe(info: KitInfo): string {
  return [
    `export KUBECONFIG=${info.kubeconfig}`,
    `export PATH=${info.binDir}:$PATH   # kubectl, helm and sops`,
    '',
    `kubernetes API   ${info.apiServer}`,
    `helm repository  ${info.chartRepoUrl}   (charts: ${(info.charts ?? []).map((c) => `${c.name}@${c.version}`).join(', ')})`,
    `OCI registry     oci://${info.ociHost}/charts`,
    `NATS             ${info.natsUrl}`,
    `PostgreSQL       ${info.postgresUrl}`,
    `Git server       ${info.gitUrl}/<name>.git`,
    `logs             ${info.logDir}`,
  ].join('\n');
}

async function up(): Promise<number> {
  const st = readState();
  if (st && alive(st.pid)) {
    console.log(`sandbox already running (pid ${st.pid})\n\n${describe(st.info)}`);
    return 0;
  }
  mkdirSync(stateDir, { recursive: true });
  rmSync(stateFile, { force: true });
  const out = openSync(logFile, 'w');
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'daemon'], {
    detached: true,
    stdio: ['ignore', out, out],
    env: process.env,
  });
  child.unref();
  console.error(`starting the sandbox (pid ${child.pid}); log: ${logFile}`);
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const s = readState();
    if (s) {
      console.log(
        `sandbox up in ${((s.info.timings.kubernetes ?? 0) / 1000).toFixed(1)}s\n\n${describe(s.info)}\n\nstop it with: npm run sandbox -- down`,
      );
      return 0;
    }
    if (child.pid && !alive(child.pid)) break;
    await sleep(300);
  }
  console.error(`the sandbox did not come up:\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
  return 1;
}

async function down(): Promise<number> {
  const st = readState();
  if (!st || !alive(st.pid)) {
    console.log('sandbox is not running');
    rmSync(stateFile, { force: true });
    return 0;
  }
  process.kill(st.pid, 'SIGTERM');
  for (let i = 0; i < 150 && alive(st.pid); i++) await sleep(200);
  rmSync(stateFile, { force: true });
  console.log(`sandbox stopped (pid ${st.pid})`);
  return 0;
}

function status(): number {
  const st = readState();
  if (!st || !alive(st.pid)) {
    console.log('sandbox is not running');
    return 1;
  }
  console.log(`sandbox running (pid ${st.pid})\n\n${describe(st.info)}`);
  return 0;
}

async function daemon(): Promise<void> {
  const kit = await startKit();
  writeFileSync(stateFile, JSON.stringify({ pid: process.pid, info: kit.info } satisfies State, null, 2));
  console.log(`ready\n${describe(kit.info)}`);
  const shutdown = async () => {
    await kit.stop();
    rmSync(stateFile, { force: true });
    process.exit(0);
  };
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  setInterval(() => {}, 1 << 30);
}

/** Public chart sources the examples name, served by the sandbox instead (nothing leaves the machine). */
function exampleMirrors(info: KitInfo): string[] {
  return [
    `https://stefanprodan.github.io/podinfo=${info.chartRepoUrl}`,
    `https://charts.example.invalid/mooring=${info.chartRepoUrl}`,
    `oci://ghcr.io/stefanprodan/charts=oci://${info.ociHost}/charts`,
  ];
}

/**
 * Foreground mode (`npm start`): the sandbox cluster, then the platform on this
 * machine (`mooring start`: API and web UI on an embedded database in
 * `.mooring/data`, an agent for the sandbox cluster in the same process), which
 * imports a cluster definition the first time and deploys it at every start.
 * Ctrl-C stops everything.
 */
async function foreground(importFile: string | undefined): Promise<void> {
  const kit = await startKit();
  console.log(
    `sandbox up (control plane ready in ${((kit.info.timings.kubernetes ?? 0) / 1000).toFixed(1)}s)\n\n${describe(kit.info)}\n`,
  );
  const bin = join(REPO_ROOT, 'packages', 'cli', 'bin', 'mooring.js');
  const args = [
    bin,
    'start',
    '--data-dir',
    process.env.MOORING_DATA_DIR ?? join(REPO_ROOT, '.mooring', 'data'),
    '--kubeconfig',
    kit.info.kubeconfig!,
    '--helm',
    kit.info.helm,
  ];
  if (importFile) args.push('--import', importFile);
  for (const m of exampleMirrors(kit.info)) args.push('--mirror', m);
  const platform = spawn(process.execPath, args, {
    stdio: 'inherit',
    env: { ...process.env, ...kit.info.env, MOORING_SOPS: kit.info.sops },
  });
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (platform.pid && platform.exitCode === null && platform.signalCode === null) {
      platform.kill('SIGTERM');
      await new Promise((r) => platform.once('exit', r));
    }
    console.log('stopping the sandbox');
    await kit.stop();
    process.exit(code);
  };
  // the platform ends on its own only when it failed to start
  platform.once('exit', (code) => void shutdown(code ?? 1));
  process.once('SIGTERM', () => void shutdown(0));
  process.once('SIGINT', () => void shutdown(0));
  setInterval(() => {}, 1 << 30);
}

const cmd = process.argv[2];
if (cmd === 'daemon') {
  await daemon();
} else if (cmd === 'run') {
  const i = process.argv.indexOf('--import');
  await foreground(i > 0 ? process.argv[i + 1] : undefined);
} else {
  const run = cmd === 'up' ? up : cmd === 'down' ? down : cmd === 'status' ? async () => status() : undefined;
  if (!run) {
    console.error('usage: npm run sandbox -- up|down|status|run');
    process.exit(2);
  }
  process.exit(await run());
}
