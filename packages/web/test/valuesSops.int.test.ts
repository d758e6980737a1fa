import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createLogger, loadConfig, type RunningPlatform, startPlatform } from '@mooring/platform';
import { type GitServer, startGitServer } from '@mooring/testkit';
import type { Page } from 'playwright-core';
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

// The add-on's Values tab in Chromium against the real platform, a real Git server holding the
// cluster file and a `.sops.yaml` for the kit's age key, and the kit's sops: a key chosen by
// keyboard is encrypted (ciphertext for it, the other keys readable), axe finds no serious or
// critical violation in either theme, and the choice is saved as a Stack Builder draft.

const kit = inject('kit');

describe('add-on Values tab: encrypt chosen keys with SOPS', () => {
  let work: string;
  let git: GitServer;
  let url: string;
  let platform: RunningPlatform;
  let browser: Browser;
  let page: Page;
  let base: string;
  let token: string;
  let clusterId: string;
  const name = `sops-ui-${Date.now().toString(36)}`;
  const path = `clusters/${name}/cluster.yaml`;
  const SECRET = 'correct-horse-battery';
  const OLD_SECRET = 'old-token-3141';

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
    - name: web
      addons:
        - name: shop
          chart_name: podinfo
          chart_version: "6.0.0"
          repository_url: https://charts.example.com
          namespace: shop
          encrypted_paths:
            - api.token
          configuration:
            values: |
              replicaCount: 2
              auth:
                user: alice
                password: ${SECRET}
              api:
                token: ${OLD_SECRET}
`;

  const api = async <T>(method: string, p: string, body?: unknown) => {
    const r = await fetch(`${base}/api/v1${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T, text };
  };
  const checkPage = async (shot: string) => {
    await screenshot(page, shot);
    const violations = await seriousViolations(page);
    expect(violations, `${shot}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
  };

  beforeAll(async () => {
    ensureWebBuild();
    // the platform encrypts with the kit's sops (on PATH, as in production)
    process.env.PATH = `${dirname(kit.sops)}:${process.env.PATH ?? ''}`;
    work = mkdtempSync(join(tmpdir(), 'mooring-web-sops-'));
    git = await startGitServer(join(work, 'git'));
    url = git.createRepo('acme/sops-ui');
    const clone = new WorkClone(url);
    clone.commit(
      {
        [path]: clusterFile(),
        '.sops.yaml': `creation_rules:\n  - path_regex: ^clusters/.*\\.yaml$\n    age: ${kit.agePublicKey}\n`,
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
        MOORING_GIT_POLL_SECONDS: '3600',
        MOORING_SWEEP_INTERVAL_SECONDS: '3600',
      }),
      logger: createLogger('silent'),
      print: () => undefined,
    });
    base = platform.address!.replace('0.0.0.0', '127.0.0.1');
    token = await login(base, platform.firstCredentials!.username, platform.firstCredentials!.password);
    const imported = await api<{ cluster: { id: string } }>('POST', '/clusters', {
      definition: clusterFile(),
      path,
    });
    expect(imported.status, imported.text).toBe(201);
    clusterId = imported.body.cluster.id;
    browser = await launchBrowser();
    page = browser.page;
    await signInWithToken(page, base, token);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
    await git?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('encrypts a key chosen by keyboard: ciphertext for it, the other keys readable; accessible in both themes', async () => {
    await page.goto(`${base}/clusters/${encodeURIComponent(clusterId)}/addons/shop/values`);
    await page.getByRole('heading', { name: 'Encrypt with SOPS' }).waitFor();
    // the masked key is not offered; the readable ones are
    const keys = page.getByRole('group', { name: 'Keys to encrypt' });
    await expect.poll(() => keys.getByRole('checkbox').count()).toBe(3);
    expect(await keys.getByRole('checkbox', { name: 'api.token' }).count()).toBe(0);
    const encrypt = page.getByRole('button', { name: 'Encrypt with SOPS' });
    expect(await encrypt.isDisabled()).toBe(true);
    await checkPage('addon-values-sops');

    // by keyboard: focus the key, Space ticks it, Tab to the button, Enter encrypts
    const password = keys.getByRole('checkbox', { name: 'auth.password' });
    await password.focus();
    await page.keyboard.press('Space');
    expect(await password.isChecked()).toBe(true);
    await encrypt.focus();
    expect(await encrypt.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');

    const result = page.locator('.sops-text');
    await result.waitFor({ timeout: 60_000 });
    const text = (await result.textContent()) ?? '';
    expect(text).toMatch(/^\s*password: ENC\[AES256_GCM,data:[^\]]+,type:str\]$/m);
    expect(text).toMatch(/^\s*token: ENC\[AES256_GCM,/m);
    expect(text).toMatch(/^replicaCount: 2$/m);
    expect(text).toMatch(/^\s*user: alice$/m);
    expect(text).toContain(kit.agePublicKey);
    expect(text).not.toContain(SECRET);
    expect(await page.locator('.sops-result').textContent()).not.toContain(OLD_SECRET);
    // the encrypted key never reaches the page
    expect(await page.content()).not.toContain(OLD_SECRET);
    await page.getByRole('heading', { name: 'Readable-keys result' }).waitFor();
    await checkPage('addon-values-sops-result');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await page.locator('html[data-theme="dark"]').waitFor({ state: 'attached' });
    await checkPage('addon-values-sops-result-dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
  });

  it('saves the choice as a Stack Builder draft that encrypts the key on publish', async () => {
    const save = page.getByRole('button', { name: 'Save as a Stack Builder draft' });
    await save.focus();
    await page.keyboard.press('Enter');
    const link = page.getByRole('link', { name: 'Open it in the Stack Builder to publish' });
    await link.waitFor({ timeout: 60_000 });
    const href = (await link.getAttribute('href')) ?? '';
    const draftId = new URL(href, base).searchParams.get('draft');
    expect(draftId).toBeTruthy();
    const d = await api<{
      stacks: { addons: { name: string; encrypted_paths: string[]; values?: string }[] }[];
      changed_files: { path: string }[];
    }>('GET', `/clusters/${clusterId}/drafts/${draftId}`);
    expect(d.status, d.text).toBe(200);
    const shop = d.body.stacks.flatMap((s) => s.addons).find((a) => a.name === 'shop')!;
    expect(shop.encrypted_paths.sort()).toEqual(['api.token', 'auth.password']);
    // the draft shows the chosen value masked, never its plaintext
    expect(d.text).not.toContain(SECRET);
    expect(d.body.changed_files.map((f) => f.path)).toContain(path);
  });
});
