import { createAccount } from '@nats-io/nkeys';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../src/config.ts';

const account = createAccount().getPublicKey();
const seed = new TextDecoder().decode(createAccount().getSeed());
const creds = '-----BEGIN NATS USER JWT-----\neyJ0eXAi\n------END NATS USER JWT------\n';

describe('NATS settings', () => {
  it('are absent without MOORING_NATS_URL (the embedded bus)', () => {
    expect(loadConfig({}).nats).toBeUndefined();
    expect(describeConfig(loadConfig({})).bus).toEqual({ kind: 'in-process' });
  });

  it('read the servers, the account and its signing key; agents get the same servers by default', () => {
    const c = loadConfig({
      MOORING_NATS_URL: 'nats://a:4222, nats://b:4222',
      MOORING_NATS_ACCOUNT: account,
      MOORING_NATS_ACCOUNT_SIGNING_KEY_SEED: seed,
      MOORING_NATS_SYSTEM_CREDS: creds,
    });
    expect(c.nats).toEqual({
      servers: ['nats://a:4222', 'nats://b:4222'],
      agentServers: ['nats://a:4222', 'nats://b:4222'],
      accountPublicKey: account,
      accountSigningKeySeed: seed,
      systemCreds: creds,
      credentialsTtlSeconds: 3600,
      commandReplicas: 1,
    });
    expect(
      loadConfig({
        MOORING_NATS_URL: 'nats://a:4222',
        MOORING_NATS_ACCOUNT: account,
        MOORING_NATS_ACCOUNT_SIGNING_KEY_SEED: seed,
        MOORING_NATS_COMMAND_REPLICAS: '3',
      }).nats?.commandReplicas,
    ).toBe(3);
    const text = JSON.stringify(describeConfig(c));
    expect(text).not.toContain(seed);
    expect(text).not.toContain('eyJ0eXAi');
  });

  it('require the account and the seed with a NATS URL, and never quote the seed', () => {
    try {
      loadConfig({ MOORING_NATS_URL: 'nats://a:4222', MOORING_NATS_ACCOUNT_SIGNING_KEY_SEED: `${seed}x` });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const err = e as ConfigError;
      expect(err.issues.map((i) => i.variable).sort()).toEqual(['MOORING_NATS_ACCOUNT_SIGNING_KEY_SEED']);
      expect(err.message).not.toContain(seed);
    }
    expect(() => loadConfig({ MOORING_NATS_URL: 'nats://a:4222' })).toThrow(/MOORING_NATS_ACCOUNT/);
    expect(() => loadConfig({ MOORING_NATS_URL: 'http://a' })).toThrow(/MOORING_NATS_URL/);
  });
});
