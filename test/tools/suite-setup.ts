/**
 * The integration tests' suite report: when the session ends, every run directory under reports/ that a run
 * started during this session wrote becomes one suite (reports/latest-suite). Runs are found by the start
 * time their report.json records, so whatever test made them (scenarios, zoo, checker, external provider)
 * needs no hook; a run of another command during the session would be counted too, which the page shows.
 */
import { reportsRoot } from '../../harness/record/paths.ts';
import { runsSince } from '../../harness/report/suite/collect.ts';
import { writeSuite } from '../../harness/report/suite/write.ts';

let since = 0;

export function setup(): void {
  since = Date.now();
}

export function teardown(): void {
  const runs = runsSince(reportsRoot(), since);
  if (runs.length === 0) return;
  const dir = writeSuite(runs, { title: 'npm test: integration runs', kind: 'integration' });
  process.stdout.write(
    `\nsuite report over the ${runs.length} run${runs.length === 1 ? '' : 's'} of this session: ` +
      `${dir}/index.html (junit.xml, summary.md)\n`,
  );
}
