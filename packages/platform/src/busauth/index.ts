export {
  DEFAULT_BUS_CREDENTIALS_TTL_SECONDS,
  expirySeconds,
  MAX_BUS_CREDENTIALS_TTL_SECONDS,
  MIN_BUS_CREDENTIALS_TTL_SECONDS,
  renewAt,
  userClaims,
} from './claims.ts';
export { BusAuthError } from './errors.ts';
export {
  type BusCredentials,
  type IssueOptions,
  issueAgentCredentials,
  issueBusCredentials,
  issuePlatformCredentials,
} from './issue.ts';
export { type BusAccountSigner, busAccountSigner } from './signer.ts';
