/**
 * Opens the rendered index.html from a file:// URL in headless Chromium and checks that it draws offline:
 * every chart rendered to a non-empty canvas, no console error, no page error, no request leaving the file.
 * Skips (saying why) when Chromium is not installed; `npm test` installs it where it may (test/tools/prereqs.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureRun } from '../../test/fixtures/run.ts';
import { launchChromium, watchedPage, type Browser } from '../../test/tools/browser.ts';
import { chromiumMissing, skippableTitle } from '../../test/tools/prereqs.ts';
import { ANOMALY_CLASSES } from '../record/anomalies.ts';
import type { RunReport } from '../record/report.ts';
import type { Sample } from '../record/samples.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';

const SCREENSHOT = '/tmp/report-screenshot.png';
const missing = chromiumMissing();

interface Opened {
  page: Page;
  problems: string[];
}

describe.skipIf(missing !== undefined)(skippableTitle('index.html in headless Chromium', missing), () => {
  let browser: Browser | undefined;
  let outDir = '';

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'outbox-chaos-html-'));
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await rm(outDir, { recursive: true, force: true });
  });

  /** Writes the page to disk and opens it, recording anything that would mean it is broken or not offline. */
  async function open(name: string, report: RunReport, samples: readonly Sample[]): Promise<Opened> {
    if (!browser) throw new Error('browser did not start');
    const file = join(outDir, `${name}.html`);
    await writeFile(file, renderHtml(report, samples));
    const { page, problems } = await watchedPage(browser.ctx);
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-chart]')].every((el) => el.hasAttribute('data-rendered')),
      undefined,
      { timeout: 15_000 },
    );
    return { page, problems };
  }

  /** Per chart: rendered flag, canvas size, and how many pixels were actually painted. */
  async function charts(
    page: Page,
  ): Promise<{ name: string | null; rendered: string | null; w: number; h: number; painted: number }[]> {
    return page.$$eval('[data-chart]', (els) =>
      els.map((el) => {
        const canvas = el.querySelector('canvas');
        let painted = 0;
        if (canvas && canvas.width > 0 && canvas.height > 0) {
          const px =
            canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray();
          for (let i = 3; i < px.length; i += 4) if ((px[i] ?? 0) > 0) painted++;
        }
        const box = canvas?.getBoundingClientRect();
        return {
          name: el.getAttribute('data-chart'),
          rendered: el.getAttribute('data-rendered'),
          w: box?.width ?? 0,
          h: box?.height ?? 0,
          painted,
        };
      }),
    );
  }

  it('renders every chart offline, with no console error, page error or external request', async () => {
    const { report, samples } = fixtureRun('diverged');
    const { page, problems } = await open('diverged', report, samples);
    const drawn = await charts(page);
    expect(drawn.map((c) => c.name)).toEqual(['e2e-lag', 'op-rate', 'slot-lag', 'consumer-lag']);
    for (const c of drawn) {
      expect(c.rendered, c.name ?? '').toBe('true');
      expect(c.w, c.name ?? '').toBeGreaterThan(100);
      expect(c.h, c.name ?? '').toBeGreaterThan(100);
      expect(c.painted, c.name ?? '').toBeGreaterThan(1000);
    }
    expect(await page.textContent('[data-verdict]')).toBe('diverged');
    // Hovering inside a fault window names it.
    const box = await page.locator('[data-chart="e2e-lag"] .u-over').boundingBox();
    if (!box) throw new Error('no plot area');
    await page.mouse.move(box.x + box.width * (35 / 60), box.y + box.height / 2);
    await expect.poll(() => page.locator('[data-chart="e2e-lag"] .fault-tip').textContent()).toContain('es-outage');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('renders empty charts with a "no samples" note when nothing was sampled', async () => {
    const { report } = fixtureRun('converged');
    const { page, problems } = await open('empty', report, []);
    const drawn = await charts(page);
    expect(drawn).toHaveLength(4);
    for (const c of drawn) {
      expect(c.rendered, c.name ?? '').toBe('true');
      expect(c.w * c.h, c.name ?? '').toBeGreaterThan(0);
    }
    expect(await page.locator('.no-samples').count()).toBe(4);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('wraps a long fault detail inside the page instead of cutting it off', async () => {
    const { report, samples } = fixtureRun('converged');
    const detail =
      "pg_terminate_backend of the replication slot's walsender: " +
      `terminated walsender pid 48213 of slot debezium_ocmwz7h7puwo_${'x'.repeat(120)}`;
    const timeline = report.timeline.map((w, i) => (i === 0 ? { ...w, fault: 'walsender-killed', detail } : w));
    const { page, problems } = await open('long-detail', { ...report, timeline }, samples);
    const cell = await page.locator('td.detail').first().boundingBox();
    const viewport = page.viewportSize();
    if (!cell || !viewport) throw new Error('no detail cell');
    expect(cell.x + cell.width).toBeLessThanOrEqual(viewport.width);
    expect(cell.height).toBeGreaterThan(30); // wrapped onto several lines
    expect(problems).toEqual([]);
    await page.close();
  });

  it('junit.xml parses with the browser XML parser', async () => {
    if (!browser) throw new Error('browser did not start');
    const { report } = fixtureRun('diverged');
    const xml = renderJunit({ ...report, scenario: 'x\u0001<y>&"z"', notes: ['\u001b[31mred\u001b[0m ]]>'] });
    const page = await browser.ctx.newPage();
    const result = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'application/xml');
      const err = doc.querySelector('parsererror');
      return err ? `parsererror: ${err.textContent ?? ''}` : doc.querySelectorAll('testcase').length;
    }, xml);
    expect(result).toBe(1 + ANOMALY_CLASSES.length); // the run, and one per anomaly class
    await page.close();
  });
});
