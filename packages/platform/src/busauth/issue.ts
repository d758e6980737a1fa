import {
  agentInboxPrefix,
  agentPermissions,
  type BusPermissions,
  PLATFORM_INBOX_PREFIX,
  platformPermissions,
} from '@mooring/bus';
import { encodeUser, fmtCreds } from '@nats-io/jwt';
import { expirySeconds, renewAt, userClaims } from './claims.ts';
import { newNativeUser } from './ed25519.ts';
import type { BusAccountSigner } from './signer.ts';

/** Credentials for one bus connection, as the platform hands them out. */
export interface BusCredentials {
  /** Secret. The text of a `.creds` file (user JWT and NKey seed): `NatsBus.connect({ creds })`. */
  creds: string;
  /** The user JWT alone (signed by the account signing key; not secret without the seed). */
  jwt: string;
  /** The user's public NKey (`U...`), the JWT's subject. */
  userPublicKey: string;
  /** The inbox prefix the connection must use (`NatsBus.connect({ inboxPrefix })`): its permissions allow no other inbox. */
  inboxPrefix: string;
  permissions: BusPermissions;
  issuedAt: Date;
  /** The server refuses the credentials from then on, and disconnects a connection using them. */
  expiresAt: Date;
  /** When to fetch new ones (two thirds of the lifetime). */
  renewAt: Date;
}

export interface IssueOptions {
  /** Lifetime in seconds (default 3600, from 60 to 7 days). */
  ttlSeconds?: number;
  /** Issue time (default: now). */
  now?: Date;
}

/** Signs a new user (a fresh NKey pair) with `permissions` for the signer's account. */
export async function issueBusCredentials(
  signer: BusAccountSigner,
  name: string,
  permissions: BusPermissions,
  inboxPrefix: string,
  opts: IssueOptions = {},
): Promise<BusCredentials> {
  const now = opts.now ?? new Date();
  const exp = expirySeconds(now, opts.ttlSeconds);
  const user = newNativeUser();
  const jwt = await encodeUser(name, user, signer.accountPublicKey, userClaims(permissions), {
    signer: signer.signingKey,
    exp,
  });
  const expiresAt = new Date(exp * 1000);
  return {
    creds: new TextDecoder().decode(fmtCreds(jwt, user)),
    jwt,
    userPublicKey: user.getPublicKey(),
    inboxPrefix,
    permissions,
    issuedAt: now,
    expiresAt,
    renewAt: renewAt(now, expiresAt),
  };
}

/** Credentials of one cluster's agent: only its own cluster's subjects (`agentPermissions`). */
export async function issueAgentCredentials(
  signer: BusAccountSigner,
  clusterId: string,
  opts: IssueOptions = {},
): Promise<BusCredentials> {
  const permissions = agentPermissions(clusterId);
  return issueBusCredentials(
    signer,
    `mooring-agent/${clusterId}`,
    permissions,
    agentInboxPrefix(clusterId),
    opts,
  );
}

/** Credentials of the platform's own connection (`platformPermissions`). */
export async function issuePlatformCredentials(
  signer: BusAccountSigner,
  opts: IssueOptions = {},
): Promise<BusCredentials> {
  return issueBusCredentials(signer, 'mooring-platform', platformPermissions(), PLATFORM_INBOX_PREFIX, opts);
}
