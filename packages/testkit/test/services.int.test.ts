import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const kit = inject('kit');

describe('kit services', () => {
  it('NATS: request/reply and a JetStream publish/consume round trip', async () => {
    const nc = await connect({ servers: kit.natsUrl! });
    try {
      const sub = nc.subscribe('kit.echo');
      (async () => {
        for await (const m of sub) m.respond(new TextEncoder().encode(`echo:${m.string()}`));
      })();
      const reply = await nc.request('kit.echo', 'hello', { timeout: 2000 });
      expect(reply.string()).toBe('echo:hello');

      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'KIT', subjects: ['kit.js.>'] });
      const js = jetstream(nc);
      const ack = await js.publish('kit.js.one', 'durable');
      expect(ack.seq).toBe(1);
      await jsm.consumers.add('KIT', { durable_name: 'reader', ack_policy: 'explicit' });
      const consumer = await js.consumers.get('KIT', 'reader');
      const msg = await consumer.next({ expires: 2000 });
      expect(msg?.string()).toBe('durable');
      msg?.ack();
    } finally {
      await nc.close();
    }
  });

  it('PostgreSQL: a query', async () => {
    const client = new pg.Client({ connectionString: kit.postgresUrl });
    await client.connect();
    try {
      const r = await client.query<{ sum: number; v: string }>('select 1 + 41 as sum, version() as v');
      expect(r.rows[0]?.sum).toBe(42);
      expect(r.rows[0]?.v).toMatch(/^PostgreSQL/);
    } finally {
      await client.end();
    }
  });

  it('Git: push to and clone from the HTTP Git server', async () => {
    const url = `${kit.gitUrl}/kit-clone.git`;
    await run('git', ['init', '--bare', '--initial-branch=main', '-q', join(kit.gitRoot!, 'kit-clone.git')]);
    await run('git', ['-C', join(kit.gitRoot!, 'kit-clone.git'), 'config', 'http.receivepack', 'true']);
    const work = mkdtempSync(join(tmpdir(), 'kit-git-'));
    const src = join(work, 'src');
    const gitEnv = {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@x',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@x',
    };
    await run('git', ['init', '-q', '--initial-branch=main', src]);
    writeFileSync(join(src, 'README.md'), 'hello from the kit\n');
    await run('git', ['-C', src, 'add', '.'], { env: gitEnv });
    await run('git', ['-C', src, 'commit', '-qm', 'first'], { env: gitEnv });
    await run('git', ['-C', src, 'push', '-q', url, 'main'], { env: gitEnv });
    await run('git', ['clone', '-q', url, join(work, 'clone')]);
    expect(readFileSync(join(work, 'clone', 'README.md'), 'utf8')).toBe('hello from the kit\n');
  });

  it('sops: encrypt and decrypt with an age key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kit-sops-'));
    const file = join(dir, 'values.yaml');
    writeFileSync(file, 'auth:\n  password: s3cr3t\nreplicas: 2\n');
    const env = { ...process.env, ...kit.env };
    const { stdout: enc } = await run(
      kit.sops,
      ['--encrypt', '--age', kit.agePublicKey, '--encrypted-regex', '^password$', file],
      { env },
    );
    expect(enc).not.toContain('s3cr3t');
    expect(enc).toContain('password: ENC[AES256_GCM');
    expect(enc).toContain('replicas: 2');
    writeFileSync(join(dir, 'values.enc.yaml'), enc);
    const { stdout: dec } = await run(kit.sops, ['--decrypt', join(dir, 'values.enc.yaml')], { env });
    expect(dec).toContain('password: s3cr3t');
  });
});
