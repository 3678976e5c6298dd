/** Run directories as suite input, for commands that find runs on disk rather than make them (tests, compare). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunReport } from '../../record/report.ts';
import type { SuiteRun } from './model.ts';

/** A run directory's report.json as a suite run; undefined when it has none yet (a run that died). */
export function readRun(runDir: string): SuiteRun | undefined {
  const file = join(runDir, 'report.json');
  if (!existsSync(file)) return undefined;
  try {
    const report = JSON.parse(readFileSync(file, 'utf8')) as RunReport;
    return report.schemaVersion === 1 ? { report, runDir } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The runs under `root` that started at or after `sinceMs`, in the order they started: what one session (the
 * integration tests) made, read back from the directories its runs wrote (by the start time each report
 * records, not by file times, which a copy or a re-render changes).
 */
export function runsSince(root: string, sinceMs: number): SuiteRun[] {
  if (!existsSync(root)) return [];
  const out: SuiteRun[] = [];
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith('suite-')) continue;
    const run = readRun(join(root, e.name));
    if (run && Date.parse(run.report.startedAt) >= sinceMs) out.push(run);
  }
  return out.sort((a, b) => a.report.startedAt.localeCompare(b.report.startedAt));
}
