import type { K8sObject } from '../../src/health/index.ts';

/** The Deployment as rendered by `helm template` (what Git wants). */
export function desiredDeployment(): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'shop',
      labels: { app: 'web', 'helm.sh/chart': 'web-1.2.0' },
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              args: ['--port', '8080'],
              ports: [{ containerPort: 8080, name: 'http' }],
              env: [
                { name: 'LOG_LEVEL', value: 'info' },
                { name: 'WORKERS', value: '4' },
              ],
              resources: { requests: { cpu: '1', memory: '512Mi' }, limits: { cpu: 2, memory: '1Gi' } },
              volumeMounts: [{ name: 'config', mountPath: '/etc/web' }],
            },
          ],
          volumes: [{ name: 'config', configMap: { name: 'web-config' } }],
          securityContext: {},
        },
      },
    },
  };
}

/** The same Deployment as the API server returns it: defaults, Helm metadata, managedFields, status. */
export function liveDeployment(): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'shop',
      uid: '0f6c3c9e-1111-2222-3333-444455556666',
      resourceVersion: '918273',
      generation: 4,
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { app: 'web', 'helm.sh/chart': 'web-1.2.0', 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: {
        'deployment.kubernetes.io/revision': '4',
        'meta.helm.sh/release-name': 'web',
        'meta.helm.sh/release-namespace': 'shop',
      },
      managedFields: [
        {
          manager: 'helm',
          operation: 'Update',
          apiVersion: 'apps/v1',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
            'f:spec': {
              'f:replicas': {},
              'f:template': {
                'f:spec': {
                  'f:containers': {
                    'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:args': {} },
                  },
                },
              },
            },
          },
        },
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          apiVersion: 'apps/v1',
          subresource: 'scale',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:replicas': {} } },
        },
      ],
    },
    spec: {
      replicas: 3,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { creationTimestamp: null, labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              args: ['--port', '8080'],
              imagePullPolicy: 'IfNotPresent',
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
              ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
              env: [
                { name: 'LOG_LEVEL', value: 'info' },
                { name: 'WORKERS', value: '4' },
              ],
              resources: {
                requests: { cpu: '1000m', memory: '536870912' },
                limits: { cpu: '2', memory: '1024Mi' },
              },
              volumeMounts: [{ name: 'config', mountPath: '/etc/web' }],
            },
          ],
          volumes: [{ name: 'config', configMap: { name: 'web-config', defaultMode: 420 } }],
          dnsPolicy: 'ClusterFirst',
          restartPolicy: 'Always',
          schedulerName: 'default-scheduler',
          securityContext: {},
          terminationGracePeriodSeconds: 30,
        },
      },
    },
    status: {
      observedGeneration: 4,
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      updatedReplicas: 3,
    },
  };
}

export function desiredService(): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: '8080' }] },
  };
}

export function liveService(): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop', uid: 'u-1', resourceVersion: '1' },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.12.34',
      clusterIPs: ['10.96.12.34'],
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
    },
    status: { loadBalancer: {} },
  };
}

export function desiredConfigMap(): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'web-config', namespace: 'shop' },
    data: { LOG_LEVEL: 'info', 'nginx.conf': 'worker_processes 4;\n' },
  };
}

export function liveConfigMap(): K8sObject {
  return {
    ...desiredConfigMap(),
    metadata: {
      name: 'web-config',
      namespace: 'shop',
      uid: 'u-2',
      resourceVersion: '7',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    },
  };
}

/** Applies `edit` to a fresh copy of `obj` and returns it. */
export function edited(obj: K8sObject, edit: (o: any) => void): K8sObject {
  const copy = structuredClone(obj);
  edit(copy);
  return copy;
}
