import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonl } from '../record/jsonl.ts';
import type { RunReport } from '../record/report.ts';
import type { Sample } from '../record/samples.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { mkdirPrivate, writePrivate } from '../util/private-files.ts';
import { redactDeep } from '../util/redact.ts';

/** File names inside a run directory. */
export const REPORT_FILES = {
  json: 'report.json',
  markdown: 'report.md',
  html: 'index.html',
  junit: 'junit.xml',
  samples: 'samples.jsonl',
} as const;

export interface WrittenReport {
  json: string;
  markdown: string;
  html: string;
  junit: string;
}

async function writeRendered(
  runDir: string,
  report: RunReport,
  samples: readonly Sample[],
): Promise<Omit<WrittenReport, 'json'>> {
  const paths = {
    markdown: join(runDir, REPORT_FILES.markdown),
    html: join(runDir, REPORT_FILES.html),
    junit: join(runDir, REPORT_FILES.junit),
  };
  writePrivate(paths.markdown, renderMarkdown(report));
  writePrivate(paths.html, renderHtml(report, samples));
  writePrivate(paths.junit, renderJunit(report));
  return paths;
}

/**
 * Writes report.json (pretty) and its three renderings into `runDir` (created if missing), owner-only, from the
 * report with every secret masked (docs/secrets.md).
 */
export async function writeReportFiles(
  runDir: string,
  report: RunReport,
  samples: readonly Sample[],
): Promise<WrittenReport> {
  mkdirPrivate(runDir);
  const json = join(runDir, REPORT_FILES.json);
  const safe = redactDeep(report);
  writePrivate(json, JSON.stringify(safe, null, 2) + '\n');
  return { json, ...(await writeRendered(runDir, safe, samples)) };
}

/**
 * Re-renders report.md, index.html and junit.xml of a recorded run from its report.json and samples.jsonl, with
 * no service running (backs `outbox-chaos report <run-dir>`). report.json itself is left untouched; a missing
 * samples.jsonl renders empty charts.
 */
export async function rerender(runDir: string): Promise<WrittenReport> {
  const json = join(runDir, REPORT_FILES.json);
  let report: RunReport;
  try {
    report = JSON.parse(await readFile(json, 'utf8')) as RunReport;
  } catch (err) {
    throw new Error(`cannot read ${json}: ${(err as Error).message}`);
  }
  if (report.schemaVersion !== 1) {
    throw new Error(`${json}: schemaVersion ${String(report.schemaVersion)} is not supported (expected 1)`);
  }
  let samples: Sample[] = [];
  try {
    samples = await readJsonl<Sample>(join(runDir, REPORT_FILES.samples));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { json, ...(await writeRendered(runDir, redactDeep(report), samples)) };
}
