export * from './errors.ts';
export { Redactor, redact, REDACTED, truncate } from './redact.ts';
export { runGit, classifyGitFailure, type GitAuth, type GitRunOptions, type GitRunResult } from './git.ts';
export {
  GitCache,
  GitRepoReader,
  type GitCacheOptions,
  type GitFetchRequest,
  type GitFetchResult,
} from './gitCache.ts';
export {
  atCommit,
  walkFiles,
  normaliseRepoPath,
  joinRepoPath,
  type CommitFiles,
  type RepoEntry,
  type RepoEntryType,
  type RepoReader,
} from './repoReader.ts';
export { TreeReader } from './treeReader.ts';
export { findRepoRoot, LocalFileSource } from './localFiles.ts';
