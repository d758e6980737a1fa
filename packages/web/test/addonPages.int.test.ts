import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type CheckInSession,
  loadConfig as loadAgentConfig,
  silentLogger,
  startCheckInSession,
} from '@mooring/agent';
import type { Bus } from '@mooring/bus';
import { createLogger, loadConfig, type RunningPlatform, startPlatform } from '@mooring/platform';
import { appendLogLines, kitClients, servePodLogs, testNamespace } from '@mooring/testkit';
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

const run = promisify(execFile);
const kit = inject('kit');

// The stacks graph, an add-on's pages (overview and drift, values, Helm history with rollback, events,
// the Resource Map) and the members page, in Chromium against the real platform, the real agent on
// its in-process bus, and the kit's cluster and chart repository.
describe('web UI end to end: stacks, add-on pages, members (real agent, kit cluster)', () => {
  const ns = testNamespace('web-addons');
  const name = `web-${Date.now().toString(36)}`;
  let work: string;
  let platform: RunningPlatform;
  let session: CheckInSession | undefined;
  let browser: Browser;
  let page: Page;
  let base: string;
  let adminToken: string;
  let clusterId: string;

  const at = (path: string) => `${base}${path}`;
  const addonUrl = (addon: string, tab = '') =>
    at(`/clusters/${encodeURIComponent(clusterId)}/addons/${addon}${tab ? `/${tab}` : ''}`);
  const checkPage = async (shot: string, p: Page = page) => {
    await screenshot(p, shot);
    const violations = await seriousViolations(p);
    expect(violations, `${shot}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
  };
  const api = async <T>(method: string, path: string, body?: unknown, token = adminToken) => {
    const r = await fetch(at(`/api/v1${path}`), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const tool = (bin: string, ...args: string[]) =>
    run(join(kit.binDir, bin), args, { env: { ...process.env, ...kit.env, KUBECONFIG: kit.kubeconfig } });
  const addon = (n: string, extra: string) => `        - name: ${n}
          chart_name: slow-rollout
          chart_version: "0.1.0"
          repository_url: ${kit.chartRepoUrl}
          namespace: ${ns}
${extra}          settings:
            sync_policy:
              automated: false
              self_heal: false
`;
  const definition = `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
spec:
  stacks:
    - name: base
      deploy_wave: 1
      manifests:
        - name: ns
          manifest: |
            apiVersion: v1
            kind: Namespace
            metadata:
              name: ${ns}
      addons:
${addon(
  'rollout',
  `          parents:
            - manifest: ns
          encrypted_paths:
            - auth.password
          configuration:
            values: |
              replicas: 2
              minReadySeconds: 1
              auth:
                user: admin
                password: hunter2
`,
)}    - name: apps
      deploy_wave: 2
      addons:
${addon(
  'web',
  `          parents:
            - addon: rollout
          configuration:
            values: |
              replicas: 1
              minReadySeconds: 1
`,
)}`;

  beforeAll(async () => {
    ensureWebBuild();
    work = mkdtempSync(join(tmpdir(), 'mooring-web-addons-'));
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
    const imported = await api<{ cluster: { id: string }; agent_token: string }>('POST', '/clusters', {
      definition,
    });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    clusterId = imported.body.cluster.id;
    // the real agent, on the platform's in-process bus with its cluster's permissions; the import deploys
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
      }),
      logger: silentLogger(),
      helmEnv: kit.env,
      bus: hub.connectAgent(clusterId),
      commandPollMs: 200,
    });
    // the import's operation deploys both add-ons
    const states = async () =>
      (
        await api<{ items: { name: string; state: string }[] }>('GET', `/clusters/${clusterId}/addons`)
      ).body.items
        .map((a) => `${a.name}:${a.state}`)
        .join(' ');
    const deadline = Date.now() + 180_000;
    while ((await states()) !== 'rollout:Synced web:Synced') {
      if (Date.now() > deadline) throw new Error(`the import did not deploy: ${await states()}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    browser = await launchBrowser();
    page = browser.page;
    await signInWithToken(page, base, adminToken);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await session?.stop().catch(() => undefined);
    await platform?.close();
    await kitClients(kit)
      .core.deleteNamespace({ name: ns })
      .catch(() => undefined);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('draws the stacks as lanes by wave with their members as a DAG; a member opens its add-on by keyboard', async () => {
    await page.goto(at(`/clusters/${encodeURIComponent(clusterId)}/stacks`));
    await page.locator('.react-flow__node-member').nth(2).waitFor();
    expect(await page.locator('.react-flow__node-member').count()).toBe(3);
    expect(await page.locator('.react-flow__node-lane').allTextContents()).toEqual([
      'Wave 1starts first',
      'Wave 2after wave 1',
    ]);
    // parents as edges: ns → rollout inside a stack, rollout → web across stacks (dashed)
    await page.locator('.react-flow__edge').nth(1).waitFor({ state: 'attached' });
    expect(await page.locator('.react-flow__edge').count()).toBe(2);
    expect(await page.locator('.react-flow__edge.edge-cross').count()).toBe(1);
    // the lane of wave 2 is below the lane of wave 1
    const lanes = await page
      .locator('.react-flow__node-lane')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
    expect(lanes[1]!).toBeGreaterThan(lanes[0]!);
    const web = page.locator('.react-flow__node-member', { hasText: 'web' });
    expect(await web.textContent()).toContain('Synced');
    expect(await page.getByRole('row', { name: /web/ }).textContent()).toContain('rollout');
    await checkPage('20-cluster-stacks');
    await page.locator('.react-flow__node-member a', { hasText: 'rollout' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/addons\/rollout$/);
    await page.getByRole('heading', { name: /rollout/, level: 1 }).waitFor();
  });

  it('shows an add-on’s overview and its values with the encrypted key masked; tabs move by keyboard', async () => {
    await page.goto(addonUrl('rollout'));
    const facts = page.locator('dl.facts');
    await facts.waitFor();
    const text = (await facts.textContent()) ?? '';
    for (const part of ['Synced', 'Healthy', 'slow-rollout', '0.1.0', 'native', ns, 'base'])
      expect(text).toContain(part);
    await checkPage('21-addon-overview');
    await page.getByRole('tab', { name: 'Overview' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/\/addons\/rollout\/values$/);
    const values = (await page.locator('pre.values').textContent()) ?? '';
    expect(values).toContain('replicas: 2');
    expect(values).toContain('password: ***');
    expect(values).not.toContain('hunter2');
    expect(await page.getByText('auth.password').count()).toBeGreaterThan(0);
    await checkPage('22-addon-values');
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/\/history$/);
    await page.getByRole('table', { name: /Helm releases of rollout/ }).waitFor();
    await page.getByRole('tab', { name: 'Helm history' }).press('ArrowRight');
    await page.waitForURL(/\/events$/);
    await page.locator('[role="tabpanel"] table, [role="tabpanel"] h2').first().waitFor();
    await checkPage('23-addon-events');
  });

  it('draws the Resource Map coloured by health; a node chosen by click or keyboard shows its details', async () => {
    await page.goto(addonUrl('rollout', 'map'));
    await page.locator('.react-flow__node-resource').nth(2).waitFor();
    const kinds = await page
      .locator('.react-flow__node-resource .resource-node-name small')
      .allTextContents();
    expect(kinds).toEqual(expect.arrayContaining(['Deployment', 'ReplicaSet', 'Pod']));
    // owners on the left of what they own
    const x = async (kind: string) =>
      page
        .locator('.react-flow__node-resource', {
          has: page.locator('small', { hasText: new RegExp(`^${kind}$`) }),
        })
        .first()
        .evaluate((e) => e.getBoundingClientRect().left);
    expect(await x('Deployment')).toBeLessThan(await x('ReplicaSet'));
    expect(await x('ReplicaSet')).toBeLessThan(await x('Pod'));
    expect(await page.locator('.react-flow__edge').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.resource-node.good').count()).toBe(
      await page.locator('.resource-node').count(),
    );
    await page.getByRole('button', { name: /^Deployment rollout/ }).click();
    await page.getByRole('heading', { name: 'Deployment rollout', level: 3 }).waitFor();
    expect(await page.locator('.resource-details').textContent()).toContain('apps/v1');
    const pod = page.getByRole('button', { name: /^Pod rollout-/ }).first();
    await pod.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /^Pod rollout-/, level: 3 }).waitFor();
    expect(await page.locator('.resource-details').textContent()).toContain('Owned by');
    await checkPage('24-addon-resource-map');
    // the dark theme: the graph follows it and stays accessible
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await page.locator('.react-flow.dark').waitFor();
    await checkPage('24b-addon-resource-map-dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await page.locator('.react-flow.light').waitFor();
  });

  it('shows drift with its field paths when a Deployment is scaled by hand, and the values change that accepts it', async () => {
    await tool('kubectl', 'scale', 'deployment/rollout', '--replicas=4', '-n', ns);
    await expect
      .poll(
        async () => (await api<{ state: string }>('GET', `/clusters/${clusterId}/addons/rollout`)).body.state,
        { timeout: 30_000, interval: 500 },
      )
      .toBe('OutOfSync');
    await page.goto(addonUrl('rollout'));
    await page.locator('ul.drift li').first().waitFor();
    const drift = (await page.locator('ul.drift').textContent()) ?? '';
    expect(drift).toContain(`Deployment/${ns}/rollout`);
    expect(drift).toContain('spec.replicas');
    await page.getByRole('button', { name: 'Accept drift…' }).click();
    await page.getByRole('heading', { name: /Accept drift/ }).waitFor();
    const row = page.locator('.accept-drift tbody tr').first();
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(1, 4)).toEqual(['spec.replicas', '2', '4']);
    expect(cells[4]).toContain('kubectl');
    expect(cells[5]).toBe('replicas');
    const patch = (await page.locator('.accept-drift pre').textContent()) ?? '';
    expect(patch).toMatch(/\+replicas: 4/);
    // the encrypted key stays hidden in the patch too
    expect(patch).toContain('password: ***');
    expect(await page.content()).not.toContain('hunter2');
    await checkPage('25-addon-drift');
  });

  it('rolls a release back after a confirmation naming the revision and the change; the operation’s steps advance live', async () => {
    // revision 2: the chart upgraded by hand with Helm (nothing heals it: automated and self_heal are off)
    await tool(
      'helm',
      'upgrade',
      'rollout',
      'slow-rollout',
      '--repo',
      kit.chartRepoUrl!,
      '--version',
      '0.2.0',
      '-n',
      ns,
      '--reuse-values',
      '--force-conflicts',
    );
    await page.goto(addonUrl('rollout', 'history'));
    await page.getByRole('button', { name: 'Roll back to revision 1' }).waitFor();
    expect(await page.getByRole('row', { name: /^2/ }).textContent()).toContain('current');
    await page.evaluate(() => {
      (window as unknown as { stayed: boolean }).stayed = true;
    });
    await page.getByRole('button', { name: 'Roll back to revision 1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll rollout back to revision 1?' });
    await dialog.waitFor();
    const question = (await dialog.textContent()) ?? '';
    expect(question).toContain('slow-rollout 0.2.0');
    expect(question).toContain('slow-rollout 0.1.0');
    expect(question).toContain('revision 3');
    await checkPage('26-addon-rollback-confirm');
    // Escape cancels: nothing starts
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.locator('.steps').count()).toBe(0);
    await page.getByRole('button', { name: 'Roll back to revision 1' }).click();
    await dialog.getByRole('button', { name: 'Roll back to revision 1' }).click();
    // live: the step's state moves to success without a reload
    const steps = page.locator('.steps');
    await steps.waitFor();
    const seen: string[] = [];
    await expect
      .poll(
        async () => {
          const s = (await steps.locator('h3 .badge').textContent()) ?? '';
          if (seen.at(-1) !== s) seen.push(s);
          return s;
        },
        { timeout: 120_000, interval: 200 },
      )
      .toBe('success');
    expect(['pending', 'running']).toContain(seen[0]);
    expect(await steps.locator('li .badge').first().textContent()).toBe('success');
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    await page.getByRole('row', { name: /^3/ }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('row', { name: /^3/ }).textContent()).toContain('slow-rollout 0.1.0');
    await checkPage('27-addon-rolled-back');
    const { stdout } = await tool('helm', 'history', 'rollout', '-n', ns, '-o', 'json');
    const history = JSON.parse(stdout) as { revision: number; chart: string }[];
    expect(history.at(-1)).toMatchObject({ revision: 3, chart: 'slow-rollout-0.1.0' });
  });

  it('browses live resources by kind, namespace and search, updated without a reload; follows a pod’s log', async () => {
    await page.goto(at(`/clusters/${encodeURIComponent(clusterId)}/resources?kind=Pod&namespace=${ns}`));
    await page
      .getByRole('link', { name: /^Logs of rollout-/ })
      .first()
      .waitFor({ timeout: 60_000 });
    expect(await page.getByLabel('Kind').inputValue()).toBe('Pod');
    // a pod made now appears in the open page (the platform's events)
    const { core, kc } = kitClients(kit);
    const log = join(work, 'logger.log');
    writeFileSync(log, '');
    appendLogLines(log, ['first line', 'second line']);
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'logger', labels: { app: 'logger' } },
        spec: { containers: [{ name: 'app', image: 'busybox' }] },
      },
    });
    await servePodLogs(kc, { namespace: ns, pod: 'logger', logs: [{ containers: ['app'], file: log }] });
    await page.getByRole('link', { name: 'Logs of logger' }).waitFor({ timeout: 30_000 });
    await page.getByLabel('Search').fill('app=logger');
    await page.waitForURL(/q=app%3Dlogger/);
    expect(await page.locator('tbody tr').count()).toBe(1);
    await checkPage('30-cluster-live-resources');
    await page.getByRole('link', { name: 'Logs of logger' }).click();
    await page.waitForURL(/\/pods\/[^/]+\/logger\/logs/);
    const text = () => page.getByRole('log').textContent();
    await expect.poll(text, { timeout: 60_000, interval: 250 }).toContain('second line');
    // followed: a line written now reaches the page
    appendLogLines(log, ['third line']);
    await expect.poll(text, { timeout: 30_000, interval: 250 }).toContain('third line');
    expect(await page.getByLabel('Container').inputValue()).toBe('app');
    await page.getByLabel('Search').fill('second');
    await page.getByText('1 of 3 lines').waitFor();
    expect(await text()).toBe('second line');
    await checkPage('31-pod-log');
  });

  it('lets an admin set, change and remove a member’s grant; a viewer sees no buttons', async () => {
    const viewer = await api<{ id: string }>('POST', '/users', {
      username: 'vera',
      password: 'a long viewer password',
      role: 'viewer',
      display_name: 'Vera Viewer',
    });
    expect(viewer.status).toBe(201);
    await page.goto(at('/'));
    await page.getByRole('link', { name: 'Members' }).click();
    await page.waitForURL(/\/members$/);
    const row = page.getByRole('row', { name: /vera/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('none');
    await page.getByLabel('Grant role for vera').selectOption('view');
    await page.getByLabel('Namespace for vera').fill(ns);
    await page.getByRole('button', { name: 'Grant vera' }).click();
    await row.getByText(`view in ${ns}`).waitFor();
    const grants = async () =>
      (
        await api<{ items: { username: string; role: string; namespace: string | null }[] }>(
          'GET',
          `/clusters/${clusterId}/grants`,
        )
      ).body.items;
    expect(await grants()).toEqual([
      expect.objectContaining({ username: 'vera', role: 'view', namespace: ns }),
    ]);
    await checkPage('28-members');
    await page.getByLabel('Grant role for vera').selectOption('edit');
    await page.getByRole('button', { name: 'Change vera' }).click();
    await row.getByText(`edit in ${ns}`).waitFor();
    await page.getByRole('button', { name: 'Remove grant of vera' }).click();
    await row.getByText('none').waitFor();
    expect(await grants()).toEqual([]);

    // the viewer, in a tab of their own: an explanation, no buttons; no rollback either
    const viewerPage = await browser.context.newPage();
    try {
      await signInWithToken(viewerPage, base, await login(base, 'vera', 'a long viewer password'));
      await viewerPage.goto(at('/members'));
      await viewerPage.getByText('Admins see the organisation').waitFor();
      await checkPage('29-members-viewer', viewerPage);
      const buttons = () =>
        viewerPage.locator('main button').evaluateAll((els) => els.map((e) => e.outerHTML));
      expect(await buttons()).toEqual([]);
      await viewerPage.goto(addonUrl('rollout', 'history'));
      await viewerPage.getByRole('table', { name: /Helm releases of rollout/ }).waitFor();
      expect(await buttons()).toEqual([]);
      await viewerPage.getByText('Operators and admins can roll a release back.').waitFor();
    } finally {
      await viewerPage.close();
    }
  });
});
