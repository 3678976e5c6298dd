/**
 * The README's catalogue table, generated from a `run --all` suite: for each scenario what a healthy pipeline
 * does (its file's `healthy:`) and what the run measured (verdict, time to converge or to the verdict, rows in
 * each anomaly class, regressions, lag p99), with the commit it ran on (generate it right after the run).
 *
 *   npx outbox-chaos run --all && npm run catalogue-table [-- --suite reports/suite-…-run]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { listScenarios, loadScenario } from '../harness/scenario/load.ts';
import { PROJECT_ROOT } from '../harness/record/paths.ts';
import type { RunReport } from '../harness/record/report.ts';
import { catalogueTable, CATALOGUE_END, CATALOGUE_START, type CatalogueRun } from './lib/catalogue-table.ts';
import { treeState } from './lib/git.ts';

interface SuiteRow {
  scenario: string;
  result: string;
  runId: string;
}

const arg = process.argv.indexOf('--suite');
const suiteDir = resolve(arg > 0 ? process.argv[arg + 1]! : join(PROJECT_ROOT, 'reports', 'latest-suite'));
const suite = JSON.parse(readFileSync(join(suiteDir, 'suite.json'), 'utf8')) as {
  createdAt: string;
  rows: SuiteRow[];
};
const runs: CatalogueRun[] = suite.rows.map((row) => {
  const report = JSON.parse(readFileSync(join(suiteDir, '..', row.runId, 'report.json'), 'utf8')) as RunReport;
  const scenario = loadScenario(row.scenario);
  const file = relative(PROJECT_ROOT, scenario.file);
  return { scenario: row.scenario, file, healthy: scenario.healthy, result: row.result, report };
});
const ran = new Set(runs.map((r) => r.scenario));
// The cluster's scenarios are skipped on a single stack: named, so the table does not pass for the whole catalogue.
const notRun = listScenarios()
  .map((s) => s.name)
  .filter((n) => !ran.has(n));
const tree = treeState(PROJECT_ROOT, ['README.md']);
const table = catalogueTable(runs, {
  commit: tree.commit,
  clean: tree.clean,
  date: suite.createdAt.slice(0, 10),
  notRun,
});
const readme = join(PROJECT_ROOT, 'README.md');
const text = readFileSync(readme, 'utf8');
const a = text.indexOf(CATALOGUE_START);
const b = text.indexOf(CATALOGUE_END);
if (a < 0 || b < a) throw new Error(`README.md has no ${CATALOGUE_START} … ${CATALOGUE_END} block`);
writeFileSync(readme, text.slice(0, a) + table + text.slice(b + CATALOGUE_END.length));
console.log(`README.md: the catalogue table, ${runs.length} scenarios from ${suiteDir}`);
