import type { HealthStatus } from './status.ts';

/** A plain Kubernetes object as decoded from JSON or YAML. Nothing is fetched from it. */
export type K8sObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: K8sMetadata;
  [key: string]: unknown;
};

/** The metadata fields the pure rules look at. */
export type K8sMetadata = {
  name?: string;
  namespace?: string;
  generation?: number;
  uid?: string;
  deletionTimestamp?: string | null;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: unknown[];
  [key: string]: unknown;
};

/** Health of one object, with a message saying why. */
export type HealthResult = {
  status: HealthStatus;
  message: string;
};

/** A rule that computes the health of one kind. */
export type HealthRule = (obj: K8sObject) => HealthResult;
