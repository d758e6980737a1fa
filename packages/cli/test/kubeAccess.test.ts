import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubeTokenFile, readKubeToken, stillGood, writeKubeToken } from '../src/api/kubeTokenCache.ts';
import { execCredential, kubeconfigFor } from '../src/commands/kubeAccess.ts';

describe('kube tokens kept between kubectl runs', () => {
  it('one file per platform, login and cluster; used again while more than a minute is left', () => {
    const env = { XDG_CACHE_HOME: '/c' };
    const key = { url: 'http://127.0.0.1:8400', identity: 'a'.repeat(64), cluster: 'prod' };
    const file = kubeTokenFile(env, key);
    expect(file.startsWith('/c/mooring/kube-tokens/')).toBe(true);
    expect(kubeTokenFile(env, { ...key, identity: 'b'.repeat(64) })).not.toBe(file);
    expect(kubeTokenFile(env, { ...key, url: 'http://127.0.0.1:8401' })).not.toBe(file);
    expect(kubeTokenFile(env, { ...key, cluster: 'dev' })).not.toBe(file);
    expect(kubeTokenFile({ HOME: '/h' }, key).startsWith('/h/.cache/mooring/kube-tokens/')).toBe(true);
    const now = new Date('2026-11-30T12:00:00Z');
    const at = (s: number) => ({ token: 't', expires_at: new Date(now.getTime() + s * 1000).toISOString() });
    expect(stillGood(at(61), now)).toBe(true);
    expect(stillGood(at(60), now)).toBe(false);
    expect(stillGood(at(-5), now)).toBe(false);
    expect(stillGood({ token: 't', expires_at: 'soon' }, now)).toBe(false);
    expect(stillGood(undefined, now)).toBe(false);
  });

  it('writes the token readable by its owner only; a damaged file reads as none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mooring-kube-tokens-'));
    try {
      const file = kubeTokenFile({ XDG_CACHE_HOME: dir }, { url: 'u', identity: 'i', cluster: 'c' });
      expect(readKubeToken(file)).toBeUndefined();
      writeKubeToken(file, { token: 'mooring_pat_x', expires_at: '2026-11-30T12:15:00.000Z' });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'mooring', 'kube-tokens')).mode & 0o777).toBe(0o700);
      expect(readKubeToken(file)).toEqual({ token: 'mooring_pat_x', expires_at: '2026-11-30T12:15:00.000Z' });
      writeKubeToken(file, { token: 'y', expires_at: 'z' });
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ token: 'y', expires_at: 'z' });
      rmSync(file);
      expect(readKubeToken(file)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('kubeconfig through the platform', () => {
  it('points at /api/v1/clusters/{id}/k8s and runs mooring cluster kube-token', () => {
    const kc = kubeconfigFor({
      platformUrl: 'http://127.0.0.1:8400',
      server: 'https://mooring.example.test/',
      certificateAuthority: 'PEM',
      clusterId: 'c-1',
      clusterName: 'prod',
      exec: { command: 'mooring', args: [] },
    });
    expect(kc).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'mooring-prod',
          cluster: {
            server: 'https://mooring.example.test/api/v1/clusters/c-1/k8s',
            'certificate-authority-data': Buffer.from('PEM').toString('base64'),
          },
        },
      ],
      users: [
        {
          name: 'mooring-prod',
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1',
              command: 'mooring',
              args: ['cluster', 'kube-token', 'c-1', '--url', 'http://127.0.0.1:8400'],
              interactiveMode: 'Never',
              provideClusterInfo: false,
            },
          },
        },
      ],
      contexts: [{ name: 'mooring-prod', context: { cluster: 'mooring-prod', user: 'mooring-prod' } }],
      'current-context': 'mooring-prod',
    });
  });

  it('prints the token as an ExecCredential', () => {
    expect(execCredential('t', '2026-01-01T00:15:00.000Z')).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { token: 't', expirationTimestamp: '2026-01-01T00:15:00.000Z' },
    });
  });
});
