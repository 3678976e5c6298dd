import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunReport } from '../record/report.ts';
import { findSuites, mergeSuites, shardProblems } from '../report/suite/merge.ts';
import { totalsLine, type SuiteRecord } from '../report/suite/model.ts';
import { writeSuiteRecord } from '../report/suite/write.ts';
import { rerender } from '../report/write.ts';
import { recheckRun } from '../scenario/recheck.ts';
import { ConfigError } from '../util/errors.ts';
import { parse } from './args.ts';

export const REPORT_HELP = `outbox-chaos report <run-dir> [--recheck]
       outbox-chaos report --merge DIR... [--title TEXT]

Re-renders report.md, index.html and junit.xml of a run from its recorded files (report.json,
samples.jsonl), without any service running. Example: outbox-chaos report reports/latest

  --recheck         re-run today's checker on the run's history and the snapshot of both stores its verdict
                    was judged on (snapshot/), reading documents by the raw index mapping kept there, re-judge
                    the run, and say whether the verdict, anomaly counts and pass/fail are the same; exit 0 when
                    they are, 1 when not (try a checker change against old runs), 2 when a file of the run
                    directory is not what the run wrote (digests and counts are checked first)
  --merge DIR...    one suite over the suites found at or under each DIR (the reports/ of each CI runner that
                    ran \`run --all --shard i/n\`): writes reports/suite-<time>-<kind>/ (index.html, summary.md,
                    junit.xml with every scenario, suite.json) and says whether the shards are all there; exit
                    0 every row passed, 1 a row failed, 2 a shard is missing, repeated or split differently
  --title TEXT      the merged suite's title (default: the shards' own, with "merged")`;

export async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('report', argv, {
    recheck: { type: 'boolean' },
    merge: { type: 'boolean' },
    title: { type: 'string' },
  });
  if (values.help) {
    console.log(REPORT_HELP);
    return 0;
  }
  if (values.merge) return mergeCommand(positionals, values.title as string | undefined);
  const dir = resolve(positionals[0] ?? 'reports/latest');
  if (!existsSync(join(dir, 'report.json')))
    throw new ConfigError(`${dir} holds no report.json`, 'pass a run directory, e.g. reports/latest');
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport;
  if (values.recheck) return printRecheck(dir, report);
  const written = await rerender(dir);
  console.log(readFileSync(written.markdown, 'utf8'));
  console.error(`re-rendered ${written.markdown}, ${written.html}, ${written.junit}`);
  return report.passed ? 0 : 1;
}

function mergeCommand(dirs: string[], title: string | undefined): number {
  if (dirs.length === 0)
    throw new ConfigError('report --merge: which suites?', 'pass the directories the shards wrote, e.g. shards/*');
  const suites = findSuites(dirs);
  const problems = shardProblems(suites);
  const first = suites[0]!.record;
  const sh = first.shard;
  let merged!: SuiteRecord;
  const dir = writeSuiteRecord(
    {
      title: title ?? `${first.title.replace(/ --shard \S+/, '')} (merged${sh ? ` from ${sh.count} shards` : ''})`,
      kind: first.kind,
    },
    (meta) => (merged = mergeSuites(suites, meta)),
  );
  console.log(`merged ${suites.length} suites: ${totalsLine(merged.totals)}`);
  for (const p of problems) console.error(`✘ ${p}`);
  console.log(`suite report: ${dir}/index.html (and summary.md, junit.xml)`);
  if (problems.length) return 2;
  return merged.totals.failed ? 1 : 0;
}

async function printRecheck(dir: string, report: RunReport): Promise<number> {
  const r = await recheckRun(dir, report);
  const classes = (counts: Record<string, number>): string =>
    Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([c, n]) => `${n} ${c}`)
      .join(', ') || 'no anomalies';
  console.log(`recorded  ${r.recorded.verdict} (${classes(r.recorded.counts)})`);
  console.log(`now       ${r.now.verdict} (${classes(r.now.counts)})`);
  for (const reason of r.now.reasons) console.log(`          ✘ ${reason}`);
  if (r.same)
    console.log(
      `✔ the same verdict from today's checker on ${r.comparison.pgRows} rows and ${r.comparison.esDocs} documents`,
    );
  else console.log(`✘ today's checker disagrees: ${r.differences.join('; ')}`);
  return r.same ? 0 : 1;
}
