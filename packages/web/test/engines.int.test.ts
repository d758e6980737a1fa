import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CheckInSession,
  loadConfig as loadAgentConfig,
  silentLogger,
  startCheckInSession,
} from '@mooring/agent';
import type { Bus } from '@mooring/bus';
import { createLogger, loadConfig, type RunningPlatform, startPlatform } from '@mooring/platform';
import { type ArgoCd, kitClients, startArgoCd, testNamespace } from '@mooring/testkit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type Browser,
  ensureWebBuild,
  launchBrowser,
  screenshot,
  seriousViolations,
} from './support/browser.ts';
import { login, signInWithToken } from './support/session.ts';

const kit = inject('kit');

// The Engines tab in Chromium against the real platform, the real agent on its in-process bus, the
// kit's cluster and chart repository, and a real Argo CD in a namespace of its own (no other test
// meets it): the eligibility report, the migration to native, a roll back to Argo CD (and a refusal
// shown as the platform wrote it), the decommission that migrates what is left, the clean-up lines.
describe('web UI end to end: the Engines tab, from Argo CD to native (real Argo CD)', () => {
  const ns = testNamespace('web-engines');
  const name = `web-eng-${Date.now().toString(36)}`;
  const addons = ['wa', 'wb'];
  let work: string;
  let argo: ArgoCd | undefined;
  let platform: RunningPlatform;
  let session: CheckInSession | undefined;
  let browser: Browser;
  let page: Page;
  let base: string;
  let adminToken: string;
  let clusterId: string;

  const at = (path: string) => `${base}${path}`;
  const checkPage = async (shot: string) => {
    await screenshot(page, shot);
    const violations = await seriousViolations(page);
    expect(violations, `${shot}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
  };
  const api = async <T>(method: string, path: string, body?: unknown) => {
    const r = await fetch(at(`/api/v1${path}`), {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const addon = (n: string) => `        - name: ${n}
          chart_name: podinfo
          chart_version: "6.14.1"
          repository_url: ${kit.chartRepoUrl}
          namespace: ${ns}
          configuration:
            values: |
              replicaCount: 1
          settings:
            engine: argocd
            sync_policy:
              automated: true
              self_heal: true
              auto_prune: true
              sync_options: [CreateNamespace=true]
            retry_policy: { limit: 2, backoff_duration: 1s, backoff_factor: 2, backoff_max: 5s }
`;
  const definition = `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
spec:
  stacks:
    - name: apps
      addons:
${addons.map(addon).join('')}`;

  /** The engines table's rows as `name engine set-by`. */
  const engineRows = async () =>
    (
      await page
        .locator('[data-testid="engines-table"] tbody tr')
        .evaluateAll((rows) =>
          rows.map((r) =>
            [0, 3, 4].map((i) => (r as HTMLTableRowElement).cells[i]!.textContent!.trim()).join(' '),
          ),
        )
    ).join('; ');
  const migrationState = () => page.getByTestId('migration').getAttribute('data-state');
  const waitMigration = async (state: string, timeout = 180_000) =>
    page.locator(`[data-testid="migration"][data-state="${state}"]`).waitFor({ timeout });

  beforeAll(async () => {
    ensureWebBuild();
    argo = await startArgoCd(kit, { namespace: 'argocd-ui' });
    work = mkdtempSync(join(tmpdir(), 'mooring-web-engines-'));
    platform = await startPlatform({
      config: loadConfig({
        MOORING_DATA_DIR: join(work, 'platform'),
        MOORING_LISTEN: '127.0.0.1',
        MOORING_PORT: '0',
        MOORING_LOG_LEVEL: 'silent',
        MOORING_SWEEP_INTERVAL_SECONDS: '3600',
        MOORING_GIT_POLL_SECONDS: '3600',
      }),
      logger: createLogger('silent'),
      print: () => undefined,
    });
    base = platform.address!.replace('0.0.0.0', '127.0.0.1');
    adminToken = await login(base, platform.firstCredentials!.username, platform.firstCredentials!.password);
    const imported = await api<{ cluster: { id: string }; agent_token: string; operation_id: string }>(
      'POST',
      '/clusters',
      { definition },
    );
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    clusterId = imported.body.cluster.id;
    const hub = platform.agentBus as unknown as { connectAgent(id: string): Bus };
    session = await startCheckInSession({
      config: loadAgentConfig({
        MOORING_CLUSTER_ID: clusterId,
        MOORING_TOKEN: imported.body.agent_token,
        MOORING_PLATFORM_URL: base,
        MOORING_KUBECONFIG: kit.kubeconfig,
        MOORING_HELM: kit.helm,
        MOORING_CHART_CACHE: mkdtempSync(join(work, 'charts-')),
        MOORING_HTTP_PORT: '0',
        MOORING_RECONCILE_INTERVAL_SECONDS: '300',
        MOORING_SHUTDOWN_TIMEOUT_SECONDS: '10',
        MOORING_ARGOCD_URL: argo.url,
        MOORING_ARGOCD_TOKEN: argo.adminToken,
        MOORING_ARGOCD_NAMESPACE: argo.namespace,
      }),
      logger: silentLogger(),
      helmEnv: kit.env,
      bus: hub.connectAgent(clusterId),
      commandPollMs: 200,
    });
    // the import deploys both add-ons through Argo CD
    const deadline = Date.now() + 240_000;
    for (;;) {
      const op = await api<{ state: string; message?: string }>(
        'GET',
        `/operations/${imported.body.operation_id}`,
      );
      if (op.body.state === 'success') break;
      if (['failed', 'cancelled', 'timeout'].includes(op.body.state) || Date.now() > deadline)
        throw new Error(`the import did not deploy: ${JSON.stringify(op.body)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    // the stored connection (admin credentials once; the agent makes the account's token)
    const put = await api('PUT', `/clusters/${clusterId}/argocd`, {
      url: argo.url,
      namespace: argo.namespace,
      username: argo.admin.username,
      password: argo.admin.password,
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    browser = await launchBrowser();
    page = browser.page;
    await signInWithToken(page, base, adminToken);
  }, 420_000);

  afterAll(async () => {
    await browser?.close();
    await session?.stop().catch(() => undefined);
    await platform?.close();
    await argo?.stop();
    await kitClients(kit)
      .core.deleteNamespace({ name: ns })
      .catch(() => undefined);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('migrates both add-ons after the report and a confirmation, rolls one back (a refusal shown as written), decommissions Argo CD', async () => {
    await page.goto(at(`/clusters/${encodeURIComponent(clusterId)}/engines`));
    await page.getByRole('heading', { name: 'Engines', level: 2 }).waitFor();
    expect(await engineRows()).toBe('wa Argo CD the definition; wb Argo CD the definition');
    expect(await page.getByTestId('argocd-state').textContent()).toBe('Connected');
    // add-ons remain on Argo CD: the decommission says it migrates them first
    expect(await page.getByTestId('decommission-note').textContent()).toMatch(
      /2 add-ons still run on Argo CD \(wa, wb\): decommissioning migrates them to native first/,
    );

    // the report: both eligible, Synced/Healthy, their kinds with the health coverage
    await page.getByRole('button', { name: 'Migrate to native engine' }).click();
    await page.getByTestId('eligibility-summary').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('eligibility-summary').textContent()).toBe(
      'Every add-on can migrate now (2).',
    );
    const report = page.locator('table.eligibility');
    for (const a of addons) {
      const row = report.locator(`tr[data-addon="${a}"]`);
      expect(await row.textContent()).toMatch(/Synced \/ Healthy/);
      expect(await row.textContent()).toMatch(/Eligible/);
      expect(await row.textContent()).toMatch(/Deployment \(apps\) ×1: health rule/);
      expect(await row.getByRole('checkbox', { name: `Migrate ${a}` }).isChecked()).toBe(true);
    }
    await checkPage('engines-01-report');

    // the confirmation names both; Escape cancels and starts nothing
    await page.getByRole('button', { name: 'Continue with 2 add-ons…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Migrate to the native engine?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/3 at a time: wa, wb\./);
    await checkPage('engines-02-confirm');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect((await api<{ items: unknown[] }>('GET', `/clusters/${clusterId}/migrations`)).body.items).toEqual(
      [],
    );
    await page.getByRole('button', { name: 'Continue with 2 add-ons…' }).click();
    await dialog.getByRole('button', { name: 'Start the migration' }).click();

    // live progress until both succeeded, with the agent's report
    await page.getByTestId('migration').waitFor();
    const seen = new Set<string>();
    const deadline = Date.now() + 180_000;
    for (;;) {
      const s = await migrationState();
      seen.add(s ?? '');
      if (s !== 'running') break;
      if (Date.now() > deadline) throw new Error('the migration did not finish in 180 s');
      await page.waitForTimeout(200);
    }
    expect([...seen]).toContain('running');
    await waitMigration('succeeded', 1000);
    for (const a of addons) {
      const row = page.locator(`[data-testid="migration"] tr[data-addon="${a}"]`);
      expect(await row.getAttribute('data-state')).toBe('succeeded');
      expect(await row.textContent()).toMatch(/no object replaced; 1 Pod kept/);
    }
    expect(await page.getByTestId('migration').textContent()).toMatch(/2 of 2 add-ons done/);
    await page.waitForFunction(
      () => !document.querySelector('[data-testid="decommission-note"]'),
      undefined,
      { timeout: 20_000 },
    );
    expect(await engineRows()).toBe('wa Native a migration; wb Native a migration');
    await page.getByText('No add-on runs on Argo CD any more').waitFor();
    await checkPage('engines-03-migrated');

    // someone else rolls wb back while the page asks the same: the 409 is shown as the platform wrote it
    await page.getByRole('button', { name: 'Roll back wb to Argo CD' }).click();
    const rb = page.getByRole('dialog', { name: 'Roll wb back to Argo CD?' });
    await rb.waitFor();
    const other = await api<{ id: string }>('POST', `/clusters/${clusterId}/addons/wb/engine/rollback`);
    expect(other.status, JSON.stringify(other.body)).toBe(202);
    await rb.getByRole('button', { name: 'Roll back' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'Refused:' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe(
      `Refused: migration ${other.body.id} is still running on this cluster: wait for it to finish`,
    );
    // the page follows the migration that runs, to its end
    await page.getByText('Back to Argo CD: wb').waitFor({ timeout: 30_000 });
    await waitMigration('succeeded');
    await page.getByTestId('decommission-note').waitFor({ timeout: 20_000 });
    expect(await engineRows()).toBe('wa Native a migration; wb Argo CD a roll back');
    expect(await page.getByTestId('decommission-note').textContent()).toMatch(
      /1 add-on still runs on Argo CD \(wb\): decommissioning migrates it to native first/,
    );
    expect(await page.getByRole('button', { name: 'Roll back wa to Argo CD' }).count()).toBe(1);
    await checkPage('engines-04-rolled-back');

    // decommission: wb migrates first, then Argo CD is decommissioned; the clean-up lines stay
    await page.getByRole('button', { name: 'Decommission Argo CD' }).click();
    const dd = page.getByRole('dialog', { name: 'Decommission Argo CD?' });
    await dd.waitFor();
    expect(await dd.textContent()).toMatch(/First wb moves to native/);
    await dd.getByRole('button', { name: 'Decommission' }).click();
    await page.getByText('To native, then decommission Argo CD').waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'Argo CD decommissioned' }).waitFor({ timeout: 180_000 });
    // the refusal was about the earlier action: gone once another is confirmed
    expect(await refusal.count()).toBe(0);
    await waitMigration('succeeded', 1000);
    expect(await page.getByTestId('migration').textContent()).toMatch(
      /Argo CD decommissioned: the token revoked/,
    );
    const result = page.getByTestId('decommission-result');
    expect(await result.locator('li').allTextContents()).toEqual([
      'argocd-cm: remove the `accounts.mooring` key (the account Mooring used)',
      'argocd-rbac-cm: remove the `policy.csv` line that starts with `g, mooring,` (or `p, mooring,`)',
      'Argo CD itself stays installed: uninstall it with the tooling that installed it if nothing else uses it',
    ]);
    expect(await page.getByTestId('argocd-state').textContent()).toMatch(/^Decommissioned /);
    expect(await engineRows()).toBe('wa Native a migration; wb Native a migration');
    // one way: no roll back, no migration, no decommission, Argo CD not offered as the default
    expect(await page.getByRole('button', { name: /Roll back .* to Argo CD/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Migrate to native engine' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Decommission Argo CD' }).count()).toBe(0);
    expect(await page.getByRole('option', { name: 'Argo CD (decommissioned)' }).isDisabled()).toBe(true);
    await checkPage('engines-05-decommissioned');
    await page.emulateMedia({ colorScheme: 'dark' });
    await checkPage('engines-05-decommissioned-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // the platform agrees
    const final = await api<{ decommissioned_at: string | null; addons: { engine: string }[] }>(
      'GET',
      `/clusters/${clusterId}/engines`,
    );
    expect(final.body.decommissioned_at).not.toBeNull();
    expect(final.body.addons.map((a) => a.engine)).toEqual(['native', 'native']);
    expect((await api('GET', `/clusters/${clusterId}/argocd`)).status).toBe(404);
  }, 600_000);
});
