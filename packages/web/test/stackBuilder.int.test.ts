import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import {
  type CheckInSession,
  loadConfig as loadAgentConfig,
  silentLogger,
  startCheckInSession,
} from '@mooring/agent';
import type { Bus } from '@mooring/bus';
import { createLogger, loadConfig, type RunningPlatform, startPlatform } from '@mooring/platform';
import { type GitServer, kitClients, startGitServer, testNamespace } from '@mooring/testkit';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WorkClone } from '../../gitops/test/gitFixtures.ts';
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

// The Stack Builder in Chromium, from "pick a chart" to "synced in the cluster": the real platform
// with the kit's chart repository as a registry of its catalogue, a cluster whose definition is in
// a real Git repository (the kit's Git server), the real agent on the platform's bus against the
// kit's cluster, with sops and the kit's age key.
describe('web UI end to end: the Stack Builder (Git, catalogue, real agent, kit cluster)', () => {
  const ns = testNamespace('web-builder');
  const name = `wb-${Date.now().toString(36)}`;
  const dir = `clusters/${name}`;
  const path = `${dir}/cluster.yaml`;
  const secret = `s3cr3t-${Date.now().toString(36)}`;
  let work: string;
  let git: GitServer;
  let url: string;
  let clone: WorkClone;
  let platform: RunningPlatform;
  let session: CheckInSession | undefined;
  let browser: Browser;
  let page: Page;
  let base: string;
  let adminToken: string;
  let clusterId: string;

  const at = (p: string) => `${base}${p}`;
  const builderUrl = () => at(`/clusters/${encodeURIComponent(clusterId)}/builder`);
  const checkPage = async (shot: string) => {
    await screenshot(page, shot);
    const violations = await seriousViolations(page);
    expect(violations, `${shot}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
  };
  const api = async <T>(method: string, p: string, body?: unknown) => {
    const r = await fetch(at(`/api/v1${p}`), {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T, text };
  };
  const helmEnv = () => ({ ...process.env, ...kit.env, KUBECONFIG: kit.kubeconfig });
  const clusterFile = () => `apiVersion: v1
kind: ImportCluster
metadata:
  name: ${name}
spec:
  git_repository:
    provider: git
    repository: ${url}
    branch: main
  stacks:
    - name: base
      manifests:
        - name: namespace
          from_file: manifests/namespace.yaml
`;
  const namespaceYaml = () => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`;
  /** The centre of an element, for the mouse. */
  const centre = async (l: Locator) => {
    const b = (await l.boundingBox())!;
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  };

  beforeAll(async () => {
    ensureWebBuild();
    // the platform encrypts with the kit's sops
    process.env.PATH = `${dirname(kit.sops)}:${process.env.PATH ?? ''}`;
    work = mkdtempSync(join(tmpdir(), 'mooring-web-builder-'));
    git = await startGitServer(join(work, 'git'));
    url = git.createRepo('acme/web-builder');
    clone = new WorkClone(url);
    clone.commit(
      {
        [path]: clusterFile(),
        [`${dir}/manifests/namespace.yaml`]: namespaceYaml(),
        '.sops.yaml': `creation_rules:\n  - path_regex: .*\\.yaml$\n    age: ${kit.agePublicKey}\n`,
      },
      'the cluster',
    );
    await clone.push();
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
    // the kit's chart repository in the catalogue, indexed at once
    const reg = await api<{ id: string }>('POST', '/registries', {
      name: 'kit',
      url: kit.chartRepoUrl,
      interval_seconds: null,
    });
    expect(reg.status, reg.text).toBe(201);
    const indexed = Date.now() + 60_000;
    while (!(await api<{ last_success_at: string | null }>('GET', '/registries/kit')).body.last_success_at) {
      if (Date.now() > indexed) throw new Error('the kit repository was not indexed in 60 s');
      await new Promise((r) => setTimeout(r, 500));
    }
    const imported = await api<{ cluster: { id: string }; agent_token: string }>('POST', '/clusters', {
      definition: clusterFile(),
      path,
      files: { [`${dir}/manifests/namespace.yaml`]: namespaceYaml() },
    });
    expect(imported.status, imported.text).toBe(201);
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
        MOORING_RECONCILE_INTERVAL_SECONDS: '3600',
        MOORING_SHUTDOWN_TIMEOUT_SECONDS: '10',
        MOORING_SOPS: kit.sops,
        MOORING_SOPS_AGE_KEY_FILE: kit.ageKeyFile,
      }),
      logger: silentLogger(),
      helmEnv: kit.env,
      bus: hub.connectAgent(clusterId),
      commandPollMs: 200,
    });
    browser = await launchBrowser();
    page = browser.page;
    await signInWithToken(page, base, adminToken);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await session?.stop().catch(() => undefined);
    await platform?.close();
    await git?.stop();
    await kitClients(kit)
      .core.deleteNamespace({ name: ns })
      .catch(() => undefined);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('browses the catalogue: search across registries, a chart’s versions and README', async () => {
    await page.goto(at('/charts'));
    await page.getByLabel('Search charts').fill('podinfo');
    await page.getByRole('button', { name: /^podinfo kit/ }).click();
    await expect.poll(() => page.url()).toContain('chart=kit%2Fpodinfo');
    await page.getByTestId('chart-readme').waitFor();
    expect(await page.getByTestId('chart-readme').textContent()).toContain('Podinfo');
    expect(await page.getByLabel('Version').locator('option').allTextContents()).toContain(
      '6.14.1 (app 6.14.1)',
    );
    await checkPage('charts');
  }, 60_000);

  it('from "pick a chart" to "synced in the cluster": podinfo with a value and a SOPS key, connected, validated, previewed, published', async () => {
    await page.goto(builderUrl());
    await page.getByLabel('Draft title').fill('Add podinfo');
    await page.getByRole('button', { name: 'Begin a draft' }).click();
    await page.locator('.react-flow__node-member').first().waitFor();
    expect(await page.locator('.react-flow__node-member').allTextContents()).toEqual([
      expect.stringContaining('namespace'),
    ]);

    // a stack in wave 1
    await page.getByLabel('Stack name').fill('apps');
    await page.getByRole('spinbutton', { name: 'Deploy wave' }).fill('1');
    await page.getByRole('button', { name: 'Add the stack' }).click();
    await expect
      .poll(() => page.locator('.react-flow__node-lane').allTextContents())
      .toEqual(['No wavestarts at once', 'Wave 1starts first']);

    // pick podinfo from the kit's repository
    await page.getByRole('button', { name: 'Add an add-on' }).click();
    await page.getByLabel('Search charts').fill('podinfo');
    await page.getByRole('button', { name: /^podinfo kit/ }).click();
    await page.getByRole('button', { name: 'Use podinfo 6.14.1' }).click();
    const form = page.getByRole('form', { name: 'New add-on' });
    await form.getByRole('textbox', { name: 'Namespace' }).fill(ns);
    await form.getByRole('combobox', { name: 'Stack' }).selectOption('apps');
    await checkPage('builder-new-addon');
    await page.getByRole('button', { name: 'Add the add-on' }).click();
    await page.getByRole('heading', { name: /Add-on podinfo/ }).waitFor();
    await expect.poll(() => page.locator('.react-flow__node-member').count()).toBe(2);

    // a value set through completion: the chart's keys, its defaults and comments
    const values = page.getByRole('combobox', { name: 'Values (YAML)' });
    await values.click();
    await values.pressSequentially('fau');
    await page.getByRole('option', { name: /^faults/ }).waitFor();
    expect(await page.locator('.completions .value-doc').textContent()).toContain('failure conditions');
    await values.press('Escape');
    await values.fill('');
    await values.pressSequentially('replica');
    await page.getByRole('option', { name: /^replicaCount/ }).waitFor();
    expect(await page.locator('.completions .value-doc').textContent()).toContain('Chart default: 1');
    await values.press('Enter');
    await values.pressSequentially('2\nui');
    await page.getByRole('option', { name: /^ui/ }).waitFor();
    await values.press('Enter');
    await values.pressSequentially('mess');
    await page.getByRole('option', { name: /^message/ }).waitFor();
    await values.press('Enter');
    await values.pressSequentially(secret);
    expect(await values.inputValue()).toBe(`replicaCount: 2\nui:\n  message: ${secret}`);
    // the differences from the chart's defaults
    expect(await page.getByTestId('values-diff').locator('tbody tr').allInnerTexts()).toEqual([
      'replicaCount\t1\t2',
      `ui.message\t""\t${secret}`,
    ]);
    // the SOPS button marks the key at the cursor
    await page.getByRole('button', { name: 'Encrypt ui.message with SOPS' }).click();
    await page.getByRole('list', { name: 'Encrypted on publish' }).getByText('ui.message').waitFor();
    await page.getByRole('button', { name: 'Save to the draft' }).click();
    // saved: the plaintext is never shown back
    await expect.poll(() => values.inputValue()).toContain('message: (encrypted on publish)');
    expect(await page.content()).not.toContain(secret);

    // drag from the namespace's handle to podinfo: the namespace becomes its parent
    await page.locator('figure.flow').scrollIntoViewIfNeeded();
    const from = page.locator('[data-member="manifest/namespace"] .react-flow__handle.source');
    const to = page.locator('[data-member="addon/podinfo"] .react-flow__handle.target');
    const a = await centre(from);
    const b = await centre(to);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
    await page.mouse.move(b.x, b.y, { steps: 5 });
    await page.mouse.up();
    await page.locator('.react-flow__edge').first().waitFor({ state: 'attached' });
    expect(await page.locator('.react-flow__edge.edge-cross').count()).toBe(1);
    await page.locator('[data-member="addon/podinfo"] button').click();
    expect(await page.getByRole('checkbox', { name: /manifest\/namespace/ }).isChecked()).toBe(true);
    await checkPage('builder-draft');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await checkPage('builder-draft-dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();

    // validate, preview against the cluster
    // a parent in a stack without a wave does not deploy earlier: a diagnostic at its file, line and column
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByTestId('invalid').waitFor();
    expect(await page.getByRole('list', { name: 'Diagnostics' }).innerText()).toMatch(
      new RegExp(
        `^${path}:\\d+:\\d+ spec\\.stacks\\[1\\]\\.addons\\[0\\]\\.parents\\[0\\]\\.manifest parent manifest "namespace" is in stack "base", which does not deploy in an earlier wave`,
      ),
    );
    await checkPage('builder-invalid');
    // the parent's stack in wave 0: valid
    await page.getByRole('button', { name: 'Edit stack base' }).click();
    await page.getByRole('spinbutton', { name: 'Deploy wave' }).first().fill('0');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect
      .poll(() => page.locator('.react-flow__node-lane').allTextContents())
      .toEqual(['Wave 0starts first', 'Wave 1after wave 0']);
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.locator('[data-testid="valid"], [data-testid="invalid"]').first().waitFor();
    expect(await page.getByRole('region', { name: 'Check and publish' }).innerText()).toContain(
      'The draft is valid.',
    );
    await page.getByRole('button', { name: 'Preview against the cluster' }).click();
    await page.getByTestId('preview').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('preview').textContent()).toMatch(/podinfo.*install/);

    // publish to the branch: the commit is shown, and it is the branch's head in Git
    const published = Date.now();
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByTestId('commit').waitFor({ timeout: 60_000 });
    const commit = (await page.getByTestId('commit').textContent())!;
    expect(await page.getByTestId('published').textContent()).toContain('Encrypted with SOPS');
    await checkPage('builder-published');
    await clone.gitAsync('fetch', '-q', clone.remote, '+refs/heads/main:refs/remotes/origin/main');
    expect(clone.git('rev-parse', 'origin/main')).toBe(commit);
    const inGit = clone.git('show', `${commit}:${dir}/values/podinfo.yaml`);
    expect(inGit).toContain('replicaCount: 2');
    expect(inGit).toMatch(/message: ENC\[AES256_GCM,/);
    expect(clone.git('show', commit)).not.toContain(secret);
    const clusterText = clone.git('show', `${commit}:${path}`);
    expect(clusterText).toContain('- manifest: namespace');
    expect(clusterText).toContain('deploy_wave: 0');

    // synced in the cluster: the sync of the commit succeeds
    let sync: { status: string; commit_sha: string } | undefined;
    await expect
      .poll(
        async () => {
          sync = (
            await api<{ items: { status: string; commit_sha: string }[] }>(
              'GET',
              `/clusters/${clusterId}/syncs`,
            )
          ).body.items.find((x) => x.commit_sha === commit);
          return sync?.status;
        },
        { timeout: 180_000, interval: 1000 },
      )
      .toMatch(/^(success|failed)$/);
    expect(sync?.status, JSON.stringify(sync)).toBe('success');
    console.log(`publish → synced: ${((Date.now() - published) / 1000).toFixed(1)} s`);
    // the add-ons tab lists podinfo as the agent reports it
    await page.goto(at(`/clusters/${encodeURIComponent(clusterId)}/addons`));
    await expect
      .poll(
        async () =>
          page
            .getByRole('row', { name: /podinfo/ })
            .first()
            .innerText({ timeout: 1000 })
            .catch(() => ''),
        { timeout: 60_000, interval: 1000 },
      )
      .toContain('Synced');
    const { stdout } = await run(kit.helm, ['get', 'values', 'podinfo', '-n', ns, '-o', 'json'], {
      env: helmEnv(),
    });
    expect(JSON.parse(stdout)).toMatchObject({ replicaCount: 2, ui: { message: secret } });
    await checkPage('builder-synced');
  }, 360_000);
});
