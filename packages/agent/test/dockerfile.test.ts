// The agent's image cannot be built on the test machine (no container engine), so its
// Dockerfile's invariants are checked here, statically: a slim or distroless Node 24 base,
// a numeric non-root user (1000), nothing run in the final stage, the pinned helm inside
// where MOORING_HELM points, the pinned sops where MOORING_SOPS points, a home owned by that user, only the chart's writable mounts
// written to, and every workspace the agent imports copied and installed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, VERSIONS } from '@mooring/testkit';
import { describe, expect, it } from 'vitest';

const text = readFileSync(join(REPO_ROOT, 'packages', 'agent', 'Dockerfile'), 'utf8');
/** Instructions with continuation lines joined and comments dropped. */
const instructions = text
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const args = Object.fromEntries(
  instructions
    .filter((l) => l.startsWith('ARG ') && l.includes('='))
    .map((l) => l.slice(4).split('=') as [string, string]),
);
const stages: string[][] = [];
for (const l of instructions) {
  if (l.startsWith('FROM ')) stages.push([l]);
  else stages.at(-1)?.push(l);
}
const last = stages.at(-1)!;
const expand = (s: string) => s.replace(/\$\{(\w+)\}/g, (_, k: string) => args[k] ?? `\${${k}}`);
const envOf = (stage: string[]) => {
  const env: Record<string, string> = {};
  for (const l of stage.filter((x) => x.startsWith('ENV ')))
    for (const m of l.slice(4).matchAll(/(\w+)=(\S+)/g)) env[m[1]!] = m[2]!;
  return env;
};

/** The workspaces the agent imports, and what those import (from the package.json files). */
function agentWorkspaces(): string[] {
  const seen = new Set<string>();
  const walk = (dir: string) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const d of Object.keys(pkg.dependencies ?? {}))
      if (d.startsWith('@mooring/')) walk(d.slice('@mooring/'.length));
  };
  walk('agent');
  return [...seen].sort();
}

describe('the agent image (Dockerfile, checked statically)', () => {
  it('builds on a slim or distroless Node 24 image', () => {
    const base = expand(last[0]!.split(/\s+/)[1]!);
    expect(base).toMatch(/^gcr\.io\/distroless\/nodejs24-debian\d+(:nonroot)?$|^node:24[\w.-]*-slim$/);
    for (const s of stages) expect(expand(s[0]!)).toMatch(/node(js)?:?24|nodejs24/);
  });

  it('runs as the numeric non-root user 1000:1000, and runs nothing in the final stage', () => {
    const users = last.filter((l) => l.startsWith('USER '));
    expect(users.at(-1)).toBe('USER 1000:1000');
    expect(last.filter((l) => l.startsWith('RUN '))).toEqual([]);
  });

  it('has the pinned helm where MOORING_HELM points', () => {
    expect(args.HELM_VERSION).toBe(VERSIONS.helm);
    const env = envOf(last);
    expect(env.MOORING_HELM).toBe('/usr/local/bin/helm');
    expect(last).toContain('COPY --from=build /usr/local/bin/helm /usr/local/bin/helm');
    // the download is checked against the published checksum
    expect(text).toMatch(/sha256sum -c -/);
  });

  it('has the pinned sops where MOORING_SOPS points, checked against the release checksums', () => {
    expect(args.SOPS_VERSION).toBe(VERSIONS.sops);
    expect(envOf(last).MOORING_SOPS).toBe('/usr/local/bin/sops');
    expect(last).toContain('COPY --from=build /usr/local/bin/sops /usr/local/bin/sops');
    const run = instructions.find((l) => l.startsWith('RUN ') && l.includes('/usr/local/bin/sops'));
    expect(run).toContain(
      'https://github.com/getsops/sops/releases/download/${SOPS_VERSION}/sops-${SOPS_VERSION}.linux.${TARGETARCH}',
    );
    expect(run).toContain('sops-${SOPS_VERSION}.checksums.txt');
    expect(run).toMatch(/sha256sum -c -/);
  });

  it('writes only where the chart mounts writable volumes (read-only root filesystem)', () => {
    const env = envOf(last);
    expect(env.HOME).toBe('/home/mooring');
    expect(last).toContain('COPY --from=build --chown=1000:1000 /home/mooring /home/mooring');
    const deployment = readFileSync(
      join(REPO_ROOT, 'charts', 'mooring-agent', 'templates', 'deployment.yaml'),
      'utf8',
    );
    // the writable mounts; the only other one is the SOPS age key, read-only
    const mounts = [...deployment.matchAll(/mountPath: (\/\S+)/g)].map((m) => m[1]!);
    expect(mounts).toEqual(['/tmp', '/home/mooring/.cache', '/home/mooring/.config']);
    expect(
      [...deployment.matchAll(/mountPath: (.+)\n\s*(readOnly: true)?/g)].map((m) => [m[1], m[2]]),
    ).toEqual([
      ['/tmp', undefined],
      ['/home/mooring/.cache', undefined],
      ['/home/mooring/.config', undefined],
      ['{{ dir $sopsKeyFile | quote }}', 'readOnly: true'],
    ]);
    for (const path of [env.MOORING_CHART_CACHE!])
      expect(mounts.some((m) => path.startsWith(`${m}/`))).toBe(true);
    const helpers = readFileSync(
      join(REPO_ROOT, 'charts', 'mooring-agent', 'templates', '_helpers.tpl'),
      'utf8',
    );
    expect(helpers).toMatch(/name: HOME\n\s+value: \/home\/mooring/);
    expect(helpers).toMatch(/name: NODE_COMPILE_CACHE\n\s+value: \/tmp\//);
  });

  it('copies every workspace package.json, and the sources and install of every workspace the agent imports', () => {
    const all = readdirSync(join(REPO_ROOT, 'packages')).filter((d) =>
      existsSync(join(REPO_ROOT, 'packages', d, 'package.json')),
    );
    const build = stages[0]!;
    for (const d of all) expect(build).toContain(`COPY packages/${d}/package.json packages/${d}/`);
    const install = build.find((l) => l.startsWith('RUN npm ci'))!;
    expect(install).toContain('--omit=dev');
    for (const d of agentWorkspaces()) {
      expect(build).toContain(`COPY packages/${d}/src packages/${d}/src`);
      expect(install).toContain(`-w @mooring/${d}`);
    }
  });

  it('starts the agent bundled into one file, on the port the chart probes', () => {
    const cmd = last.find((l) => l.startsWith('CMD '))!;
    const argv = JSON.parse(cmd.slice(4)) as string[];
    expect(argv).toEqual(['packages/agent/dist/agent.mjs']);
    // the build stage bundles with the rolldown of the checkout, as `npm run build:agent` does
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'agent', 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const script = pkg.scripts['build:agent']!;
    expect(script).toMatch(/^rolldown .*--file dist\/agent\.mjs$/);
    const rolldown = JSON.parse(
      readFileSync(join(REPO_ROOT, 'node_modules', 'rolldown', 'package.json'), 'utf8'),
    ) as { version: string };
    expect(args.ROLLDOWN_VERSION).toBe(rolldown.version);
    const bundle = stages[0]!.find((l) => l.includes('rolldown@'))!;
    expect(bundle).toContain(`npx --yes rolldown@\${ROLLDOWN_VERSION} ${script.slice('rolldown '.length)}`);
    // the final stage has the bundle and the package.json it reads its version from, nothing else of /app
    expect(last.filter((l) => l.startsWith('COPY --from=build /app'))).toEqual([
      'COPY --from=build /app/packages/agent/package.json /app/packages/agent/package.json',
      'COPY --from=build /app/packages/agent/dist/agent.mjs /app/packages/agent/dist/agent.mjs',
    ]);
    expect(last).toContain('EXPOSE 8080');
    expect(envOf(last).MOORING_HTTP_PORT).toBe('8080');
  });

  it('keeps node_modules and the Git directory out of the build context', () => {
    const ignore = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['**/node_modules', '.git']));
  });
});
