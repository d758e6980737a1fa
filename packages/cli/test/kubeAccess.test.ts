import { describe, expect, it } from 'vitest';
import { execCredential, kubeconfigFor } from '../src/commands/kubeAccess.ts';

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
