import { encodeAccount, encodeOperator, encodeUser, fmtCreds } from '@nats-io/jwt';
import { createAccount, createOperator, createUser } from '@nats-io/nkeys';
import { baseNatsConfig, type NatsServer, runNatsServer } from './nats.ts';

/** One account of an operator-mode server. */
export interface NatsAccountKeys {
  publicKey: string;
  /** The account JWT the server preloads. */
  jwt: string;
}

export interface NatsOperatorServer extends NatsServer {
  operator: { publicKey: string; jwt: string };
  /**
   * The system account (`SYS`): the server's own, no JetStream. `userCreds` (secret) is
   * a user of it that may ask every server about connections and disconnect one.
   */
  system: NatsAccountKeys & { userCreds: string };
  /** The Mooring account, JetStream enabled. Users are issued with its signing key, not its identity key. */
  account: NatsAccountKeys & {
    /** Secret. The seed (`SA...`) of the account's signing key: what the platform holds to issue user JWTs. */
    signingKeySeed: string;
    signingKeyPublic: string;
  };
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/**
 * nats-server in operator (decentralized JWT) mode: a fresh operator, its system account
 * and a Mooring account with JetStream and one signing key, preloaded with
 * `resolver: MEMORY`. It accepts only users whose JWT a key of the Mooring account
 * signed (the platform's `busauth` issues them); every key is generated here, per run.
 */
export async function startNatsOperator(workDir: string): Promise<NatsOperatorServer> {
  const operatorKey = createOperator();
  const systemKey = createAccount();
  const accountKey = createAccount();
  const signingKey = createAccount();
  const operatorPublic = operatorKey.getPublicKey();
  const systemPublic = systemKey.getPublicKey();
  const accountPublic = accountKey.getPublicKey();
  const signingPublic = signingKey.getPublicKey();

  const operatorJwt = await encodeOperator('mooring-kit', operatorKey, { system_account: systemPublic });
  // without limits the account admits no connection: its users query and disconnect clients
  const systemJwt = await encodeAccount(
    'SYS',
    systemPublic,
    {
      limits: {
        subs: -1,
        data: -1,
        payload: -1,
        imports: -1,
        exports: -1,
        wildcards: true,
        conn: -1,
        leaf: -1,
      },
    },
    { signer: operatorKey },
  );
  const accountJwt = await encodeAccount(
    'MOORING',
    accountPublic,
    {
      signing_keys: [signingPublic],
      limits: {
        subs: -1,
        data: -1,
        payload: -1,
        imports: -1,
        exports: -1,
        wildcards: true,
        conn: -1,
        leaf: -1,
        // JetStream is enabled for an account by giving it storage
        mem_storage: -1,
        disk_storage: -1,
        streams: -1,
        consumer: -1,
      },
    },
    { signer: operatorKey },
  );

  const server = await runNatsServer(workDir, 'nats-server-operator', (p) =>
    [
      baseNatsConfig('mooring-kit-operator', p),
      `operator: ${JSON.stringify(operatorJwt)}`,
      `system_account: ${JSON.stringify(systemPublic)}`,
      'resolver: MEMORY',
      'resolver_preload: {',
      `  ${systemPublic}: ${JSON.stringify(systemJwt)}`,
      `  ${accountPublic}: ${JSON.stringify(accountJwt)}`,
      '}',
      '',
    ].join('\n'),
  );
  const systemUser = createUser();
  const systemUserJwt = await encodeUser('mooring-kit-system', systemUser, systemKey);
  return {
    ...server,
    operator: { publicKey: operatorPublic, jwt: operatorJwt },
    system: {
      publicKey: systemPublic,
      jwt: systemJwt,
      userCreds: text(fmtCreds(systemUserJwt, systemUser)),
    },
    account: {
      publicKey: accountPublic,
      jwt: accountJwt,
      signingKeySeed: text(signingKey.getSeed()),
      signingKeyPublic: signingPublic,
    },
  };
}
