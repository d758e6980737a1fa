/**
 * Time to first render in Chromium: the fleet with N clusters and the add-ons list of a cluster with N
 * add-ons, against the real platform (embedded database, loopback), with the built UI.
 *
 *   node packages/web/test/bench/firstRender.ts [--clusters 1000] [--addons 1000] [--runs 5]
 *
 * For each page and run: a fresh navigation; `rows` is when the first data row is in the document
 * (a MutationObserver), `painted` the frame after it, both from the navigation's start
 * (Performance API), with the first contentful paint and the API requests the page made.
 * Time to interactive (TTI): the end of the last long task (>= 50 ms, a PerformanceObserver for
 * `longtask`, buffered from the navigation's start) after the first contentful paint, once 5 s
 * have passed with no long task (network quietness is not part of it), and not before the first
 * contentful paint nor DOMContentLoaded (so with no long task it is the later of those two). `long tasks` counts those after the first contentful paint.
 * Then the add-ons table is scrolled from top to bottom, one step per frame, counting frames
 * longer than 50 ms (dropped) and the longest; then again from the top while Chromium's
 * performance trace runs (the Tracing domain through CDP): from the trace it counts the page's frames from the compositor's
 * `PipelineReporter` events (category `benchmark`, each one frame with its state: presented,
 * partially presented, dropped, no update wanted), `BeginFrame`, `DrawFrame` and `DroppedFrame`
 * (`disabled-by-default-devtools.timeline.frame`) and main-thread `Commit`s (`devtools.timeline`).
 * Last, the initial JavaScript (the entry script and the chunks it preloads), gzip level 9, as
 * `npm run size -w @mooring/web` prints it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, loadConfig, startPlatform } from '@mooring/platform';
import type { Page } from 'playwright-core';
import { WEB_ROOT } from '../../src/paths.ts';
import { ensureWebBuild, launchBrowser } from '../support/browser.ts';
import { manyAddons, validDefinition } from '../support/definitions.ts';
import { login, signInWithToken } from '../support/session.ts';

const { values: args } = parseArgs({
  options: {
    clusters: { type: 'string', default: '1000' },
    addons: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '5' },
    quiet: { type: 'string', default: '5000' },
  },
});
const CLUSTERS = Number(args.clusters);
const ADDONS = Number(args.addons);
const RUNS = Number(args.runs);
const QUIET_MS = Number(args.quiet);

interface Sample {
  rows: number;
  painted: number;
  fcp: number;
  requests: number;
  tti: number;
  longTasks: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function firstRender(page: Page, url: string, selector: string): Promise<Sample> {
  await page.goto('about:blank');
  await page.addInitScript((sel: string) => {
    const w = window as unknown as { __rows?: number; __painted?: number; __long?: [number, number][] };
    w.__long = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__long!.push([e.startTime, e.startTime + e.duration]);
    }).observe({ type: 'longtask', buffered: true });
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
  // time to interactive: wait until QUIET_MS have passed since the last long task (or the FCP)
  await page.waitForFunction(
    (quiet: number) => {
      const w = window as unknown as { __long: [number, number][] };
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
      if (fcp === undefined) return false;
      const lastEnd = Math.max(fcp, ...w.__long.map(([, end]) => end));
      return performance.now() - lastEnd >= quiet;
    },
    QUIET_MS,
    { timeout: 180_000, polling: 250 },
  );
  return page.evaluate(() => {
    const w = window as unknown as { __rows: number; __painted: number; __long: [number, number][] };
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN;
    const requests = performance
      .getEntriesByType('resource')
      .filter((e) => e.name.includes('/api/v1/')).length;
    const after = w.__long.filter(([, end]) => end > fcp);
    const dcl =
      (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)
        ?.domContentLoadedEventEnd ?? 0;
    const tti = Math.max(fcp, dcl, ...after.map(([, end]) => end));
    return { rows: w.__rows, painted: w.__painted, fcp, requests, tti, longTasks: after.length };
  });
}

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  pid: number;
  ts: number;
  args?: { hasPartialUpdate?: boolean; frame_reporter?: { state?: string } };
}

/** Runs `body` under Chromium's performance trace and counts the frames in it. */
async function traced(page: Page, body: () => Promise<void>) {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => {
    events.push(...(e.value as unknown as TraceEvent[]));
  });
  const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: {
      recordMode: 'recordAsMuchAsPossible',
      includedCategories: [
        'benchmark',
        'devtools.timeline',
        'disabled-by-default-devtools.timeline',
        'disabled-by-default-devtools.timeline.frame',
      ],
    },
  });
  await body();
  await cdp.send('Tracing.end');
  await complete;
  await cdp.detach();
  // the page's renderer: the process with the most BeginFrames (the compositor's frame ticks)
  const beginsBy = new Map<number, number>();
  for (const e of events) if (e.name === 'BeginFrame') beginsBy.set(e.pid, (beginsBy.get(e.pid) ?? 0) + 1);
  const renderer = [...beginsBy.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const mine = events.filter((e) => e.pid === renderer);
  const reporterStates = new Map<string, number>();
  for (const e of mine) {
    if (e.name !== 'PipelineReporter' || e.ph !== 'b') continue;
    const state = e.args?.frame_reporter?.state;
    if (state) reporterStates.set(state, (reporterStates.get(state) ?? 0) + 1);
  }
  const dropped = mine.filter((e) => e.name === 'DroppedFrame');
  const tss = mine.filter((e) => e.name === 'BeginFrame').map((e) => e.ts);
  return {
    events: events.length,
    beginFrames: tss.length,
    drawFrames: mine.filter((e) => e.name === 'DrawFrame').length,
    droppedFrames: dropped.filter((e) => !e.args?.hasPartialUpdate).length,
    partialFrames: dropped.filter((e) => e.args?.hasPartialUpdate).length,
    // the main thread's commits to the compositor (devtools.timeline's complete events)
    commits: mine.filter((e) => e.name === 'Commit' && e.ph === 'X').length,
    reporterStates,
    seconds: tss.length > 1 ? (Math.max(...tss) - Math.min(...tss)) / 1e6 : 0,
  };
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
  console.log(
    '| page | first rows (median ms) | painted | first contentful paint | time to interactive | long tasks after FCP | API requests | runs |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const p of pages) {
    // one warm-up: the browser's cache of the scripts, the platform's of the database
    await firstRender(browser.page, p.url, p.selector);
    const samples: Sample[] = [];
    for (let r = 0; r < RUNS; r++) samples.push(await firstRender(browser.page, p.url, p.selector));
    const m = (k: keyof Sample) => median(samples.map((s) => s[k])).toFixed(0);
    console.log(
      `| ${p.name} | ${m('rows')} (${samples.map((s) => s.rows.toFixed(0)).join(', ')}) | ${m('painted')} | ${m('fcp')} | ${m('tti')} (${samples.map((s) => s.tti.toFixed(0)).join(', ')}) | ${m('longTasks')} | ${m('requests')} | ${RUNS} |`,
    );
  }
  const s = await scrollFrames(browser.page);
  console.log(
    `scroll of the ${ADDONS} add-ons, top to bottom: ${s.frames} frames, ${s.dropped} longer than 50 ms, longest ${s.longest.toFixed(1)} ms`,
  );
  // again from the top, under the trace (tracing costs the renderer some time of its own)
  await browser.page.evaluate(() => {
    (document.querySelector('.table-scroll.virtual') as HTMLElement).scrollTop = 0;
  });
  await browser.page.waitForTimeout(500);
  let t = { frames: 0, dropped: 0, longest: 0 };
  const trace = await traced(browser.page, async () => {
    t = await scrollFrames(browser.page);
  });
  console.log(
    `scroll again under Chromium's trace: ${t.frames} frames, ${t.dropped} longer than 50 ms, longest ${t.longest.toFixed(1)} ms`,
  );
  const states = [...trace.reporterStates.entries()].map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(
    `  Chromium's trace (${trace.events} events, ${trace.seconds.toFixed(1)} s of BeginFrames): ` +
      `${trace.beginFrames} BeginFrame, ${trace.drawFrames} DrawFrame, ` +
      `${trace.droppedFrames} DroppedFrame (+ ${trace.partialFrames} with a partial update), ` +
      `${trace.commits} Commit; PipelineReporter frames: ${states || 'none'}`,
  );
  const size = execFileSync(process.execPath, ['src/bin/size.ts'], { cwd: WEB_ROOT, encoding: 'utf8' });
  console.log(size.trim().split('\n').at(-1));
} finally {
  await browser.close();
  await platform.close();
  rmSync(dataDir, { recursive: true, force: true });
}
