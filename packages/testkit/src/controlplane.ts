import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiextensionsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { httpsGet } from './https.ts';
import { binaryPath, kwokStagesDir, TESTKIT_ROOT } from './paths.ts';
import { generatePki, kubeconfigYaml, type Pki } from './pki.ts';
import { freePort } from './ports.ts';
import { ManagedProcess, waitUntil } from './process.ts';

export interface ControlPlane {
  /** Path of the admin kubeconfig written for this run. */
  kubeconfig: string;
  server: string;
  pki: Pki;
  processes: ManagedProcess[];
  /** Milliseconds from start until /readyz and a Ready node. */
  startupMs: number;
  /**
   * The API server process alone, for tests of an outage (use a control plane of the test's
   * own, never the shared one): `stop()` ends it (SIGTERM; clients get connection refused),
   * `start()` runs it again with the same flags, port and etcd, and waits for /readyz.
   */
  apiServer: { stop(): Promise<void>; start(): Promise<void> };
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  workDir: string;
  nodes?: number;
}

export const SERVICE_CIDR = '10.0.0.0/24';

/** Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok as processes. */
export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const t0 = Date.now();
  const dir = opts.workDir;
  const logDir = join(dir, 'logs');
  const pkiDir = join(dir, 'pki');
  mkdirSync(logDir, { recursive: true });
  mkdirSync(pkiDir, { recursive: true });
  const pki = generatePki(pkiDir);
  const procs: ManagedProcess[] = [];
  const stop = async () => {
    for (const p of [...procs].reverse()) await p.stop();
  };
  try {
    const [etcdClient, etcdPeer, apiPort, kcmPort, schedPort, kwokPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const etcd = new ManagedProcess({
      name: 'etcd',
      command: binaryPath('etcd'),
      logDir,
      args: [
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
        '--unsafe-no-fsync=true',
        '--log-level=warn',
        '--quota-backend-bytes=4294967296',
      ],
    });
    procs.push(etcd);

    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      kubeconfigYaml(server, pki, (p) => readFileSync(p, 'utf8')),
      { mode: 0o600 },
    );

    await waitUntil(etcd, 'etcd health', async () => {
      const r = await fetch(`${etcdUrl}/health`);
      return r.ok;
    });

    const apiserverArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--advertise-address=127.0.0.1',
      '--bind-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      '--endpoint-reconciler-type=none',
      `--tls-cert-file=${pki.serverCert}`,
      `--tls-private-key-file=${pki.serverKey}`,
      `--client-ca-file=${pki.caCert}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.saPub}`,
      `--service-account-signing-key-file=${pki.saKey}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--authorization-mode=Node,RBAC',
      '--allow-privileged=true',
      '--enable-priority-and-fairness=false',
      // kwok's kubelet (logs, exec) listens on the node's InternalIP; the node names do not resolve
      '--kubelet-preferred-address-types=InternalIP',
      `--kubelet-client-certificate=${pki.adminCert}`,
      `--kubelet-client-key=${pki.adminKey}`,
      '--v=1',
    ];
    const spawnApiServer = () =>
      new ManagedProcess({
        name: 'kube-apiserver',
        command: binaryPath('kube-apiserver'),
        logDir,
        args: apiserverArgs,
      });
    const apiserver = spawnApiServer();
    procs.push(apiserver);
    const tls = { ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey };
    const apiReady = (p: ManagedProcess) =>
      waitUntil(
        p,
        'kube-apiserver /readyz',
        async () => (await httpsGet(`${server}/readyz`, tls)).status === 200,
      );
    await apiReady(apiserver);
    const apiServer = {
      stop: async () => {
        const current = procs.find((p) => p.name === 'kube-apiserver' && p.running);
        await current?.stop();
      },
      start: async () => {
        if (procs.some((p) => p.name === 'kube-apiserver' && p.running)) return;
        const i = procs.findIndex((p) => p.name === 'kube-apiserver');
        const next = spawnApiServer();
        procs[i] = next;
        await apiReady(next);
      },
    };

    const common = [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
      '--v=1',
    ];
    procs.push(
      new ManagedProcess({
        name: 'kube-controller-manager',
        command: binaryPath('kube-controller-manager'),
        logDir,
        args: [
          ...common,
          `--secure-port=${kcmPort}`,
          `--root-ca-file=${pki.caCert}`,
          `--service-account-private-key-file=${pki.saKey}`,
          `--cluster-signing-cert-file=${pki.caCert}`,
          `--cluster-signing-key-file=${pki.caKey}`,
          '--use-service-account-credentials=true',
          `--service-cluster-ip-range=${SERVICE_CIDR}`,
          '--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller',
        ],
      }),
    );
    procs.push(
      new ManagedProcess({
        name: 'kube-scheduler',
        command: binaryPath('kube-scheduler'),
        logDir,
        args: [...common, `--secure-port=${schedPort}`],
      }),
    );
    // kwok's Logs/ClusterLogs resources: a fake container's log read from a local file; Attach: what an attach streams
    const kcAdmin = new KubeConfig();
    kcAdmin.loadFromFile(kubeconfig);
    await installKwokCrds(kcAdmin);
    const stages = readdirSync(kwokStagesDir())
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => `--config=${join(kwokStagesDir(), f)}`);
    // kwok serves each fake node's kubelet API (exec, logs, port-forward) over TLS on its port,
    // which the nodes advertise; exec in any fake pod runs the command on this machine in a
    // work folder, and a port-forward to any port of a fake pod reaches an echo (`cat`)
    const kwokExecDir = join(dir, 'kwok-exec');
    mkdirSync(kwokExecDir, { recursive: true });
    const kwokConfig = join(dir, 'kwok-exec.yaml');
    writeFileSync(
      kwokConfig,
      `apiVersion: kwok.x-k8s.io/v1alpha1\nkind: ClusterExec\nmetadata:\n  name: every-pod\nspec:\n  execs:\n    - local:\n        workDir: ${JSON.stringify(kwokExecDir)}\n---\napiVersion: kwok.x-k8s.io/v1alpha1\nkind: ClusterPortForward\nmetadata:\n  name: every-pod\nspec:\n  forwards:\n    - command: [cat]\n`,
    );
    const kwok = new ManagedProcess({
      name: 'kwok',
      command: binaryPath('kwok'),
      logDir,
      args: [
        `--kubeconfig=${kubeconfig}`,
        '--manage-all-nodes=true',
        `--server-address=127.0.0.1:${kwokPort}`,
        `--node-port=${kwokPort}`,
        `--enable-crds=${KWOK_CRDS.join(',')}`,
        '--cidr=10.244.0.0/16',
        '--node-ip=127.0.0.1',
        '--node-lease-duration-seconds=40',
        `--tls-cert-file=${pki.serverCert}`,
        `--tls-private-key-file=${pki.serverKey}`,
        ...stages,
        `--config=${kwokConfig}`,
      ],
      env: { KWOK_WORKDIR: join(dir, 'kwok') },
    });
    procs.push(kwok);

    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const nodes = opts.nodes ?? 2;
    for (let i = 0; i < nodes; i++) {
      await core.createNode({
        body: {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: {
            name: `kwok-node-${i}`,
            annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
            labels: {
              'kubernetes.io/hostname': `kwok-node-${i}`,
              'kubernetes.io/os': 'linux',
              'kubernetes.io/arch': 'amd64',
              type: 'kwok',
            },
          },
          spec: {},
          status: {
            allocatable: { cpu: '64', memory: '256Gi', pods: '1000' },
            capacity: { cpu: '64', memory: '256Gi', pods: '1000' },
          },
        },
      });
    }
    await waitUntil(kwok, 'a Ready node', async () => {
      const list = await core.listNode();
      return list.items.some((n) =>
        n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
    });
    // the default ServiceAccount must exist before Pods can be admitted in "default"
    await waitUntil(procs[2], 'the default ServiceAccount', async () => {
      await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
      return true;
    });
    return { kubeconfig, server, pki, processes: procs, startupMs: Date.now() - t0, apiServer, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The kwok resources served as CRDs (tests create them): a fake container's log from a
 * local file (`Logs`, `ClusterLogs`), and what `kubectl attach` to it streams (`Attach`).
 */
const KWOK_CRDS = ['Logs', 'ClusterLogs', 'Attach'];
const KWOK_CRD_FILES = [
  'kwok.x-k8s.io_logs.yaml',
  'kwok.x-k8s.io_clusterlogs.yaml',
  'kwok.x-k8s.io_attaches.yaml',
];

async function installKwokCrds(kc: KubeConfig): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  for (const file of KWOK_CRD_FILES) {
    const body = parse(readFileSync(join(TESTKIT_ROOT, 'kwok', file), 'utf8'));
    await api.createCustomResourceDefinition({ body });
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    const list = await api.listCustomResourceDefinition();
    const established = list.items.filter(
      (c) =>
        c.spec.group === 'kwok.x-k8s.io' &&
        c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True'),
    );
    if (established.length >= KWOK_CRD_FILES.length) return;
    if (Date.now() > deadline) throw new Error('the kwok CRDs were not established within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}
