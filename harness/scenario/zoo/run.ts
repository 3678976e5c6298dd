import { relative } from 'node:path';
import { restoreDefaultPipeline } from '../../pipeline/lifecycle.ts';
import type { Provider } from '../../provider/interface.ts';
import { traitsOf } from '../../provider/traits.ts';
import { PROJECT_ROOT } from '../../record/paths.ts';
import type { RunReport } from '../../record/report.ts';
import { errorMessage } from '../../util/errors.ts';
import { info, warn } from '../../util/log.ts';
import { judge, observedIn } from '../judge.ts';
import { runScenario } from '../runner.ts';
import { controlExpectation, type ZooEntry, type ZooOutcome } from './entries.ts';
import { classesOf, describeOutcome } from './summary.ts';

/**
 * Runs one entry on the stack: its scenario against its definition directory, or, for a control run,
 * against the healthy pipeline.
 */
export async function runZooEntry(
  entry: ZooEntry,
  provider: Provider,
  opts: { signal?: AbortSignal; control?: boolean } = {},
): Promise<ZooOutcome> {
  const t0 = Date.now();
  const control = opts.control === true;
  const rel = relative(PROJECT_ROOT, entry.dir);
  // A control run uses the healthy definition the entry departs from (connectors/, or connectors/outbox/).
  const healthy = relative(PROJECT_ROOT, entry.base);
  const controlDir = healthy === 'connectors' ? undefined : entry.base;
  const { report, runDir } = await runScenario({
    // A control run expects what the healthy pipeline must do under the entry's scenario: converge.
    scenario: control ? { ...entry.scenario, expect: controlExpectation(entry) } : entry.scenario,
    provider,
    connectorsDir: control ? controlDir : entry.dir,
    replay:
      `npx outbox-chaos run ${entry.name} --seed ${entry.scenario.seed}` +
      (control ? (controlDir ? ` --connectors ${healthy}` : '') : ` --connectors ${rel}`),
    signal: opts.signal,
  });
  const { caught, reasons } = control ? judgeControl(entry, report) : judgeZoo(entry, report);
  return { entry, control, report, runDir, wallMs: Date.now() - t0, caught, reasons };
}

/**
 * Whether the harness caught the entry's bug as the entry says it must: the scenario's judge, with the entry's
 * expectations.
 */
export function judgeZoo(entry: ZooEntry, report: RunReport): { caught: boolean; reasons: string[] } {
  const expect = { ...entry.scenario.expect, failedTask: entry.extra.failedTask, lagP99Ms: null };
  const { reasons } = judge(expect, observedIn(report, entry.connectors));
  const pattern = entry.extra.exampleDetail;
  if (pattern !== undefined) {
    const details = entry.scenario.expect.anomalies
      .flatMap((c) => report.anomalies.examples[c] ?? [])
      .map((a) => a.detail);
    if (!details.some((d) => new RegExp(pattern).test(d)))
      reasons.push(
        `no example of ${entry.scenario.expect.anomalies.join('/')} names the bug (/${pattern}/): ` +
          `${details.slice(0, 2).join(' | ') || 'no examples'}`,
      );
  }
  return { caught: reasons.length === 0, reasons };
}

/** A control run passes when the healthy pipeline does what controlExpectation says under the same scenario. */
export function judgeControl(entry: ZooEntry, report: RunReport): { caught: boolean; reasons: string[] } {
  const { passed, reasons } = judge(
    { ...controlExpectation(entry), lagP99Ms: null },
    observedIn(report, entry.extra.controlFailedTask ? entry.connectors : { source: '', sink: '' }),
  );
  const why =
    `the healthy pipeline ${report.verdict} under this scenario ` +
    `(${[classesOf(report.anomalies.counts), ...reasons].join('; ')}); ` +
    `the entry's result may not be due to its misconfiguration`;
  return { caught: passed, reasons: passed ? [] : [why] };
}

/**
 * Runs the entries one after another on one provider and prints each outcome as it comes. A local stack the
 * zoo borrowed (one `up --detach` left running) gets the healthy pipeline back at the end.
 */
export async function runZoo(
  entries: ZooEntry[],
  provider: Provider,
  o: { control: boolean; borrowed: boolean; signal: AbortSignal },
): Promise<ZooOutcome[]> {
  const outcomes: ZooOutcome[] = [];
  for (const [i, entry] of entries.entries()) {
    info(
      `\n━━ zoo ${i + 1}/${entries.length}: ${entry.name} — ` +
        (o.control
          ? `control run on the healthy pipeline (${relative(PROJECT_ROOT, entry.base)}/)`
          : `${entry.diff.join(', ')} (${relative(PROJECT_ROOT, entry.dir)})`),
    );
    const outcome = await runZooEntry(entry, provider, { signal: o.signal, control: o.control });
    outcomes.push(outcome);
    console.log(describeOutcome(outcome));
    if (o.signal.aborted) return outcomes;
  }
  if (o.borrowed && traitsOf(provider).detachable) {
    info('\nregistering the healthy pipeline (connectors/) again on the borrowed stack');
    await restoreDefaultPipeline(provider.endpoints).catch((err: unknown) =>
      warn(`could not restore the healthy pipeline: ${errorMessage(err)}`),
    );
  }
  return outcomes;
}
