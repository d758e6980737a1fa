import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadConfig, type RunningPlatform, startPlatform } from '@mooring/platform';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  ensureWebBuild,
  launchBrowser,
  screenshot,
  seriousViolations,
} from './support/browser.ts';
import { INVALID_DEFINITION, manyAddons, validDefinition } from './support/definitions.ts';

// The built UI in Debian's Chromium against a real platform (embedded PGlite, loopback, a free port).
describe('web UI end to end', () => {
  let platform: RunningPlatform;
  let dataDir: string;
  let browser: Browser;
  let page: Page;
  let base: string;
  let password: string;
  let clusterId = '';
  let agentToken = '';

  const at = (path: string) => `${base}${path}`;
  const checkPage = async (name: string) => {
    await screenshot(page, name);
    const violations = await seriousViolations(page);
    expect(violations, `${name}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
  };

  beforeAll(async () => {
    ensureWebBuild();
    dataDir = mkdtempSync(join(tmpdir(), 'mooring-web-'));
    platform = await startPlatform({
      config: loadConfig({
        MOORING_DATA_DIR: dataDir,
        MOORING_LISTEN: '127.0.0.1',
        MOORING_PORT: '0',
        MOORING_LOG_LEVEL: 'warn',
      }),
      logger: createLogger('warn'),
      print: () => undefined,
    });
    base = platform.address!.replace('0.0.0.0', '127.0.0.1');
    password = platform.firstCredentials!.password;
    browser = await launchBrowser();
    page = browser.page;
    page.on('dialog', (d) => void d.accept());
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the UI at / and sends a signed-out visitor to sign in, keeping where they were going', async () => {
    await page.goto(at('/clusters/import'));
    await page.waitForURL(/\/sign-in\?next=%2Fclusters%2Fimport$/);
    await expect(page.getByRole('heading', { name: 'Sign in to Mooring' }).isVisible()).resolves.toBe(true);
    await checkPage('01-sign-in');
  });

  it('refuses a wrong password, then signs in with the first-start admin', async () => {
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The user name or password is wrong.').waitFor();
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(at('/clusters/import'));
    expect(await page.evaluate(() => sessionStorage.getItem('mooring.session'))).toMatch(/.{20,}/);
  });

  it('shows an empty fleet that says how to import a cluster', async () => {
    await page.getByRole('link', { name: 'Fleet' }).click();
    await page.getByRole('heading', { name: 'No clusters yet' }).waitFor();
    expect(await page.getByText('npx mooring cluster import -f import-cluster.yaml').count()).toBe(1);
    await checkPage('02-dashboard-empty');
  });

  it('imports a valid cluster and shows the agent install command once', async () => {
    await page.getByRole('link', { name: 'Import a cluster' }).first().click();
    await page.getByLabel('ImportCluster file').fill(validDefinition('web-east'));
    await page.getByRole('button', { name: 'Validate and import' }).click();
    await page.getByRole('heading', { name: 'Imported web-east' }).waitFor();
    const command = await page.getByLabel('Agent install command').inputValue();
    expect(command).toContain('helm upgrade --install');
    agentToken = await page.getByLabel('Agent token').inputValue();
    expect(agentToken.length).toBeGreaterThan(20);
    await checkPage('03-import-success');
    await page.getByRole('link', { name: 'Open web-east' }).click();
    await page.waitForURL(/\/clusters\/[^/]+$/);
    clusterId = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]!);
    await page.getByRole('heading', { name: /web-east/ }).waitFor();
    await page.getByText('The agent has not checked in yet.').waitFor();
    await checkPage('04-cluster-overview');
  });

  it('shows an invalid definition’s diagnostics against the lines of the file, storing nothing', async () => {
    await page.goto(at('/clusters/import'));
    await page.getByLabel('ImportCluster file').fill(INVALID_DEFINITION);
    await page.getByRole('button', { name: 'Validate and import' }).click();
    await page.getByRole('heading', { name: /The definition is invalid/ }).waitFor();
    const line = (n: number) => page.locator(`ol.file-lines > li[value="${n}"]`);
    expect(await line(14).locator('.diagnostic').textContent()).toContain(
      'chart_version 6.7 is a YAML number',
    );
    expect(await line(16).locator('.diagnostic').textContent()).toContain('did you mean "namespace"');
    expect(await page.locator('.diagnostic').count()).toBeGreaterThanOrEqual(2);
    await checkPage('05-import-diagnostics');
    const session = await page.evaluate(() => sessionStorage.getItem('mooring.session'));
    const list = await fetch(at('/api/v1/clusters'), { headers: { authorization: `Bearer ${session}` } });
    const names = ((await list.json()) as { items: { name: string }[] }).items.map((c) => c.name);
    expect(names).toEqual(['web-east']);
  });

  it('places a cluster on the map once its agent reports a region; one without a region is listed with the reason', async () => {
    const r = await fetch(at('/api/v1/agent/check-in'), {
      method: 'POST',
      headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        agent_version: '0.1.0',
        kubernetes_version: 'v1.33.1',
        node_count: 3,
        region: 'eu-west-1',
        bus_credentials: false,
      }),
    });
    expect(r.status).toBe(200);
    // a second cluster that has no agent yet
    await page.goto(at('/clusters/import'));
    await page.getByLabel('ImportCluster file').fill(validDefinition('web-pending'));
    await page.getByRole('button', { name: 'Validate and import' }).click();
    await page.getByRole('heading', { name: 'Imported web-pending' }).waitFor();

    await page.getByRole('link', { name: 'Fleet' }).click();
    await page.getByRole('heading', { name: 'Where they run' }).waitFor();
    await page.locator('svg a[aria-label*="web-east (online, eu-west-1)"]').waitFor();
    await page.locator('.world-map .countries path').first().waitFor();
    expect(await page.locator('.world-map .countries path').count()).toBeGreaterThan(100);
    expect(await page.locator('ul.unplaced').textContent()).toContain('web-pending: no region reported yet');
    const row = page.getByRole('row', { name: /web-east/ });
    const text = (await row.textContent()) ?? '';
    for (const part of ['online', '0.1.0', 'v1.33.1', '3', 'eu-west-1']) expect(text).toContain(part);
    await checkPage('06-dashboard');
  });

  it('filters and sorts the fleet with the state in the URL, and the URL can be shared', async () => {
    await page.getByLabel('Filter', { exact: true }).fill('pending');
    await page.waitForURL(/q=pending/);
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: 'Name' }).click();
    await page.getByRole('button', { name: 'Name' }).click();
    await page.waitForURL(/sort=-name/);
    const shared = page.url();
    await page.goto(at('/'));
    await page.goto(shared);
    await page.getByRole('row', { name: /web-pending/ }).waitFor();
    expect(await page.getByLabel('Filter', { exact: true }).inputValue()).toBe('pending');
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain('Name');
  });

  it('moves between the cluster’s tabs with the arrow keys; lists its add-ons, draws its stacks, live resources (none without an agent), operations, GitOps status and engines', async () => {
    await page.goto(at(`/clusters/${encodeURIComponent(clusterId)}`));
    await page.getByRole('tab', { name: 'Overview' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/\/addons$/);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Add-ons');
    await page
      .getByRole('row', { name: /podinfo/ })
      .first()
      .waitFor();
    expect(
      await page
        .getByRole('row', { name: /podinfo/ })
        .first()
        .textContent(),
    ).toContain('Pending');
    await checkPage('07-cluster-addons');
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/\/stacks$/);
    // the stacks graph: one lane (wave 1), the manifest and the add-on it is parent of, not deployed yet
    await page.locator('.react-flow__node-member').nth(1).waitFor();
    expect(await page.locator('.react-flow__node-lane').allTextContents()).toEqual(['Wave 1starts first']);
    expect(await page.locator('.react-flow__node-member').allTextContents()).toEqual([
      expect.stringMatching(/^Manifest ns.*Pending/),
      expect.stringMatching(/^Add-on podinfo.*Pending.*podinfo 6\.7\.1/),
    ]);
    await page.locator('.react-flow__edge').first().waitFor({ state: 'attached' });
    expect(await page.locator('.react-flow__edge').count()).toBe(1);
    await checkPage('07b-cluster-stacks');
    await page.getByRole('tab', { name: 'Stacks' }).press('ArrowRight');
    await page.waitForURL(/\/resources$/);
    // live resources need the agent: the empty state says so
    await page.getByRole('heading', { name: 'No live resources yet' }).waitFor();
    await checkPage('07c-cluster-resources-empty');
    await page.getByRole('tab', { name: 'Live resources' }).press('ArrowRight');
    await page.waitForURL(/\/operations$/);
    await page.getByRole('tabpanel').waitFor();
    await page.waitForFunction(() => !document.querySelector('[role="tabpanel"] .loading'));
    await checkPage('08-cluster-operations');
    await page.getByRole('tab', { name: 'Operations' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/\/gitops$/);
    await page.getByRole('heading', { name: /Not Configured/ }).waitFor();
    await page.getByRole('heading', { name: 'No syncs yet' }).waitFor();
    await checkPage('09-cluster-gitops');
    await page.getByRole('tab', { name: 'GitOps' }).press('ArrowRight');
    await page.waitForURL(/\/engines$/);
    // no Argo CD: the add-on on the cluster default (native), nothing to migrate or decommission
    await page.getByTestId('engines-table').waitFor();
    expect(await page.getByTestId('argocd-state').textContent()).toBe('Not connected');
    expect(await page.getByTestId('engines-table').locator('tbody tr').allTextContents()).toEqual([
      expect.stringMatching(/^podinfo.*Native.*the cluster default/),
    ]);
    expect(await page.getByRole('button', { name: 'Migrate to native engine' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Decommission Argo CD' }).count()).toBe(0);
    await checkPage('09b-cluster-engines');
  });

  it('virtualises a table of 1,000 add-ons: every row counted, few in the page', async () => {
    const imported = await fetch(at('/api/v1/clusters'), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await page.evaluate(() => sessionStorage.getItem('mooring.session'))}`,
        'content-type': 'application/yaml',
      },
      body: manyAddons('web-many', 1000),
    });
    expect(imported.status).toBe(201);
    const { cluster } = (await imported.json()) as { cluster: { id: string } };
    await page.goto(at(`/clusters/${encodeURIComponent(cluster.id)}/addons`));
    await page.getByText('1000 rows').waitFor();
    const rendered = await page.locator('tbody tr:not(.spacer)').count();
    expect(rendered).toBeLessThan(100);
    await page.getByRole('region', { name: 'Add-ons and manifests' }).evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await page.getByRole('row', { name: /app-0999/ }).waitFor();
    await page.getByLabel('Filter', { exact: true }).fill('app-0500');
    await page.getByText('1 of 1000 rows').waitFor();
    await checkPage('10-cluster-addons-1000');
  });

  it('creates an API token whose secret is shown once and works, then revokes it', async () => {
    await page.getByRole('link', { name: 'Profile' }).click();
    await page.getByRole('heading', { name: 'No API tokens' }).waitFor();
    await checkPage('11-profile-empty');
    await page.getByLabel('Name', { exact: true }).fill('ci');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByLabel('Secret of “ci”').inputValue();
    const me = (s: string) => fetch(at('/api/v1/me'), { headers: { authorization: `Bearer ${s}` } });
    expect((await me(secret)).status).toBe(200);
    await page.getByRole('row', { name: /ci/ }).getByText('active').waitFor();
    await checkPage('12-profile-token');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByText(secret).count()).toBe(0);
    await page.getByRole('button', { name: 'Revoke ci' }).click();
    await page.getByRole('row', { name: /ci/ }).getByText('revoked').waitFor();
    expect((await me(secret)).status).toBe(401);
  });

  it('switches to the dark theme and keeps it accessible', async () => {
    await page.goto(at('/'));
    const before = await page.evaluate(() => document.documentElement.dataset.theme ?? 'system');
    await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
    const after = await page.evaluate(() => document.documentElement.dataset.theme);
    expect(after).not.toBe(before);
    if (after !== 'dark') await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.getByRole('heading', { name: 'Where they run' }).waitFor();
    await checkPage('13-dashboard-dark');
  });

  it('signs out: the session ends at the platform and in the tab', async () => {
    const token = await page.evaluate(() => sessionStorage.getItem('mooring.session'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    expect(await page.evaluate(() => sessionStorage.getItem('mooring.session'))).toBeNull();
    const r = await fetch(at('/api/v1/me'), { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(401);
  });
});
