import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface InlineAssets {
  uplotJs: string;
  uplotCss: string;
  /** The report page's own script and stylesheet (harness/report/assets). */
  clientJs: string;
  css: string;
}

let cached: InlineAssets | undefined;

/**
 * Everything the page needs, read from disk and inlined, so index.html opens offline with no external request.
 * uPlot is found through its package.json, so this works wherever npm placed it.
 */
export function inlineAssets(): InlineAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const uplotDist = join(dirname(require.resolve('uplot/package.json')), 'dist');
  const here = join(dirname(fileURLToPath(import.meta.url)), 'assets');
  cached = {
    uplotJs: readFileSync(join(uplotDist, 'uPlot.iife.min.js'), 'utf8'),
    uplotCss: readFileSync(join(uplotDist, 'uPlot.min.css'), 'utf8'),
    clientJs: readFileSync(join(here, 'report.client.js'), 'utf8'),
    css: readFileSync(join(here, 'report.css'), 'utf8'),
  };
  return cached;
}
