// `mooring validate --strict-secrets` and `--check-charts` without a registry to ask (an unreachable one).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../src/io.ts';
import { main } from '../src/main.ts';

function fakeIo(cwd: string, env: Record<string, string> = {}): Io & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    cwd,
    env: { XDG_CACHE_HOME: join(cwd, '.cache'), ...env },
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
  };
  return io;
}

/** A loopback port that nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const SECRETS = `apiVersion: v1
kind: ImportCluster
metadata:
  name: demo
spec:
  stacks:
    - name: s
      addons:
        - name: a
          chart_name: a
          chart_version: "1.0.0"
          namespace: apps
          repository_url: https://charts.example.com
          configuration:
            values: |
              auth:
                password: hunter2
`;

const registryDef = (url: string) => `apiVersion: v1
kind: ImportCluster
metadata:
  name: demo
spec:
  helm_registries:
    - name: local
      url: ${url}
      credential_name: local-pull
  stacks:
    - name: s
      addons:
        - name: one
          chart_name: podinfo
          chart_version: "6.14.1"
          namespace: apps
          registry_name: local
        - name: two
          chart_name: other
          chart_version: "1.0.0"
          namespace: apps
          registry_name: local
`;

let repo: string;
let port: number;
beforeAll(async () => {
  repo = mkdtempSync(join(tmpdir(), 'mooring-validate-'));
  mkdirSync(join(repo, '.git'));
  writeFileSync(join(repo, 'secrets.yaml'), SECRETS);
  port = await closedPort();
  writeFileSync(join(repo, 'http.yaml'), registryDef(`http://127.0.0.1:${port}/charts`));
  writeFileSync(join(repo, 'oci.yaml'), registryDef(`oci://127.0.0.1:${port}/charts`));
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

const SECRET_LINE =
  'secrets.yaml:17:27: %s: "auth.password" looks like a plaintext secret; encrypt it with SOPS and list it in encrypted_paths [spec.stacks[0].addons[0].configuration.values.auth.password]';

describe('mooring validate --strict-secrets', () => {
  it('without it, a plaintext secret is a warning and the definition is valid', async () => {
    const io = fakeIo(repo);
    expect(await main(['validate', '-f', 'secrets.yaml'], io)).toBe(0);
    expect(io.out.split('\n')[0]).toBe(SECRET_LINE.replace('%s', 'warning'));
  });

  it('makes it an error: exit 1, in text', async () => {
    const io = fakeIo(repo);
    expect(await main(['validate', '-f', 'secrets.yaml', '--strict-secrets'], io)).toBe(1);
    expect(io.out.split('\n')).toEqual([
      SECRET_LINE.replace('%s', 'error'),
      '  hint: add "auth.password" to encrypted_paths and commit the SOPS-encrypted value (ENC[...])',
      'secrets.yaml: 1 error, 0 warnings; nothing would be applied',
      '',
    ]);
  });

  it('and in JSON', async () => {
    const io = fakeIo(repo);
    expect(await main(['validate', '-f', 'secrets.yaml', '--strict-secrets', '-o', 'json'], io)).toBe(1);
    const j = JSON.parse(io.out);
    expect(j).toMatchObject({ valid: false, errors: 1, warnings: 0 });
    expect(j.diagnostics.map((d: { code: string; severity: string }) => [d.code, d.severity])).toEqual([
      ['plaintext-secret', 'error'],
    ]);
  });

  it('is documented in --help', async () => {
    const io = fakeIo(repo);
    expect(await main(['validate', '--help'], io)).toBe(0);
    expect(io.out).toMatch(/--strict-secrets +values that look like plaintext secrets/);
    expect(io.out).toMatch(/--check-charts +ask every add-on's registry/);
    expect(io.out).toMatch(/--mirror FROM=TO/);
  });
});

describe('mooring validate --check-charts with an unreachable registry', () => {
  it('reports a Helm repository that cannot be read once, naming its URL and never its credentials', async () => {
    const io = fakeIo(repo, {
      MOORING_CREDENTIAL_LOCAL_PULL_USERNAME: 'bob',
      MOORING_CREDENTIAL_LOCAL_PULL_PASSWORD: 'pa55word-xyz',
    });
    expect(await main(['validate', '-f', 'http.yaml', '--check-charts'], io)).toBe(1);
    expect(io.out.split('\n')).toEqual([
      `http.yaml:14:23: error: cannot read chart registry http://127.0.0.1:${port}/charts: cannot fetch index.yaml: fetch failed (ECONNREFUSED) (used by 2 add-ons: one, two) [spec.stacks[0].addons[0].chart_name]`,
      'http.yaml: 1 error, 0 warnings; nothing would be applied',
      '',
    ]);
    expect(io.out + io.err).not.toContain('pa55word-xyz');
  });

  it('reports an OCI registry that cannot be read, in JSON too', async () => {
    const io = fakeIo(repo, { MOORING_CREDENTIAL_LOCAL_PULL_TOKEN: 'tok-secret-123' });
    expect(await main(['validate', '-f', 'oci.yaml', '--check-charts', '-o', 'json'], io)).toBe(1);
    const j = JSON.parse(io.out);
    expect(j).toMatchObject({ valid: false, errors: 1, chartsChecked: 2, registriesChecked: 1 });
    expect(j.diagnostics).toEqual([
      {
        severity: 'error',
        file: 'oci.yaml',
        line: 14,
        column: 23,
        path: 'spec.stacks[0].addons[0].chart_name',
        code: 'registry-unreachable',
        message: `cannot read chart registry oci://127.0.0.1:${port}/charts: ECONNREFUSED (used by 2 add-ons: one, two)`,
      },
    ]);
    expect(io.out).not.toContain('tok-secret-123');
  });

  it('takes --mirror like apply, and rejects a malformed one', async () => {
    const io = fakeIo(repo);
    const args = ['validate', '-f', 'http.yaml', '--check-charts', '--mirror'];
    expect(await main([...args, `http://127.0.0.1:${port}=http://127.0.0.1:${port}/elsewhere`], io)).toBe(1);
    expect(io.out).toContain(
      `cannot read chart registry http://127.0.0.1:${port}/elsewhere/charts (mirror of http://127.0.0.1:${port}/charts)`,
    );
    const bad = fakeIo(repo);
    expect(await main([...args, 'no-equals-sign'], bad)).toBe(2);
    expect(bad.err).toContain('--mirror must be FROM=TO');
  });
});
