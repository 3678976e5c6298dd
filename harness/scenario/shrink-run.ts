import { info } from '../util/log.ts';
import { describeStep, shrinkSchedule } from './random-chaos.ts';
import { runScenario, type RunOptions, type RunResult } from './runner.ts';

/**
 * `run --shrink`: after a random-chaos run failed, re-runs the scenario with smaller schedules (see
 * shrinkSchedule) and prints the smallest one that still fails the same way (same verdict, not passed).
 * Every re-run is a full run with its own report directory; the smallest failing one holds scenario.yaml,
 * which replays that schedule exactly.
 */
export async function shrinkFailingRun(
  base: RunOptions,
  failed: RunResult,
  opts: { maxRuns?: number } = {},
): Promise<{ smallest: RunResult; runs: number }> {
  let smallest = failed;
  info(
    `\n▸ shrinking the failing schedule of ${failed.report.scenario} ` +
      `(seed ${failed.report.seed}, at most ${opts.maxRuns ?? 12} re-runs)`,
  );
  const result = await shrinkSchedule(
    failed.schedule,
    async (faults) => {
      if (base.signal?.aborted) return false;
      const r = await runScenario({ ...base, faults });
      const fails = !r.report.passed && r.report.verdict === failed.report.verdict;
      if (fails) smallest = r;
      return fails;
    },
    { maxRuns: opts.maxRuns, log: (l) => info(`  ${l}`) },
  );
  info(
    `\nsmallest failing schedule (${result.runs} re-run${result.runs === 1 ? '' : 's'}` +
      `${result.exhausted ? ', stopped at the re-run cap' : ''}):`,
  );
  for (const s of smallest.schedule) info(`  ${describeStep(s)}`);
  if (smallest.schedule.length === 0) info('  (no faults)');
  info(`its run: ${smallest.runDir} (verdict ${smallest.report.verdict})`);
  // The run's own replay line: its pinned scenario.yaml (or the seed, when nothing smaller failed) and --connectors.
  info(`replay it exactly: ${smallest.report.replay}`);
  return { smallest, runs: result.runs };
}
