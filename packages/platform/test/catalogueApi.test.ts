import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REGISTRIES } from '../src/catalogue/defaults.ts';
import { CatalogueScheduler } from '../src/catalogue/scheduler.ts';
import { loadConfig, PROCESS_DEFAULTS } from '../src/config.ts';
import { soleLeader } from '../src/scheduler/leader.ts';
import { createHarness, type Harness } from './support/harness.ts';

// Registries through the API on PGlite: validation naming the field, names, changes,
// index now and its job history, the curated defaults (listed once, never indexed
// when switched off).
describe('registries API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ target: { kind: 'pglite' } }, { MOORING_DEFAULT_REGISTRIES: 'false' });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  const post = (payload: unknown, token = h.tokens.admin) =>
    h.request({ method: 'POST', url: '/api/v1/registries', token, payload: payload as object });

  it('bad input is a 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ name: 'a', url: 'ftp://charts.example.com' }, 'body.url'],
      [{ name: 'a', url: 'https://user:pw@charts.example.com' }, 'body.url'],
      [{ name: 'a', url: 'https://charts.example.com', interval_seconds: 5 }, 'body.interval_seconds'],
      [{ name: 'a', url: 'https://charts.example.com', interval_seconds: 86_401 }, 'body.interval_seconds'],
      [{ name: 'A b', url: 'https://charts.example.com' }, 'body.name'],
      [{ name: 'a', url: 'https://charts.example.com', charts: ['x'] }, 'body.charts'],
      [{ name: 'a', url: 'https://charts.example.com', credential_name: 'nope' }, 'body.credential_name'],
      [{ name: 'a', url: 'https://charts.example.com', surprise: 1 }, 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      const fields = (res.json().error.fields ?? []) as { path: string }[];
      expect(
        fields.some((f) => f.path.startsWith(field)),
        `${JSON.stringify(body)} → ${res.body}`,
      ).toBe(true);
    }
    const ssh = await h.request({
      method: 'POST',
      url: '/api/v1/credentials',
      token: h.tokens.admin,
      payload: { name: 'deploy-key', kind: 'ssh_key', private_key: 'not really a key' },
    });
    expect(ssh.statusCode).toBe(201);
    const refused = await post({
      name: 'a',
      url: 'https://charts.example.com',
      credential_name: 'deploy-key',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.fields[0].message).toMatch(/ssh_key credential cannot/);
  });

  it('add, read by id or name, change, remove; a name is taken once', async () => {
    const created = await post({
      name: 'jetstack',
      url: 'https://charts.jetstack.io/',
      excluded_charts: ['*-crds'],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      name: 'jetstack',
      url: 'https://charts.jetstack.io',
      kind: 'helm',
      interval_seconds: 3600,
      excluded_charts: ['*-crds'],
      default: false,
      chart_count: 0,
    });
    const id = created.json().id as string;
    expect((await post({ name: 'jetstack', url: 'https://x.example.com' })).statusCode).toBe(409);
    const byName = await h.request({
      method: 'GET',
      url: '/api/v1/registries/jetstack',
      token: h.tokens.viewer,
    });
    expect(byName.json().id).toBe(id);

    const patched = await h.request({
      method: 'PATCH',
      url: `/api/v1/registries/${id}`,
      token: h.tokens.admin,
      payload: {
        name: 'cert-manager',
        url: 'oci://quay.io/jetstack/charts',
        interval_seconds: null,
        charts: ['cert-manager'],
      },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      name: 'cert-manager',
      kind: 'oci',
      interval_seconds: null,
      charts: ['cert-manager'],
    });

    const viewerAdd = await post({ name: 'x', url: 'https://x.example.com' }, h.tokens.viewer);
    expect(viewerAdd.statusCode).toBe(403);
    const list = await h.request({
      method: 'GET',
      url: '/api/v1/registries?sort=-name',
      token: h.tokens.viewer,
    });
    expect(list.json().items.map((r: { name: string }) => r.name)).toContain('cert-manager');

    const del = await h.request({ method: 'DELETE', url: `/api/v1/registries/${id}`, token: h.tokens.admin });
    expect(del.statusCode).toBe(204);
    expect(
      (await h.request({ method: 'GET', url: `/api/v1/registries/${id}`, token: h.tokens.viewer }))
        .statusCode,
    ).toBe(404);
  });

  it('index now: a job starts, its failure is in the history with the error', async () => {
    const created = await post({ name: 'nowhere', url: 'http://127.0.0.1:9/charts', interval_seconds: 10 });
    const id = created.json().id as string;
    const job = await h.request({
      method: 'POST',
      url: `/api/v1/registries/${id}/index`,
      token: h.tokens.admin,
    });
    expect(job.statusCode).toBe(202);
    expect(job.json()).toMatchObject({ registry_id: id, trigger: 'manual', state: 'running' });
    await h.server.services.catalogue.indexer.idle();
    const jobs = await h.request({
      method: 'GET',
      url: `/api/v1/registries/${id}/jobs`,
      token: h.tokens.viewer,
    });
    expect(jobs.json().items[0]).toMatchObject({ state: 'failed', downloads: 0 });
    expect(jobs.json().items[0].error).toMatch(/ECONNREFUSED|index\.yaml/);
    const reg = await h.request({ method: 'GET', url: `/api/v1/registries/${id}`, token: h.tokens.viewer });
    expect(reg.json().last_error).toMatch(/index\.yaml/);
    // a failed registry is tried again sooner than its interval (backoff), never later
    const next = Date.parse(reg.json().next_index_at) - Date.parse(reg.json().last_indexed_at);
    expect(next).toBe(10_000);
  });

  it('defaults are listed once per organisation and, switched off, never indexed', async () => {
    const catalogue = h.server.services.catalogue;
    expect(await catalogue.registries.seedDefaults()).toBe(DEFAULT_REGISTRIES.length);
    expect(await catalogue.registries.seedDefaults()).toBe(0);
    const list = await h.request({
      method: 'GET',
      url: '/api/v1/registries?page_size=100',
      token: h.tokens.viewer,
    });
    const defaults = list.json().items.filter((r: { default: boolean }) => r.default);
    expect(defaults.map((r: { name: string }) => r.name).sort()).toEqual(
      DEFAULT_REGISTRIES.map((d) => d.name).sort(),
    );
    expect(defaults.find((r: { name: string }) => r.name === 'bitnami')).toMatchObject({ kind: 'oci' });
    // listed only: no interval, nothing fetched from a public registry until a person asks
    expect(defaults.map((r: { interval_seconds: number | null }) => r.interval_seconds)).toEqual(
      defaults.map(() => null),
    );
    const eager = new CatalogueScheduler({
      db: h.db,
      clock: () => h.now(),
      indexer: catalogue.indexer,
      lock: soleLeader,
      logger: pino({ level: 'silent' }),
      includeDefaults: true,
    });
    const defaultIdsListed: string[] = defaults.map((r: { id: string }) => r.id);
    expect((await eager.tick()).filter((id) => defaultIdsListed.includes(id))).toEqual([]);

    const scheduler = new CatalogueScheduler({
      db: h.db,
      clock: () => h.now(),
      indexer: catalogue.indexer,
      lock: soleLeader,
      logger: pino({ level: 'silent' }),
      includeDefaults: false,
    });
    const defaultIds: string[] = defaults.map((r: { id: string }) => r.id);
    const started = await scheduler.tick();
    expect(started.filter((id) => defaultIds.includes(id))).toEqual([]);
    await catalogue.indexer.idle();
    for (const id of defaultIds) {
      const jobs = await h.request({
        method: 'GET',
        url: `/api/v1/registries/${id}/jobs`,
        token: h.tokens.viewer,
      });
      expect(jobs.json().total).toBe(0);
    }
    await scheduler.stop();
  });

  it('MOORING_DEFAULT_REGISTRIES: on for the platform process, off for an embedding that does not ask', () => {
    expect(loadConfig({}).defaultRegistries).toBe(false);
    expect(loadConfig({ ...PROCESS_DEFAULTS }).defaultRegistries).toBe(true);
    expect(loadConfig({ ...PROCESS_DEFAULTS, MOORING_DEFAULT_REGISTRIES: 'false' }).defaultRegistries).toBe(
      false,
    );
    expect(loadConfig({}).helm).toBe('helm');
    expect(() => loadConfig({ MOORING_DEFAULT_REGISTRIES: 'maybe' })).toThrow(/MOORING_DEFAULT_REGISTRIES/);
  });
});
