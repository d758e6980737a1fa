export {
  type Condition,
  type ConfigMap,
  CoreApi,
  type CustomResourceDefinition,
  type EndpointSlice,
  type Obj,
  type ObjectMeta,
  type Secret,
  type Service,
} from './coreApi.ts';
export { type Credentials, credentialsOf, ExecCredentialError, parseExecCredential } from './credentials.ts';
export { type ApiResource, discoverResource, groupVersionPath, resourcePath } from './discovery.ts';
export { errorCode, KubeApiError, type KubeStatus, statusBody } from './errors.ts';
export {
  type Cluster,
  type Context,
  type ExecConfig,
  KubeConfig,
  type KubeConfigOptions,
  parseKubeConfig,
  SERVICE_ACCOUNT_DIR,
  type User,
} from './kubeConfig.ts';
export {
  type DeleteOptions,
  type ListOptions,
  ObjectApi,
  type ObjectList,
  type ObjectRef,
  PATCH_CONTENT_TYPES,
  type PatchOptions,
  type PatchStrategy,
  type WriteOptions,
} from './objectApi.ts';
export {
  type KubeRequest,
  kubeRequest,
  kubeSend,
  kubeStream,
  type Query,
  readBody,
  withQuery,
} from './transport.ts';
export { LineSplitter, Watch, type WatchPhase } from './watch.ts';
