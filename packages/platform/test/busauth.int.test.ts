import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BusPermissionError,
  type CommandEnvelope,
  commandSubject,
  HEARTBEAT_SUBJECTS,
  heartbeatSubject,
  NatsBus,
  RESULT_SUBJECTS,
  resultSubject,
} from '@mooring/bus';
import { type NatsOperatorServer, startNatsOperator } from '@mooring/testkit';
import { jetstream } from '@nats-io/jetstream';
import { createAccount } from '@nats-io/nkeys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BusAccountSigner,
  type BusCredentials,
  busAccountSigner,
  issueAgentCredentials,
  issuePlatformCredentials,
} from '../src/busauth/index.ts';

const A = 'cluster-a';
const B = 'cluster-b';

let workDir: string;
let server: NatsOperatorServer;
let signer: BusAccountSigner;
let platform: NatsBus;
const open: NatsBus[] = [];

const heartbeat = (clusterId: string) => ({
  cluster_id: clusterId,
  last_sweep_at: new Date().toISOString(),
  sweep_duration_seconds: 0.5,
  addons_inspected: 3,
});
let n = 0;
const command = (clusterId: string): CommandEnvelope => ({
  id: `cmd-${++n}-${Math.random().toString(36).slice(2, 8)}`,
  kind: 'sweep',
  cluster_id: clusterId,
  issued_at: new Date().toISOString(),
  payload: {},
});

/** An agent connection as the agent makes it: the creds and the inbox prefix from the platform. */
async function connectAgent(creds: BusCredentials, errors: unknown[] = []): Promise<NatsBus> {
  const bus = await NatsBus.connect({
    servers: server.url,
    name: 'busauth-test-agent',
    creds: creds.creds,
    inboxPrefix: creds.inboxPrefix,
    onError: (e) => errors.push(e),
  });
  open.push(bus);
  return bus;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'mooring-busauth-'));
  server = await startNatsOperator(workDir);
  signer = busAccountSigner(server.account.publicKey, server.account.signingKeySeed);
  const creds = await issuePlatformCredentials(signer);
  platform = await NatsBus.connect({
    servers: server.url,
    name: 'busauth-test-platform',
    creds: creds.creds,
    inboxPrefix: creds.inboxPrefix,
  });
  // the platform creates each cluster's consumer before handing out the agent's credentials
  await platform.prepareCommands(A);
  await platform.prepareCommands(B);
});

afterAll(async () => {
  for (const bus of open) await bus.close().catch(() => {});
  await platform?.close().catch(() => {});
  await server?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('bus credentials of one cluster (operator mode, real nats-server)', () => {
  it('let the agent publish its heartbeat and results to the platform', async () => {
    const agent = await connectAgent(await issueAgentCredentials(signer, A));
    const seen: string[] = [];
    const unsubs = [
      await platform.subscribe(HEARTBEAT_SUBJECTS, (m) => void seen.push(m.subject)),
      await platform.subscribe(RESULT_SUBJECTS, (m) => void seen.push(m.subject), {
        schema: undefined,
      }),
    ];
    await agent.publish(heartbeatSubject(A), heartbeat(A));
    await agent.publish(resultSubject(A), { cluster_id: A, command_id: 'c1', ok: true });
    await expect.poll(() => seen.sort()).toEqual([resultSubject(A), heartbeatSubject(A)].sort());
    for (const u of unsubs) await u();
  });

  it('let the agent take, keep and acknowledge its own commands', async () => {
    const agent = await connectAgent(await issueAgentCredentials(signer, A));
    const sent = command(A);
    await platform.commands(A).send(sent);
    const got = await agent.commands(A).next({ timeoutMs: 5000 });
    expect(got?.command).toEqual(sent);
    await got?.working();
    await got?.ack();
    expect(await agent.commands(A).next({ timeoutMs: 1000 })).toBeNull();

    // the consume loop works the same way
    const handled: string[] = [];
    const consumer = agent.commands(A).consume((c) => void handled.push(c.command.id));
    const second = command(A);
    await platform.commands(A).send(second);
    await expect.poll(() => handled, { timeout: 10_000 }).toEqual([second.id]);
    await consumer.stop();
  });

  it("refuse publishing on another cluster's subjects: the server reports a permissions violation", async () => {
    const errors: unknown[] = [];
    const agent = await connectAgent(await issueAgentCredentials(signer, A), errors);
    const seen: unknown[] = [];
    const unsub = await platform.subscribe(HEARTBEAT_SUBJECTS, (m) => void seen.push(m.data));

    await agent.publish(heartbeatSubject(B), heartbeat(B));
    await agent.publish(resultSubject(B), { cluster_id: B, command_id: 'c1', ok: true });
    await agent.nc.flush();
    await expect.poll(() => errors.length).toBe(2);
    expect(errors[0]).toBeInstanceOf(BusPermissionError);
    expect(errors).toMatchObject([
      { operation: 'publish', subject: heartbeatSubject(B) },
      { operation: 'publish', subject: resultSubject(B) },
    ]);
    expect(String((errors[0] as Error).cause)).toMatch(/Permissions Violation for Publish/);

    // nor send commands, to itself or to others
    await expect(agent.commands(B).send(command(B))).rejects.toBeInstanceOf(BusPermissionError);
    await expect(jetstream(agent.nc).publish(commandSubject(A), '{}')).rejects.toThrow(
      `Permissions Violation for Publish to "${commandSubject(A)}"`,
    );

    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([]);
    await unsub();
  });

  it("refuse subscribing to another cluster's subjects, or to every cluster's", async () => {
    const agent = await connectAgent(await issueAgentCredentials(signer, A));
    for (const pattern of [
      heartbeatSubject(B),
      HEARTBEAT_SUBJECTS,
      commandSubject(B),
      commandSubject(A),
      RESULT_SUBJECTS,
      '_INBOX.>',
      '_INBOX.agent.cluster-b.>',
      '>',
    ]) {
      const e = await agent
        .subscribe(pattern, () => {})
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(e, pattern).toBeInstanceOf(BusPermissionError);
      expect(e).toMatchObject({ operation: 'subscribe', subject: pattern });
      expect(String((e as Error).cause)).toMatch(/Permissions Violation for Subscription/);
    }
  });

  it("refuse reading another cluster's durable consumer; its commands stay for it", async () => {
    const errors: unknown[] = [];
    const agentA = await connectAgent(await issueAgentCredentials(signer, A), errors);
    const forB = command(B);
    await platform.commands(B).send(forB);

    await expect(agentA.commands(B).next({ timeoutMs: 1000 })).rejects.toMatchObject({
      name: 'BusPermissionError',
      operation: 'publish',
      subject: '$JS.API.CONSUMER.INFO.MOORING_COMMANDS.agent-cluster-b',
    });
    await expect
      .poll(() => errors.map((e) => (e as BusPermissionError).subject))
      .toContain('$JS.API.CONSUMER.INFO.MOORING_COMMANDS.agent-cluster-b');

    // straight at the JetStream API: pull, create a consumer of its own name on B's subject
    errors.length = 0;
    agentA.nc.publish('$JS.API.CONSUMER.MSG.NEXT.MOORING_COMMANDS.agent-cluster-b', '{"batch":1}');
    agentA.nc.publish(
      `$JS.API.CONSUMER.CREATE.MOORING_COMMANDS.agent-cluster-a.${commandSubject(B)}`,
      JSON.stringify({ stream_name: 'MOORING_COMMANDS', config: { filter_subject: commandSubject(B) } }),
    );
    agentA.nc.publish('$JS.API.STREAM.INFO.MOORING_COMMANDS', '');
    await agentA.nc.flush();
    await expect.poll(() => errors.length).toBe(3);
    expect(errors.every((e) => e instanceof BusPermissionError)).toBe(true);

    const agentB = await connectAgent(await issueAgentCredentials(signer, B));
    const got = await agentB.commands(B).next({ timeoutMs: 5000 });
    expect(got?.command).toEqual(forB);
    expect(got?.deliveryCount).toBe(1);
    await got?.ack();
  });

  it('need the inbox prefix they were issued with', async () => {
    const creds = await issueAgentCredentials(signer, A);
    const bus = await NatsBus.connect({ servers: server.url, creds: creds.creds, onError: () => {} });
    open.push(bus);
    // the replies would come to `_INBOX.…`, which it may not subscribe to
    await expect(bus.commands(A).next({ timeoutMs: 1000 })).rejects.toMatchObject({
      name: 'BusPermissionError',
      operation: 'subscribe',
    });
  });

  it('are refused at connect once expired', async () => {
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    const expired = await issueAgentCredentials(signer, A, { now: twoHoursAgo, ttlSeconds: 3600 });
    expect(expired.expiresAt.getTime()).toBeLessThan(Date.now());
    await expect(
      NatsBus.connect({ servers: server.url, creds: expired.creds, inboxPrefix: expired.inboxPrefix }),
    ).rejects.toThrow(/Authorization Violation/);
  });

  it('are refused when signed by a key that is not one of the account', async () => {
    const stranger = busAccountSigner(
      server.account.publicKey,
      new TextDecoder().decode(createAccount().getSeed()),
    );
    const forged = await issueAgentCredentials(stranger, A);
    await expect(
      NatsBus.connect({ servers: server.url, creds: forged.creds, inboxPrefix: forged.inboxPrefix }),
    ).rejects.toThrow(/Authorization Violation/i);
  });
});
