import {
  ArgoCdClient,
  type ArgoCdEngine,
  type EngineContext,
  ensureAccount,
  issueToken,
  revokeToken,
  rotateToken,
  tokenId,
} from '@mooring/engine';
import { z } from 'zod';
import { payloadIssues } from './commands.ts';
import type { AgentConfig } from './config.ts';
import type { Logger } from './logger.ts';

/** The requests that connect, rotate and disconnect the cluster's Argo CD. */
export const ARGOCD_CONNECT = 'argocd.connect';
export const ARGOCD_ROTATE = 'argocd.rotate';
export const ARGOCD_DISCONNECT = 'argocd.disconnect';

const DELETION = ['foreground', 'background', 'non-cascading'] as const;

/** `argocd.connect`: where Argo CD is, and admin credentials used once to make the account's token (never kept). */
export const connectPayloadSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  namespace: z.string().min(1).max(63).default('argocd'),
  username: z.string().min(1).max(253),
  password: z.string().min(1).max(1024),
  deletion: z.enum(DELETION).default('foreground'),
});

/** `argocd.connect` with a token the platform stored: no admin credentials needed. */
export const resumePayloadSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  namespace: z.string().min(1).max(63).default('argocd'),
  token: z.string().min(1),
  deletion: z.enum(DELETION).default('foreground'),
});

/** The Argo CD connection from the agent's settings (`MOORING_ARGOCD_*`), if one is configured. */
export function argocdFromConfig(config: AgentConfig): ArgoCdEngine | undefined {
  if (!config.argocdUrl) return undefined;
  return {
    client: new ArgoCdClient({ url: config.argocdUrl, token: config.argocdToken ?? '' }),
    namespace: config.argocdNamespace,
    deletion: config.argocdDeletion,
  };
}

/**
 * Answers the platform's Argo CD requests. `argocd.connect` with admin
 * credentials declares the `mooring` local account (argocd-cm, argocd-rbac-cm),
 * creates its API token and answers it once (the platform stores it encrypted);
 * with a stored `token` it only connects. `argocd.rotate` makes a new token and
 * revokes the old one; `argocd.disconnect` revokes the token and forgets Argo CD.
 * Admin credentials and tokens are never logged.
 */
export function argocdHandlers(
  engine: EngineContext,
  logger: Logger,
): Record<string, (data: unknown) => Promise<object>> {
  let token = '';
  return {
    [ARGOCD_CONNECT]: async (data) => {
      const stored = resumePayloadSchema.safeParse(data);
      if (stored.success) {
        const client = new ArgoCdClient({ url: stored.data.url, token: stored.data.token });
        await client.account('mooring');
        token = stored.data.token;
        engine.argocd = { client, namespace: stored.data.namespace, deletion: stored.data.deletion };
        logger.info(
          { url: stored.data.url, token_id: tokenId(token) },
          'Argo CD connected with the stored token',
        );
        return { connected: true, token_id: tokenId(token) };
      }
      const p = connectPayloadSchema.safeParse(data);
      if (!p.success)
        return { error: `invalid argocd.connect request: ${payloadIssues(p.error).join('; ')}` };
      const changed = await ensureAccount(engine.kc, p.data.namespace);
      const issued = await issueToken(p.data.url, { username: p.data.username, password: p.data.password });
      token = issued.token;
      engine.argocd = {
        client: new ArgoCdClient({ url: p.data.url, token }),
        namespace: p.data.namespace,
        deletion: p.data.deletion,
      };
      logger.info(
        { url: p.data.url, token_id: issued.id, changed },
        'Argo CD connected: account token created',
      );
      return { connected: true, account: 'mooring', token: issued.token, token_id: issued.id, changed };
    },
    [ARGOCD_ROTATE]: async () => {
      const argo = engine.argocd;
      if (!argo || !token) return { error: 'Argo CD is not connected' };
      const r = await rotateToken(argo.client, token);
      token = r.token;
      logger.info({ token_id: r.id, revoked: r.revoked }, 'Argo CD token rotated');
      return { token: r.token, token_id: r.id, ...(r.revoked ? { revoked: r.revoked } : {}) };
    },
    [ARGOCD_DISCONNECT]: async () => {
      const argo = engine.argocd;
      if (!argo || !token) return { error: 'Argo CD is not connected' };
      const revoked = await revokeToken(argo.client, token);
      token = '';
      engine.argocd = undefined;
      logger.info({ revoked }, 'Argo CD disconnected: token revoked');
      return { disconnected: true, ...(revoked ? { revoked } : {}) };
    },
  };
}
