import { WebhookPayloadError, WebhookSignatureError } from './errors.ts';
import { verifySignature } from './webhookSignature.ts';

export type WebhookProvider = 'github' | 'bitbucket_cloud' | 'bitbucket_data_center';

/** One branch that moved, normalised across providers. */
export interface PushEvent {
  provider: WebhookProvider;
  /** `owner/repo` (GitHub), `workspace/repo_slug` (Bitbucket Cloud), `PROJECT/repo_slug` (Bitbucket DC). */
  repository: string;
  branch: string;
  /** The new head commit; for a deleted branch the previous one. */
  commit: string;
  /** Who pushed (login, nickname or user name), when the payload says. */
  sender: string | undefined;
  /** The branch was deleted by this push. */
  deleted: boolean;
}

/**
 * A parsed delivery. `kind` is `push` when branches moved (`pushes` holds one entry per branch;
 * tag-only pushes give `ignored`), `ping` for a connectivity test, `ignored` for other events.
 */
export interface WebhookDelivery {
  provider: WebhookProvider;
  kind: 'push' | 'ping' | 'ignored';
  /** The provider's event name (X-GitHub-Event / X-Event-Key). */
  event: string;
  /** X-GitHub-Delivery, X-Request-UUID or X-Request-Id. */
  deliveryId: string | undefined;
  pushes: PushEvent[];
  /** Why a delivery was ignored. */
  reason?: string;
}

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface WebhookRequest {
  headers: WebhookHeaders;
  /** The raw body exactly as received: the signature covers these bytes. */
  body: string | Uint8Array;
}

export interface WebhookOptions {
  /** The shared secret. When set, a valid signature is required. */
  secret?: string;
  /**
   * Accept unsigned deliveries when no secret is configured (Bitbucket Cloud and DC hooks may
   * have none). Off by default: without a secret and without this flag every delivery is refused.
   */
  allowUnsigned?: boolean;
  /** Force a provider instead of detecting it from the headers. */
  provider?: WebhookProvider;
}

/** Detects the provider from the headers, verifies the signature and normalises the payload. */
export function parseWebhook(req: WebhookRequest, opts: WebhookOptions = {}): WebhookDelivery {
  const h = headerGetter(req.headers);
  const provider = opts.provider ?? detectProvider(h);
  if (!provider)
    throw new WebhookPayloadError(
      'not a GitHub or Bitbucket webhook (no X-GitHub-Event or X-Event-Key header)',
    );
  const sigHeader = provider === 'github' ? 'X-Hub-Signature-256' : 'X-Hub-Signature';
  if (opts.secret) {
    verifySignature(opts.secret, req.body, h(sigHeader), sigHeader);
  } else if (!opts.allowUnsigned) {
    throw new WebhookSignatureError('no webhook secret configured; refusing an unverifiable delivery');
  }
  if (provider === 'github') return parseGitHub(h, req.body);
  if (provider === 'bitbucket_cloud') return parseBitbucketCloud(h, req.body);
  return parseBitbucketDc(h, req.body);
}

function detectProvider(h: (name: string) => string | undefined): WebhookProvider | undefined {
  if (h('X-GitHub-Event')) return 'github';
  const key = h('X-Event-Key');
  if (!key) return undefined;
  // Bitbucket Cloud sends X-Hook-UUID / X-Request-UUID; Data Center sends X-Request-Id
  if (h('X-Hook-UUID') || h('X-Request-UUID')) return 'bitbucket_cloud';
  if (key === 'repo:refs_changed' || key.startsWith('diagnostics:') || h('X-Request-Id'))
    return 'bitbucket_data_center';
  return 'bitbucket_cloud';
}

// ------------------------------------------------------------------ GitHub

interface GitHubPush {
  ref?: string;
  before?: string;
  after?: string;
  deleted?: boolean;
  repository?: { full_name?: string };
  head_commit?: { id?: string } | null;
  pusher?: { name?: string };
  sender?: { login?: string };
}

function parseGitHub(h: (n: string) => string | undefined, body: string | Uint8Array): WebhookDelivery {
  const event = h('X-GitHub-Event') ?? '';
  const base = { provider: 'github' as const, event, deliveryId: h('X-GitHub-Delivery'), pushes: [] };
  if (event === 'ping') return { ...base, kind: 'ping' };
  if (event !== 'push') return { ...base, kind: 'ignored', reason: `event ${event} is not a push` };
  const p = decodeJson<GitHubPush>(githubBody(h, body), 'GitHub push');
  const repository = requireString(p.repository?.full_name, 'repository.full_name');
  const ref = requireString(p.ref, 'ref');
  if (!ref.startsWith('refs/heads/')) return { ...base, kind: 'ignored', reason: `${ref} is not a branch` };
  const deleted = p.deleted === true || /^0+$/.test(p.after ?? '');
  const commit = requireSha(
    deleted ? p.before : (p.after ?? p.head_commit?.id),
    deleted ? 'before' : 'after',
  );
  return {
    ...base,
    kind: 'push',
    pushes: [
      {
        provider: 'github',
        repository,
        branch: ref.slice('refs/heads/'.length),
        commit,
        sender: p.sender?.login ?? p.pusher?.name,
        deleted,
      },
    ],
  };
}

/** GitHub sends JSON, or `payload=<urlencoded JSON>` for hooks set to application/x-www-form-urlencoded. */
function githubBody(h: (n: string) => string | undefined, body: string | Uint8Array): string {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  if ((h('Content-Type') ?? '').includes('application/x-www-form-urlencoded')) {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null)
      throw new WebhookPayloadError('form-encoded GitHub delivery without a payload field');
    return payload;
  }
  return text;
}

// ------------------------------------------------------------------ Bitbucket Cloud

interface CloudRef {
  type?: string;
  name?: string;
  target?: { hash?: string };
}
interface CloudPush {
  push?: { changes?: { new?: CloudRef | null; old?: CloudRef | null; closed?: boolean }[] };
  repository?: { full_name?: string };
  actor?: { nickname?: string; display_name?: string; username?: string };
}

function parseBitbucketCloud(
  h: (n: string) => string | undefined,
  body: string | Uint8Array,
): WebhookDelivery {
  const event = h('X-Event-Key') ?? '';
  const base = { provider: 'bitbucket_cloud' as const, event, deliveryId: h('X-Request-UUID'), pushes: [] };
  if (event === 'diagnostics:ping') return { ...base, kind: 'ping' };
  if (event !== 'repo:push') return { ...base, kind: 'ignored', reason: `event ${event} is not repo:push` };
  const p = decodeJson<CloudPush>(toText(body), 'Bitbucket Cloud repo:push');
  const repository = requireString(p.repository?.full_name, 'repository.full_name');
  const changes = p.push?.changes;
  if (!Array.isArray(changes))
    throw new WebhookPayloadError('Bitbucket Cloud repo:push without push.changes');
  const sender = p.actor?.nickname ?? p.actor?.username ?? p.actor?.display_name;
  const pushes: PushEvent[] = [];
  for (const c of changes) {
    const ref = c.new ?? c.old;
    if (ref?.type !== 'branch') continue;
    const deleted = !c.new;
    pushes.push({
      provider: 'bitbucket_cloud',
      repository,
      branch: requireString(ref.name, 'push.changes[].new.name'),
      commit: requireSha(ref.target?.hash, 'push.changes[].new.target.hash'),
      sender,
      deleted,
    });
  }
  return pushes.length > 0
    ? { ...base, kind: 'push', pushes }
    : { ...base, kind: 'ignored', reason: 'no branch changed' };
}

// ------------------------------------------------------------------ Bitbucket Data Center

interface DcPush {
  eventKey?: string;
  actor?: { name?: string; slug?: string };
  repository?: { slug?: string; project?: { key?: string } };
  changes?: {
    ref?: { id?: string; displayId?: string; type?: string };
    refId?: string;
    fromHash?: string;
    toHash?: string;
    type?: string;
  }[];
}

function parseBitbucketDc(h: (n: string) => string | undefined, body: string | Uint8Array): WebhookDelivery {
  const event = h('X-Event-Key') ?? '';
  const base = {
    provider: 'bitbucket_data_center' as const,
    event,
    deliveryId: h('X-Request-Id'),
    pushes: [],
  };
  if (event === 'diagnostics:ping') return { ...base, kind: 'ping' };
  if (event !== 'repo:refs_changed')
    return { ...base, kind: 'ignored', reason: `event ${event} is not repo:refs_changed` };
  const p = decodeJson<DcPush>(toText(body), 'Bitbucket Data Center repo:refs_changed');
  const project = requireString(p.repository?.project?.key, 'repository.project.key');
  const slug = requireString(p.repository?.slug, 'repository.slug');
  if (!Array.isArray(p.changes))
    throw new WebhookPayloadError('Bitbucket Data Center repo:refs_changed without changes');
  const sender = p.actor?.name ?? p.actor?.slug;
  const pushes: PushEvent[] = [];
  for (const c of p.changes) {
    const id = c.ref?.id ?? c.refId ?? '';
    if (c.ref?.type !== undefined ? c.ref.type !== 'BRANCH' : !id.startsWith('refs/heads/')) continue;
    const deleted = c.type === 'DELETE';
    pushes.push({
      provider: 'bitbucket_data_center',
      repository: `${project}/${slug}`,
      branch: c.ref?.displayId ?? id.replace(/^refs\/heads\//, ''),
      commit: requireSha(
        deleted ? c.fromHash : c.toHash,
        deleted ? 'changes[].fromHash' : 'changes[].toHash',
      ),
      sender,
      deleted,
    });
  }
  return pushes.length > 0
    ? { ...base, kind: 'push', pushes }
    : { ...base, kind: 'ignored', reason: 'no branch changed' };
}

// ------------------------------------------------------------------ helpers

function headerGetter(headers: WebhookHeaders): (name: string) => string | undefined {
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function') {
    const hs = headers as Headers;
    return (name) => hs.get(name) ?? undefined;
  }
  const lower = new Map<string, string>();
  for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (v !== undefined) lower.set(k.toLowerCase(), Array.isArray(v) ? (v[0] ?? '') : v);
  }
  return (name) => lower.get(name.toLowerCase());
}

function toText(body: string | Uint8Array): string {
  return typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
}

function decodeJson<T>(text: string, what: string): T {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new WebhookPayloadError(`${what} payload is not JSON`, { cause: e });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new WebhookPayloadError(`${what} payload is not an object`);
  return v as T;
}

function requireString(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') throw new WebhookPayloadError(`payload field ${field} is missing`);
  return v;
}

function requireSha(v: unknown, field: string): string {
  const s = requireString(v, field);
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(s))
    throw new WebhookPayloadError(`payload field ${field} is not a commit SHA`);
  return s.toLowerCase();
}
