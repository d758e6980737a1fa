import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { Kysely } from 'kysely';
import pino from 'pino';
import { bootstrap, type FirstCredentials } from '../../src/auth/bootstrap.ts';
import type { Role, Scope } from '../../src/auth/roles.ts';
import { loadConfig, type PlatformConfig } from '../../src/config.ts';
import { createDialect, type DatabaseTarget } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import type { Database, Tables } from '../../src/db/types.ts';
import { REDACTED_PATHS } from '../../src/logger.ts';
import { buildServer, type Server, type ServerParts } from '../../src/server.ts';
import { type Fault, faultyDialect } from './faultyDialect.ts';

/** How a suite reaches its database: the target, and how to make it unreachable. */
export interface DatabaseUnderTest {
  target: DatabaseTarget;
  /** A fault switch outside the process (the kit's TCP proxy); absent: the dialect wrapper is used. */
  fault?: Fault;
  cleanup?(): Promise<void>;
}

export interface Harness {
  app: FastifyInstance;
  server: Server;
  db: Database;
  config: PlatformConfig;
  owner: FirstCredentials;
  /** Bearer tokens (API tokens with every scope) of one user per role; `owner` is the first owner. */
  tokens: Record<Role, string>;
  userIds: Record<Role, string>;
  fault: Fault;
  /** Moves the platform's clock forward. */
  advance(seconds: number): void;
  /** The platform's clock now. */
  now(): Date;
  /** Every log line written so far. */
  logs(): string;
  request(o: InjectOptions & { token?: string }): Promise<LightMyRequestResponse>;
  /** A fresh API token for the user of `role`. */
  tokenFor(role: Role, scopes?: Scope[]): Promise<string>;
  close(): Promise<void>;
}

export const PUBLIC_URL = 'https://mooring.example.test';

export async function createHarness(
  under: DatabaseUnderTest,
  env: Record<string, string> = {},
  parts: Partial<Pick<ServerParts, 'gitops' | 'clusterHooks'>> = {},
): Promise<Harness> {
  const lines: string[] = [];
  const logger = pino(
    { level: 'debug', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const config = loadConfig({
    MOORING_PUBLIC_URL: PUBLIC_URL,
    MOORING_LOGIN_RATE_LIMIT_MAX: '5',
    MOORING_AGENT_CHART: 'oci://registry.example.test/charts/mooring-agent',
    ...env,
  });
  const wrapped = faultyDialect(await createDialect(under.target, logger));
  const db = new Kysely<Tables>({ dialect: wrapped.dialect });
  const fault = under.fault ?? wrapped.fault;
  await migrateToLatest(db, logger);
  const owner = await bootstrap(db);
  if (!owner) throw new Error('the harness needs an empty database');
  let offset = 0;
  const server = await buildServer({
    config,
    db,
    logger,
    clock: () => new Date(Date.now() + offset),
    ...parts,
  });
  await server.app.ready();
  const ownerRow = await db
    .selectFrom('users')
    .selectAll()
    .where('username', '=', owner.username)
    .executeTakeFirstOrThrow();
  const ownerPrincipal = await (async () => {
    const s = await server.services.auth.login(owner.username, owner.password);
    const p = await server.services.auth.authenticate(s.token);
    if (!p) throw new Error('owner session does not authenticate');
    return p;
  })();
  const userIds = { owner: ownerRow.id } as Record<Role, string>;
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    const u = await server.services.users.create(ownerPrincipal, {
      username: `${role}-user`,
      password: `${role}-password-1234`,
      role,
    });
    userIds[role] = u.id;
  }
  const tokenFor = async (role: Role, scopes: Scope[] = ['read', 'write', 'admin']) => {
    const user = await db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', userIds[role])
      .executeTakeFirstOrThrow();
    const { secret } = await server.services.auth.createToken(
      {
        ...ownerPrincipal,
        userId: user.id,
        username: user.username,
        role: user.role as Role,
        userRole: user.role as Role,
        tokenKind: 'session',
      },
      { name: `test ${role}`, scopes },
    );
    return secret;
  };
  const tokens = {} as Record<Role, string>;
  for (const role of ['viewer', 'operator', 'admin', 'owner'] as const) tokens[role] = await tokenFor(role);
  return {
    app: server.app,
    server,
    db,
    config,
    owner,
    tokens,
    userIds,
    fault,
    advance: (s) => {
      offset += s * 1000;
    },
    now: () => new Date(Date.now() + offset),
    logs: () => lines.join(''),
    request: ({ token, ...o }) =>
      server.app.inject({
        ...o,
        headers: { ...(o.headers ?? {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      }),
    tokenFor,
    close: async () => {
      await server.app.close();
      await db.destroy();
      await under.cleanup?.();
    },
  };
}
