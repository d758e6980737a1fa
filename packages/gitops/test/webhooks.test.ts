import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseWebhook,
  signBody,
  verifySignature,
  WebhookPayloadError,
  WebhookSignatureError,
} from '../src/index.ts';

const SECRET = 'webhook-shared-secret';
const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, 'fixtures', 'webhooks', name), 'utf8');
const hmac = (body: string, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('GitHub', () => {
  const headers = (body: string, event = 'push') => ({
    'x-github-event': event,
    'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    'x-hub-signature-256': hmac(body),
    'content-type': 'application/json',
  });

  it('normalises a push', () => {
    const body = fixture('github-push.json');
    const d = parseWebhook({ headers: headers(body), body }, { secret: SECRET });
    expect(d).toEqual({
      provider: 'github',
      kind: 'push',
      event: 'push',
      deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      pushes: [
        {
          provider: 'github',
          repository: 'my-org/my-gitops-repo',
          branch: 'main',
          commit: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
          sender: 'octocat',
          deleted: false,
        },
      ],
    });
  });

  it('accepts a Headers object and a Buffer body', () => {
    const body = fixture('github-push.json');
    const d = parseWebhook(
      { headers: new Headers(headers(body)), body: Buffer.from(body) },
      { secret: SECRET },
    );
    expect(d.pushes[0]?.branch).toBe('main');
  });

  it('accepts form-encoded deliveries (signature over the raw form body)', () => {
    const body = `payload=${encodeURIComponent(fixture('github-push.json'))}`;
    const h = { ...headers(body), 'content-type': 'application/x-www-form-urlencoded' };
    expect(parseWebhook({ headers: h, body }, { secret: SECRET }).pushes[0]?.repository).toBe(
      'my-org/my-gitops-repo',
    );
  });

  it('a deleted branch reports the previous commit', () => {
    const body = fixture('github-push-branch-deleted.json');
    const p = parseWebhook({ headers: headers(body), body }, { secret: SECRET }).pushes[0];
    expect(p).toMatchObject({
      branch: 'feature/old',
      deleted: true,
      commit: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
    });
  });

  it('ignores tag pushes and other events; answers pings', () => {
    const tag = fixture('github-push-tag.json');
    expect(parseWebhook({ headers: headers(tag), body: tag }, { secret: SECRET })).toMatchObject({
      kind: 'ignored',
      pushes: [],
    });
    const ping = fixture('github-ping.json');
    expect(parseWebhook({ headers: headers(ping, 'ping'), body: ping }, { secret: SECRET })).toMatchObject({
      kind: 'ping',
    });
    expect(parseWebhook({ headers: headers(ping, 'issues'), body: ping }, { secret: SECRET }).kind).toBe(
      'ignored',
    );
  });

  const bad: [string, (body: string) => Record<string, string>][] = [
    ['missing signature', () => ({ 'x-github-event': 'push' })],
    ['wrong secret', (b) => ({ 'x-github-event': 'push', 'x-hub-signature-256': hmac(b, 'other-secret') })],
    [
      'sha1 signature only',
      (b) => ({
        'x-github-event': 'push',
        'x-hub-signature': `sha1=${createHmac('sha1', SECRET).update(b).digest('hex')}`,
      }),
    ],
    ['malformed', () => ({ 'x-github-event': 'push', 'x-hub-signature-256': 'sha256=zz' })],
    ['truncated', (b) => ({ 'x-github-event': 'push', 'x-hub-signature-256': hmac(b).slice(0, 40) })],
    [
      'body changed after signing',
      (b) => ({ 'x-github-event': 'push', 'x-hub-signature-256': hmac(`${b} `) }),
    ],
  ];
  it.each(bad)('rejects a delivery with a bad signature: %s', (_name, make) => {
    const body = fixture('github-push.json');
    expect(() => parseWebhook({ headers: make(body), body }, { secret: SECRET })).toThrow(
      WebhookSignatureError,
    );
  });

  it('refuses unsigned deliveries when no secret is configured, unless allowed', () => {
    const body = fixture('github-push.json');
    const h = { 'x-github-event': 'push' };
    expect(() => parseWebhook({ headers: h, body })).toThrow(WebhookSignatureError);
    expect(parseWebhook({ headers: h, body }, { allowUnsigned: true }).kind).toBe('push');
  });

  it('rejects malformed payloads with WebhookPayloadError', () => {
    for (const body of [
      'not json',
      '[]',
      '{"ref":"refs/heads/main"}',
      '{"ref":"refs/heads/main","after":"xyz","repository":{"full_name":"a/b"}}',
    ]) {
      expect(() =>
        parseWebhook(
          { headers: { 'x-github-event': 'push', 'x-hub-signature-256': hmac(body) }, body },
          { secret: SECRET },
        ),
      ).toThrow(WebhookPayloadError);
    }
  });
});

describe('Bitbucket Cloud', () => {
  const headers = (body: string, key = 'repo:push') => ({
    'X-Event-Key': key,
    'X-Hook-UUID': '{4bc3a2d2-9d3c-4d4b-a6ad-1e0c2b9e7a11}',
    'X-Request-UUID': '{c0a8d1e2-aaaa-bbbb-cccc-000000000001}',
    'X-Hub-Signature': hmac(body),
  });

  it('normalises repo:push: one event per branch, tags skipped, deleted branches flagged', () => {
    const body = fixture('bitbucket-cloud-repo-push.json');
    const d = parseWebhook({ headers: headers(body), body }, { secret: SECRET });
    expect(d.provider).toBe('bitbucket_cloud');
    expect(d.deliveryId).toBe('{c0a8d1e2-aaaa-bbbb-cccc-000000000001}');
    expect(d.pushes).toEqual([
      {
        provider: 'bitbucket_cloud',
        repository: 'my-workspace/my-gitops-repo',
        branch: 'main',
        commit: 'a5b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5',
        sender: 'ada',
        deleted: false,
      },
      {
        provider: 'bitbucket_cloud',
        repository: 'my-workspace/my-gitops-repo',
        branch: 'feature/gone',
        commit: '1111111111111111111111111111111111111111',
        sender: 'ada',
        deleted: true,
      },
    ]);
  });

  it('accepts unsigned deliveries only when allowed; rejects a wrong signature', () => {
    const body = fixture('bitbucket-cloud-repo-push.json');
    const { 'X-Hub-Signature': _sig, ...unsigned } = headers(body);
    expect(parseWebhook({ headers: unsigned, body }, { allowUnsigned: true }).kind).toBe('push');
    expect(() => parseWebhook({ headers: unsigned, body }, { secret: SECRET })).toThrow(
      WebhookSignatureError,
    );
    expect(() =>
      parseWebhook(
        { headers: { ...headers(body), 'X-Hub-Signature': hmac(body, 'nope') }, body },
        { secret: SECRET },
      ),
    ).toThrow(WebhookSignatureError);
  });

  it('ignores other event keys', () => {
    const body = '{}';
    expect(
      parseWebhook({ headers: headers(body, 'pullrequest:created'), body }, { secret: SECRET }).kind,
    ).toBe('ignored');
  });
});

describe('Bitbucket Data Center', () => {
  const headers = (body: string, key = 'repo:refs_changed') => ({
    'X-Event-Key': key,
    'X-Request-Id': 'b3f6e1f0-0000-4000-8000-000000000001',
    'X-Hub-Signature': hmac(body),
  });

  it('normalises repo:refs_changed to PROJECT/slug, branches only', () => {
    const body = fixture('bitbucket-dc-refs-changed.json');
    const d = parseWebhook({ headers: headers(body), body }, { secret: SECRET });
    expect(d).toMatchObject({ provider: 'bitbucket_data_center', kind: 'push', event: 'repo:refs_changed' });
    expect(d.pushes).toEqual([
      {
        provider: 'bitbucket_data_center',
        repository: 'OPS/gitops',
        branch: 'main',
        commit: '178864a7d521b6f5e720b386b2c2b0ef8563e0dc',
        sender: 'admin',
        deleted: false,
      },
    ]);
  });

  it('answers diagnostics:ping and rejects a bad signature', () => {
    const body = fixture('bitbucket-dc-ping.json');
    expect(parseWebhook({ headers: headers(body, 'diagnostics:ping'), body }, { secret: SECRET }).kind).toBe(
      'ping',
    );
    expect(() =>
      parseWebhook(
        { headers: { ...headers(body), 'X-Hub-Signature': hmac('other') }, body },
        { secret: SECRET },
      ),
    ).toThrow(WebhookSignatureError);
  });
});

describe('signatures', () => {
  it('signBody and verifySignature agree; verification is case-insensitive on hex', () => {
    const sig = signBody(SECRET, 'abc');
    expect(sig).toBe(hmac('abc'));
    expect(() =>
      verifySignature(SECRET, 'abc', sig.toUpperCase().replace('SHA256', 'sha256'), 'X'),
    ).not.toThrow();
  });

  it('a request without any provider header is a payload error', () => {
    expect(() => parseWebhook({ headers: {}, body: '{}' }, { secret: SECRET })).toThrow(WebhookPayloadError);
  });
});
