/** The platform's answers, as the UI reads them (see packages/platform/README.md). */

export type Role = 'viewer' | 'operator' | 'admin' | 'owner';
export type Scope = 'read' | 'write' | 'admin';

export interface Page<T> {
  items: T[];
  page: number;
  page_size: number;
  total: number;
}

export interface User {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  created_at: string;
}

export interface Me {
  user: User;
  role: Role;
  scopes: Scope[];
}

export interface LoginAnswer {
  token: string;
  expires_at: string;
  user: User;
}

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

export interface Cluster {
  id: string;
  name: string;
  description: string;
  state: 'online' | 'offline';
  agent_version: string | null;
  kubernetes_version: string | null;
  node_count: number | null;
  region: string | null;
  last_check_in: string | null;
  definition_path: string;
  created_at: string;
  updated_at: string;
}

export interface Diagnostic {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  column: number;
  path: string;
  code: string;
  message: string;
  hint?: string;
}

export interface ImportAnswer {
  cluster: Cluster;
  warnings: Diagnostic[];
  agent_token: string;
  install_command: string;
}

export interface AgentTokenAnswer {
  agent_token: string;
  install_command: string;
}

export interface Addon {
  name: string;
  kind: 'addon' | 'manifest';
  chart: string | null;
  version: string | null;
  namespace: string | null;
  stack: string;
  state: string;
  health: string;
  engine: string;
  revision: number | null;
  message: string;
  last_updated: string | null;
  last_inspected: string | null;
  in_definition: boolean;
}

export type OperationState = 'pending' | 'running' | 'success' | 'failed' | 'cancelled' | 'timeout';

export interface Operation {
  id: string;
  cluster_id: string;
  type: string;
  state: OperationState;
  message: string;
  created_by: string;
  retry_of: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface OperationStep {
  id: string;
  position: number;
  name: string;
  kind: string;
  state: OperationState;
  message: string;
  sends: number;
  started_at: string | null;
  finished_at: string | null;
}

export interface OperationDetail extends Operation {
  steps: OperationStep[];
}
