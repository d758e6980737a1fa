/** The parts of Argo CD's Application that Mooring writes and reads (argoproj.io/v1alpha1). */
export interface Application {
  apiVersion?: 'argoproj.io/v1alpha1';
  kind?: 'Application';
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    resourceVersion?: string;
    deletionTimestamp?: string;
  };
  spec: ApplicationSpec;
  status?: ApplicationStatus;
  /** A sync asked for and not yet picked up by the controller. */
  operation?: { sync?: unknown; initiatedBy?: { username?: string; automated?: boolean } };
}

export interface ApplicationSpec {
  project: string;
  source: {
    repoURL: string;
    chart: string;
    targetRevision: string;
    helm?: { releaseName?: string; values?: string; skipCrds?: boolean };
  };
  /** A multi-source Application's sources (then `source` is absent). */
  sources?: (Partial<ApplicationSpec['source']> & { path?: string; ref?: string })[];
  destination: { server?: string; name?: string; namespace: string };
  syncPolicy?: {
    automated?: { prune: boolean; selfHeal: boolean; enabled?: boolean };
    syncOptions?: string[];
    retry?: { limit: number; backoff: { duration: string; factor: number; maxDuration: string } };
    managedNamespaceMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  };
  ignoreDifferences?: {
    group?: string;
    kind: string;
    name?: string;
    namespace?: string;
    jsonPointers?: string[];
    jqPathExpressions?: string[];
    managedFieldsManagers?: string[];
  }[];
  revisionHistoryLimit?: number;
}

/** A repository connection in Argo CD (a Helm repository or an OCI registry); `password` is secret. */
export interface Repository {
  repo: string;
  type: 'helm';
  name: string;
  enableOCI?: boolean;
  /** Plain HTTP for an OCI registry (Helm 4 wants it said). */
  insecureOCIForceHttp?: boolean;
  username?: string;
  password?: string;
}

/** The parts of an AppProject Mooring writes: one per add-on with a sync window. */
export interface AppProject {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string };
  spec: {
    description?: string;
    sourceRepos: string[];
    destinations: { server?: string; name?: string; namespace: string }[];
    clusterResourceWhitelist?: { group: string; kind: string }[];
    syncWindows?: {
      kind: 'allow' | 'deny';
      schedule: string;
      duration: string;
      applications?: string[];
      timeZone?: string;
      manualSync?: boolean;
    }[];
  };
}

export interface ResourceStatus {
  group?: string;
  version?: string;
  kind: string;
  namespace?: string;
  name: string;
  status?: string;
  health?: { status?: string; message?: string };
}

export interface ApplicationStatus {
  sync?: {
    status?: 'Synced' | 'OutOfSync' | 'Unknown';
    revision?: string;
    /** The spec the controller compared the cluster with last: the status is about this spec. */
    comparedTo?: {
      source?: Partial<ApplicationSpec['source']>;
      destination?: ApplicationSpec['destination'];
    };
  };
  health?: { status?: string; message?: string };
  operationState?: {
    phase?: 'Running' | 'Terminating' | 'Failed' | 'Error' | 'Succeeded';
    message?: string;
    startedAt?: string;
    finishedAt?: string;
    syncResult?: { revision?: string };
  };
  conditions?: { type: string; message: string }[];
  resources?: ResourceStatus[];
  history?: { id: number; revision?: string; deployedAt?: string }[];
  reconciledAt?: string;
}

export interface ResourceNode {
  group?: string;
  version?: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  parentRefs?: { group?: string; kind: string; namespace?: string; name: string; uid?: string }[];
  health?: { status?: string; message?: string };
}

export interface ResourceTree {
  nodes?: ResourceNode[];
}
