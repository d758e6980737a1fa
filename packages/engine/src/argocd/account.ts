import { CoreApi, type KubeConfig } from '@mooring/kube';
import { ArgoCdApiError, ArgoCdClient } from './client.ts';

/** The local account Mooring's agent uses in Argo CD. */
export const MOORING_ACCOUNT = 'mooring';

/** The `argocd-rbac-cm` policy line that lets the account manage Applications and its own tokens. */
export function policyLine(account = MOORING_ACCOUNT): string {
  return `g, ${account}, role:admin`;
}

/**
 * Declares the local account in Argo CD's config (pure decision over the two
 * ConfigMaps' data): `accounts.<name>: apiKey` in argocd-cm, the policy line in
 * argocd-rbac-cm's policy.csv. Returns the data to write, or undefined when nothing changes.
 */
export function accountConfig(
  cm: Record<string, string> | undefined,
  rbac: Record<string, string> | undefined,
  account = MOORING_ACCOUNT,
): { cm?: Record<string, string>; rbac?: Record<string, string> } {
  const out: { cm?: Record<string, string>; rbac?: Record<string, string> } = {};
  const key = `accounts.${account}`;
  const caps = (cm?.[key] ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  if (!caps.includes('apiKey')) out.cm = { ...cm, [key]: [...caps, 'apiKey'].join(', ') };
  const policy = rbac?.['policy.csv'] ?? '';
  const line = policyLine(account);
  if (!policy.split('\n').some((l) => l.replace(/\s+/g, ' ').trim() === line))
    out.rbac = { ...rbac, 'policy.csv': `${policy}${policy && !policy.endsWith('\n') ? '\n' : ''}${line}\n` };
  return out;
}

/** Writes the account into argocd-cm and argocd-rbac-cm when it is not there; says what changed. */
export async function ensureAccount(
  kc: KubeConfig,
  namespace: string,
  account = MOORING_ACCOUNT,
): Promise<string[]> {
  const core = new CoreApi(kc);
  const read = (name: string) => core.readNamespacedConfigMap({ name, namespace }).catch(() => undefined);
  const [cm, rbac] = await Promise.all([read('argocd-cm'), read('argocd-rbac-cm')]);
  if (!cm) throw new Error(`no ConfigMap argocd-cm in namespace ${namespace}: is Argo CD installed there?`);
  const want = accountConfig(cm.data, rbac?.data, account);
  const changed: string[] = [];
  if (want.cm) {
    await core.patchNamespacedConfigMap({
      name: 'argocd-cm',
      namespace,
      body: [{ op: 'add', path: '/data', value: want.cm }],
    });
    changed.push(`argocd-cm accounts.${account}: apiKey`);
  }
  if (want.rbac) {
    if (rbac)
      await core.patchNamespacedConfigMap({
        name: 'argocd-rbac-cm',
        namespace,
        body: [{ op: 'add', path: '/data', value: want.rbac }],
      });
    else
      await core.createNamespacedConfigMap({
        namespace,
        body: {
          metadata: {
            name: 'argocd-rbac-cm',
            namespace,
            labels: { 'app.kubernetes.io/name': 'argocd-rbac-cm', 'app.kubernetes.io/part-of': 'argocd' },
          },
          data: want.rbac,
        },
      });
    changed.push(`argocd-rbac-cm policy.csv: ${policyLine(account)}`);
  }
  return changed;
}

/** The id (`jti`) of an Argo CD API token, read from its JWT payload without verifying it. */
export function tokenId(token: string): string | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    return (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { jti?: string }).jti;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Creates an API token for the account with admin credentials (given once at
 * setup, never kept): logs in, then asks for the token, retrying while Argo CD
 * has not yet read the account from argocd-cm.
 */
export async function issueToken(
  url: string,
  admin: { username: string; password: string },
  o: { account?: string; id?: string; timeoutMs?: number } = {},
): Promise<{ token: string; id: string }> {
  const account = o.account ?? MOORING_ACCOUNT;
  const id = o.id ?? `mooring-${Date.now().toString(36)}`;
  const client = new ArgoCdClient({ url, token: '' });
  client.setToken(await client.login(admin.username, admin.password));
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  for (;;) {
    try {
      return { token: await client.createToken(account, id), id };
    } catch (e) {
      // the server reads argocd-cm through a watch: a new account appears within a moment
      if (Date.now() > deadline || !(e instanceof ArgoCdApiError) || (e.status >= 500 && e.status !== 503))
        throw e;
      await sleep(500);
    }
  }
}

/**
 * Replaces the token a client uses with a new one of the same account and
 * revokes the old one; the client uses the new token from then on.
 */
export async function rotateToken(
  client: ArgoCdClient,
  currentToken: string,
  account = MOORING_ACCOUNT,
): Promise<{ token: string; id: string; revoked?: string }> {
  const id = `mooring-${Date.now().toString(36)}`;
  const token = await client.createToken(account, id);
  const old = tokenId(currentToken);
  client.setToken(token);
  if (old) await client.deleteToken(account, old);
  return { token, id, ...(old ? { revoked: old } : {}) };
}

/** Revokes the token a client uses (it cannot be used again). */
export async function revokeToken(
  client: ArgoCdClient,
  token: string,
  account = MOORING_ACCOUNT,
): Promise<string | undefined> {
  const id = tokenId(token);
  if (id) await client.deleteToken(account, id);
  return id;
}
