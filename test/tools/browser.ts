/**
 * Headless Debian Chromium for the pages' browser tests: one persistent context per test file, and a page
 * that records anything meaning a page is broken or not offline (console and page errors, requests leaving
 * the file, dialogs an injected script would open).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM } from './prereqs.ts';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  ctx: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(viewport = { width: 1360, height: 900 }): Promise<Browser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'outbox-chaos-chromium-'));
  const ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
  });
  return {
    ctx,
    async close() {
      await ctx.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** A new page whose `problems` fill with what would make it broken or not self-contained. */
export async function watchedPage(ctx: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await ctx.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (!/^(file|data):/.test(r.url())) problems.push(`external request: ${r.url()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog opened (injected script ran?): ${d.message()}`);
    void d.dismiss();
  });
  return { page, problems };
}
