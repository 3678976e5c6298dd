/**
 * The suite page in headless Chromium, from a file:// URL: every scenario shows with its verdict, the table
 * sorts, the trends draw, each row's link opens that run's own page, and nothing leaves the file. Skips
 * (saying why) without Chromium; `npm test` installs it where it may (test/tools/prereqs.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureRun } from '../../../test/fixtures/run.ts';
import { earlierFixtureSuites, fixtureSuiteRuns } from '../../../test/fixtures/suite.ts';
import { launchChromium, watchedPage, type Browser } from '../../../test/tools/browser.ts';
import { chromiumMissing, skippableTitle } from '../../../test/tools/prereqs.ts';
import { renderHtml } from '../html.ts';
import { SUITE_FILES, writeSuite } from './write.ts';

const SCREENSHOT = '/tmp/suite-screenshot.png';
/** A laptop's window; every column must fit it (with room for a class or two more than today). */
const WIDTH = 1600;
const missing = chromiumMissing();

describe.skipIf(missing !== undefined)(skippableTitle('suite index.html in headless Chromium', missing), () => {
  let browser: Browser | undefined;
  let root = '';
  let suiteDir = '';
  const { runs, skipped } = fixtureSuiteRuns();

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'outbox-chaos-suite-page-'));
    // Earlier suites for the trends, and each run's own page where its link points.
    for (const s of earlierFixtureSuites()) {
      mkdirSync(join(root, s.id));
      writeFileSync(join(root, s.id, SUITE_FILES.json), JSON.stringify(s));
    }
    const placed = runs.map((r) => ({ ...r, runDir: join(root, r.report.runId) }));
    const { samples } = fixtureRun('converged');
    for (const r of placed) {
      mkdirSync(r.runDir, { recursive: true });
      writeFileSync(join(r.runDir, 'index.html'), renderHtml(r.report, samples));
    }
    suiteDir = writeSuite(placed, {
      title: 'run --all',
      kind: 'run',
      skipped,
      root,
      now: new Date('2025-03-14T10:00:00Z'),
    });
    browser = await launchChromium({ width: WIDTH, height: 900 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function open(): Promise<{ page: Page; problems: string[] }> {
    if (!browser) throw new Error('browser did not start');
    const w = await watchedPage(browser.ctx);
    await w.page.goto(pathToFileURL(join(suiteDir, SUITE_FILES.html)).href, { waitUntil: 'load' });
    await w.page.waitForSelector('table.runs[data-ready="true"]', { timeout: 10_000 });
    return w;
  }

  const rowNames = (page: Page): Promise<string[]> =>
    page.$$eval('table.runs tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-row') ?? ''));

  it('shows every scenario with its verdict, offline, within the page width', async () => {
    const { page, problems } = await open();
    const rows = await page.$$eval('table.runs tbody tr', (trs) =>
      trs.map((tr) => ({
        name: tr.getAttribute('data-row'),
        verdict: tr.querySelector('[data-verdict]')?.textContent ?? null,
        visible: (tr as HTMLElement).offsetHeight > 0,
      })),
    );
    expect(rows).toEqual([
      { name: 'baseline', verdict: 'converged', visible: true },
      { name: 'es-outage', verdict: 'converged', visible: true },
      { name: 'connect-crash', verdict: 'converged late', visible: true },
      { name: 'kafka-partition', verdict: 'diverged', visible: true },
      { name: 'sink-ignores-tombstones', verdict: 'diverged', visible: true },
      { name: '<b>odd & "name"</b>', verdict: 'converged', visible: true },
      { name: 'walsender-killed', verdict: null, visible: true },
    ]);
    expect(await page.textContent('[data-suite-result]')).toBe('failed');
    const sparks = await page.$$eval('svg.spark', (els) => els.map((e) => e.getBoundingClientRect().width));
    expect(sparks.length).toBe(12);
    for (const w of sparks) expect(w).toBeGreaterThan(100);
    expect(await page.locator('.regressed').first().textContent()).toContain('2.7×');
    // Every column fits the window: nothing to scroll to.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(WIDTH);
    expect(await page.$eval('table.runs', (t) => t.parentElement!.scrollWidth <= t.parentElement!.clientWidth)).toBe(
      true,
    );
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('sorts by a clicked column, missing figures last, and back', async () => {
    const { page, problems } = await open();
    const head = page.locator('table.runs thead th', { hasText: 'convergence' });
    await head.click();
    expect(await rowNames(page)).toEqual([
      'baseline',
      '<b>odd & "name"</b>',
      'es-outage',
      'connect-crash',
      'kafka-partition',
      'sink-ignores-tombstones',
      'walsender-killed',
    ]);
    expect(await head.getAttribute('aria-sort')).toBe('ascending');
    await head.click();
    expect((await rowNames(page)).slice(0, 3)).toEqual(['connect-crash', 'es-outage', '<b>odd & "name"</b>']);
    await page.locator('table.runs thead th', { hasText: 'result' }).click();
    expect((await rowNames(page)).slice(0, 2)).toEqual(['connect-crash', 'kafka-partition']); // failures first
    expect(problems).toEqual([]);
    await page.close();
  });

  it("links each run's own report page", async () => {
    const { page, problems } = await open();
    const hrefs = await page.$$eval('table.runs tbody a', (as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(hrefs).toHaveLength(6);
    for (const h of hrefs) expect(existsSync(fileURLToPath(h)), h).toBe(true);
    await page.locator('tr[data-row="es-outage"] a').click();
    await page.waitForSelector('[data-verdict]');
    expect(resolve(fileURLToPath(page.url()))).toBe(join(root, runs[1]?.report.runId ?? '', 'index.html'));
    expect(await page.textContent('h1')).toBe('es-outage');
    expect(problems).toEqual([]);
    await page.close();
  });
});
