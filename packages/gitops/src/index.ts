export {
  type BitbucketCloudAuth,
  BitbucketCloudReader,
  type BitbucketCloudReaderOptions,
  type BitbucketOAuthTokens,
} from './bitbucketCloud.ts';
export { type BitbucketDcAuth, BitbucketDcReader, type BitbucketDcReaderOptions } from './bitbucketDc.ts';
export {
  ENCRYPT_MARKER,
  leafKeyRegex,
  type MarkResult,
  markEncryptedPaths,
  parseEncryptedPath,
} from './encryptedPaths.ts';
export * from './errors.ts';
export { classifyGitFailure, type GitAuth, type GitRunOptions, type GitRunResult, runGit } from './git.ts';
export {
  GitCache,
  type GitCacheOptions,
  type GitFetchRequest,
  type GitFetchResult,
  GitRepoReader,
} from './gitCache.ts';
export { GitHubReader, type GitHubReaderOptions } from './github.ts';
export { ApiClient, type ApiClientOptions, type ApiRequest, encodePath, type FetchFn } from './http.ts';
export { findRepoRoot, LocalFileSource } from './localFiles.ts';
export { REDACTED, Redactor, redact, truncate } from './redact.ts';
export {
  allFiles,
  atCommit,
  type CommitFiles,
  joinRepoPath,
  normaliseRepoPath,
  type RepoEntry,
  type RepoEntryType,
  type RepoReader,
  readAllFiles,
  walkFiles,
} from './repoReader.ts';
export {
  type EncryptOptions,
  type EncryptResult,
  formatFromPath,
  isSopsEncrypted,
  Sops,
  type SopsFormat,
  type SopsOptions,
} from './sops.ts';
export { TreeReader } from './treeReader.ts';
export { signBody, verifySignature } from './webhookSignature.ts';
export {
  type PushEvent,
  parseWebhook,
  type WebhookDelivery,
  type WebhookHeaders,
  type WebhookOptions,
  type WebhookProvider,
  type WebhookRequest,
} from './webhooks.ts';
