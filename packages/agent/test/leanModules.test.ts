// The agent process must not load @kubernetes/client-node (ADR 0018: it cost ≈ 60-78 MiB of RSS):
// every module URL resolved while importing the agent is listed by a resolve hook in a child node.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@mooring/testkit';
import { describe, expect, it } from 'vitest';

const PROBE = `
import { registerHooks } from 'node:module';
const seen = [];
registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); seen.push(r.url); return r; } });
await import(process.argv[1]);
process.stdout.write(JSON.stringify(seen));
process.exit(0);
`;

describe('the modules the agent loads', () => {
  it('include nothing of @kubernetes/client-node', () => {
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', PROBE, join(REPO_ROOT, 'packages', 'agent', 'src', 'index.ts')],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const urls = JSON.parse(out) as string[];
    // the probe works: the agent's own modules and the lean client are listed
    expect(urls.some((u) => u.endsWith('/packages/kube/src/lean/transport.ts'))).toBe(true);
    expect(urls.length).toBeGreaterThan(100);
    expect(urls.filter((u) => u.includes('/node_modules/@kubernetes/'))).toEqual([]);
  });
});

describe('undici', () => {
  // ADR 0019: an ES module import of node:http loads undici (its WebSocket getter), fetch adds its parser
  const loaded = (code: string) =>
    execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `${code}\nprocess.stdout.write(String(process.moduleLoadList.some((m) => m.includes('undici'))));`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );

  it('is not loaded by the agent modules', () => {
    // the probe works: an import of node:http as a module loads it
    expect(loaded("await import('node:http');")).toBe('true');
    expect(
      loaded(`await import(${JSON.stringify(join(REPO_ROOT, 'packages', 'agent', 'src', 'index.ts'))});`),
    ).toBe('false');
  });
});
