import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../src/config.ts';

const TOKEN = 'tok-s3cr3t-value-xyz';

function errorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the defaults when only the cluster id is set', () => {
    expect(loadConfig({ MOORING_CLUSTER_ID: 'prod-eu_1' })).toEqual({
      clusterId: 'prod-eu_1',
      platformUrl: 'https://platform.mooring.dev',
      token: undefined,
      logLevel: 'INFO',
      natsUrl: undefined,
      kubeconfig: undefined,
      natsWorkerMaxWorkers: 15,
      readWorkerCount: 5,
      writeWorkerCount: 5,
      k8sWatchEnabled: true,
      httpPort: 8080,
      reconcileIntervalSeconds: 60,
      autoHeal: true,
      helm: 'helm',
      chartCache: '/tmp/mooring/charts',
      shutdownTimeoutSeconds: 300,
      namespace: undefined,
      podName: undefined,
      checkInIntervalSeconds: 15,
      chartMirrors: [],
      sops: 'sops',
      kubeProxyUnaryConcurrency: 64,
      kubeProxyStreamConcurrency: 128,
      publicIp: {
        enabled: false,
        lookupUrl: 'https://api.ipify.org?format=json',
        refreshSeconds: 3600,
        lookupTimeoutSeconds: 5,
      },
      kubernetesHttp2: false,
      podLogsHttp2: false,
      dynamicApiDiscovery: false,
      resourceListIntervalSeconds: 60,
      kubernetesRequestMaxAttempts: 3,
      forwardServiceMaxTimeoutSeconds: 120,
      argocdUrl: undefined,
      argocdToken: undefined,
      argocdNamespace: 'argocd',
      argocdDeletion: 'foreground',
    });
  });

  it('reads the Argo CD connection, names a bad one, and never shows its token', () => {
    const c = loadConfig({
      MOORING_CLUSTER_ID: 'c1',
      MOORING_ARGOCD_URL: 'http://argocd-server.argocd',
      MOORING_ARGOCD_TOKEN: TOKEN,
      MOORING_ARGOCD_DELETION: 'non-cascading',
    });
    expect([c.argocdUrl, c.argocdToken, c.argocdNamespace, c.argocdDeletion]).toEqual([
      'http://argocd-server.argocd',
      TOKEN,
      'argocd',
      'non-cascading',
    ]);
    expect(JSON.stringify(describeConfig(c))).not.toContain(TOKEN);
    const e = errorOf({
      MOORING_CLUSTER_ID: 'c1',
      MOORING_ARGOCD_URL: 'ftp://x',
      MOORING_ARGOCD_DELETION: 'later',
      MOORING_ARGOCD_TOKEN: `${TOKEN} x`,
    });
    expect(e.issues.map((i) => i.variable).sort()).toEqual([
      'MOORING_ARGOCD_DELETION',
      'MOORING_ARGOCD_TOKEN',
      'MOORING_ARGOCD_URL',
    ]);
    expect(e.message).not.toContain(TOKEN);
  });

  it('reads chart mirrors as FROM=TO pairs and names a bad one', () => {
    expect(
      loadConfig({
        MOORING_CLUSTER_ID: 'c1',
        MOORING_CHART_MIRRORS:
          'https://a.example/charts=http://127.0.0.1:1/, oci://ghcr.io/x=oci://127.0.0.1:2/x',
      }).chartMirrors,
    ).toEqual([
      { from: 'https://a.example/charts', to: 'http://127.0.0.1:1/' },
      { from: 'oci://ghcr.io/x', to: 'oci://127.0.0.1:2/x' },
    ]);
    expect(() => loadConfig({ MOORING_CLUSTER_ID: 'c1', MOORING_CHART_MIRRORS: 'nope' })).toThrow(
      /MOORING_CHART_MIRRORS.*each mirror must be FROM=TO, got "nope"/s,
    );
  });

  it('reads the SOPS age key file and program (absent: no decryption)', () => {
    const c = loadConfig({
      MOORING_CLUSTER_ID: 'c1',
      MOORING_SOPS_AGE_KEY_FILE: '/etc/mooring/age/keys.txt',
      MOORING_SOPS: '/usr/local/bin/sops',
    });
    expect(c).toMatchObject({ sopsAgeKeyFile: '/etc/mooring/age/keys.txt', sops: '/usr/local/bin/sops' });
    expect(
      loadConfig({ MOORING_CLUSTER_ID: 'c1', MOORING_SOPS_AGE_KEY_FILE: ' ' }).sopsAgeKeyFile,
    ).toBeUndefined();
  });

  it('reads every variable the chart sets', () => {
    const c = loadConfig({
      MOORING_CLUSTER_ID: 'c1',
      MOORING_PLATFORM_URL: 'http://localhost:3000',
      MOORING_TOKEN: TOKEN,
      MOORING_LOG_LEVEL: 'warning',
      MOORING_NATS_URL: 'nats://a:4222, nats://b:4222',
      MOORING_KUBECONFIG: '/k/config',
      MOORING_NATS_WORKER_MAX_WORKERS: '25',
      MOORING_READ_WORKER_COUNT: '2',
      MOORING_WRITE_WORKER_COUNT: '1',
      MOORING_K8S_WATCH_ENABLED: 'false',
      MOORING_HTTP_PORT: '0',
      MOORING_RECONCILE_INTERVAL_SECONDS: '2.5',
      RECONCILE_AUTO_HEAL_ENABLED: 'no',
      MOORING_HELM: '/usr/bin/helm',
      MOORING_CHART_CACHE: '/var/cache/charts',
      MOORING_NAMESPACE: 'mooring',
      MOORING_POD_NAME: 'mooring-agent-0',
      UNRELATED: 'ignored',
    });
    expect(c).toMatchObject({
      token: TOKEN,
      logLevel: 'WARNING',
      natsUrl: 'nats://a:4222, nats://b:4222',
      natsWorkerMaxWorkers: 25,
      readWorkerCount: 2,
      writeWorkerCount: 1,
      k8sWatchEnabled: false,
      httpPort: 0,
      reconcileIntervalSeconds: 2.5,
      autoHeal: false,
      helm: '/usr/bin/helm',
      namespace: 'mooring',
    });
  });

  it('treats empty variables as unset', () => {
    const c = loadConfig({
      MOORING_CLUSTER_ID: 'c1',
      MOORING_NATS_URL: '',
      MOORING_HTTP_PORT: ' ',
      MOORING_TOKEN: '',
    });
    expect([c.natsUrl, c.httpPort, c.token]).toEqual([undefined, 8080, undefined]);
  });

  it('names every bad variable in one error', () => {
    const e = errorOf({
      MOORING_CLUSTER_ID: 'a.b',
      MOORING_PLATFORM_URL: 'ftp://x',
      MOORING_LOG_LEVEL: 'VERBOSE',
      MOORING_NATS_URL: 'http://nats:4222',
      MOORING_NATS_WORKER_MAX_WORKERS: '0',
      MOORING_READ_WORKER_COUNT: 'five',
      MOORING_WRITE_WORKER_COUNT: '-1',
      MOORING_K8S_WATCH_ENABLED: 'maybe',
      MOORING_HTTP_PORT: '70000',
      MOORING_RECONCILE_INTERVAL_SECONDS: '0',
      RECONCILE_AUTO_HEAL_ENABLED: 'sometimes',
      MOORING_SHUTDOWN_TIMEOUT_SECONDS: 'soon',
    });
    expect(e.issues.map((i) => i.variable).sort()).toEqual(
      [
        'MOORING_CLUSTER_ID',
        'MOORING_PLATFORM_URL',
        'MOORING_LOG_LEVEL',
        'MOORING_NATS_URL',
        'MOORING_NATS_WORKER_MAX_WORKERS',
        'MOORING_READ_WORKER_COUNT',
        'MOORING_WRITE_WORKER_COUNT',
        'MOORING_K8S_WATCH_ENABLED',
        'MOORING_HTTP_PORT',
        'MOORING_RECONCILE_INTERVAL_SECONDS',
        'RECONCILE_AUTO_HEAL_ENABLED',
        'MOORING_SHUTDOWN_TIMEOUT_SECONDS',
      ].sort(),
    );
    for (const i of e.issues) expect(e.message).toContain(`${i.variable}: ${i.message}`);
    expect(e.message).toMatch(/MOORING_LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL/);
    expect(e.message).toMatch(/MOORING_HTTP_PORT: must be a whole number from 0 to 65535/);
  });

  it('requires the cluster id', () => {
    const e = errorOf({});
    expect(e.issues).toEqual([{ variable: 'MOORING_CLUSTER_ID', message: 'is required' }]);
  });

  it('never puts the token in the error, even when the token itself is bad', () => {
    const bad = `${TOKEN} with spaces`;
    const e = errorOf({ MOORING_CLUSTER_ID: 'c1', MOORING_TOKEN: bad, MOORING_LOG_LEVEL: 'LOUD' });
    expect(e.issues.map((i) => i.variable).sort()).toEqual(['MOORING_LOG_LEVEL', 'MOORING_TOKEN']);
    expect(e.message).not.toContain(TOKEN);
    expect(JSON.stringify(e.issues)).not.toContain(TOKEN);
    const e2 = errorOf({ MOORING_CLUSTER_ID: '', MOORING_TOKEN: TOKEN });
    expect(e2.message).not.toContain(TOKEN);
  });

  it('describes the configuration without the token', () => {
    const c = loadConfig({ MOORING_CLUSTER_ID: 'c1', MOORING_TOKEN: TOKEN });
    const text = JSON.stringify(describeConfig(c));
    expect(text).not.toContain(TOKEN);
    expect(describeConfig(c).token).toBe('[set]');
  });
});
