/**
 * Time to first render in Chromium: the fleet with N clusters and the add-ons list of a cluster with N
 * add-ons, against the real platform (embedded database, loopback), with the built UI.
 *
 *   node packages/web/test/bench/firstRender.ts [--clusters 1000] [--addons 1000] [--runs 5]
 *
 * For each page and run: a fresh navigation; `rows` is when the first data row is in the document
 * (a MutationObserver), `painted` the frame after it, both from the navigation's start
 * (Performance API), with the first contentful paint and the API requests the page made.
 * Then the add-ons table is scrolled from top to bottom, one step per frame, counting frames
 * longer than 50 ms (dropped) and the longest.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, loadConfig, startPlatform } from '@mooring/platform';
import type { Page } from 'playwright-core';
import { ensureWebBuild, launchBrowser } from '../support/browser.ts';
import { manyAddons, validDefinition } from '../support/definitions.ts';
import { login, signInWithToken } from '../support/session.ts';

const { values: args } = parseArgs({
  options: {
    clusters: { type: 'string', default: '1000' },
    addons: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '5' },
  },
});
const CLUSTERS = Number(args.clusters);
const ADDONS = Number(args.addons);
const RUNS = Number(args.runs);

interface Sample {
  rows: number;
  painted: number;
  fcp: number;
  requests: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function firstRender(page: Page, url: string, selector: string): Promise<Sample> {
  await page.goto('about:blank');
  await page.addInitScript((sel: string) => {
    const w = window as unknown as { __rows?: number; __painted?: number };
    new MutationObserver((_, obs) => {
      if (w.__rows === undefined && document.querySelector(sel)) {
        w.__rows = performance.now();
        obs.disconnect();
        requestAnimationFrame(() => setTimeout(() => (w.__painted = performance.now()), 0));
      }
    }).observe(document, { subtree: true, childList: true });
  }, selector);
  await page.goto(url);
  await page.waitForFunction(
    () => (window as unknown as { __painted?: number }).__painted !== undefined,
    null,
    {
      timeout: 120_000,
    },
  );
  return page.evaluate(() => {
    const w = window as unknown as { __rows: number; __painted: number };
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN;
    const requests = performance
      .getEntriesByType('resource')
      .filter((e) => e.name.includes('/api/v1/')).length;
    return { rows: w.__rows, painted: w.__painted, fcp, requests };
  });
}

async function scrollFrames(page: Page): Promise<{ frames: number; dropped: number; longest: number }> {
  return page.evaluate(async () => {
    const el = document.querySelector('.table-scroll.virtual') as HTMLElement;
    const gaps: number[] = [];
    let last = performance.now();
    while (el.scrollTop + el.clientHeight < el.scrollHeight - 1) {
      el.scrollTop += 120;
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }
    return { frames: gaps.length, dropped: gaps.filter((g) => g > 50).length, longest: Math.max(...gaps) };
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'mooring-render-'));
ensureWebBuild();
const platform = await startPlatform({
  config: loadConfig({
    MOORING_DATA_DIR: dataDir,
    MOORING_LISTEN: '127.0.0.1',
    MOORING_PORT: '0',
    MOORING_LOG_LEVEL: 'warn',
    MOORING_SWEEP_INTERVAL_SECONDS: '86400',
  }),
  logger: createLogger('warn'),
  print: () => undefined,
});
const browser = await launchBrowser();
try {
  const base = platform.address!;
  const token = await login(base, platform.firstCredentials!.username, platform.firstCredentials!.password);
  const importYaml = async (yaml: string) => {
    const r = await fetch(`${base}/api/v1/clusters`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' },
      body: yaml,
    });
    if (r.status !== 201) throw new Error(`import: ${r.status} ${await r.text()}`);
    return ((await r.json()) as { cluster: { id: string } }).cluster.id;
  };
  const started = Date.now();
  const many = await importYaml(manyAddons('render-addons', ADDONS));
  for (let i = 1; i < CLUSTERS; i += 16) {
    await Promise.all(
      Array.from({ length: Math.min(16, CLUSTERS - i) }, (_, k) =>
        importYaml(validDefinition(`render-${String(i + k).padStart(4, '0')}`)),
      ),
    );
    if ((i - 1) % 160 === 0)
      console.log(`  ${i + 15} clusters imported, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  console.log(
    `imported ${CLUSTERS} clusters (one with ${ADDONS} add-ons) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );

  await signInWithToken(browser.page, base, token);
  const pages = [
    { name: `fleet, ${CLUSTERS} clusters`, url: `${base}/`, selector: 'tbody tr td a' },
    {
      name: `add-ons list, ${ADDONS} add-ons`,
      url: `${base}/clusters/${many}/addons`,
      selector: 'tbody tr:not(.spacer) td',
    },
  ];
  console.log('| page | first rows (median ms) | painted | first contentful paint | API requests | runs |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const p of pages) {
    // one warm-up: the browser's cache of the scripts, the platform's of the database
    await firstRender(browser.page, p.url, p.selector);
    const samples: Sample[] = [];
    for (let r = 0; r < RUNS; r++) samples.push(await firstRender(browser.page, p.url, p.selector));
    const m = (k: keyof Sample) => median(samples.map((s) => s[k])).toFixed(0);
    console.log(
      `| ${p.name} | ${m('rows')} (${samples.map((s) => s.rows.toFixed(0)).join(', ')}) | ${m('painted')} | ${m('fcp')} | ${m('requests')} | ${RUNS} |`,
    );
  }
  const s = await scrollFrames(browser.page);
  console.log(
    `scroll of the ${ADDONS} add-ons, top to bottom: ${s.frames} frames, ${s.dropped} longer than 50 ms, longest ${s.longest.toFixed(1)} ms`,
  );
} finally {
  await browser.close();
  await platform.close();
  rmSync(dataDir, { recursive: true, force: true });
}
