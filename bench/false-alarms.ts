/**
 * False-alarm rate of the harness: runs the baseline and a few fault scenarios against the HEALTHY
 * pipeline (connectors/) again and again, and counts how often the harness flags a run that should pass.
 * The zoo proves the checks can fail; this proves they do not fail for nothing.
 *
 *   npm run false-alarms -- --runs 20 [--scenarios baseline,es-outage,es-latency,connect-crash]
 *                           [--name STACK] [--port-base N] [--out FILE] [--same-seed] [--keep]
 *
 * Not a timed test: 4 scenarios × 20 runs take about an hour. Runs are interleaved (run 1 of every
 * scenario, then run 2, …) so slow phases of a shared machine spread over all scenarios, and each run
 * uses the scenario's seed + i (the workload differs per run; --same-seed keeps it). A run is a false
 * alarm when its report does not pass: a verdict other than `converged`, or a steady-state lag over the
 * budget. The table and every run's outcome go to a JSON file, rewritten after each run, so an
 * interrupted session keeps what it measured.
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { localProvider } from '../harness/provider/local.ts';
import { obtainStack } from '../harness/provider/open.ts';
import { PROJECT_ROOT } from '../harness/provision/paths.ts';
import type { Verdict } from '../harness/record/anomalies.ts';
import { fmtDuration } from '../harness/report/format.ts';
import { mdTable } from '../harness/report/md-table.ts';
import { loadScenario } from '../harness/scenario/load.ts';
import { runScenario } from '../harness/scenario/runner.ts';
import { ConfigError } from '../harness/util/errors.ts';
import { info } from '../harness/util/log.ts';
import { onInterrupt } from '../harness/util/signals.ts';
import { LONG_RUN_OPTIONS, portBaseOption, resultFile, runMain } from './lib/long-run.ts';
import { median } from './lib/stats.ts';

const HELP =
  `npm run false-alarms -- [--runs N] [--scenarios a,b,c] [--name STACK] [--port-base N] [--out FILE] ` +
  `[--same-seed] [--keep]

Runs each scenario N times against the healthy pipeline (connectors/) and counts false alarms: runs whose
report does not pass (verdict not converged, or steady-state lag over the budget). Prints a table
(scenario, runs, verdicts, false alarms, median time to convergence) and writes it with every run's
outcome to a JSON file (default reports/false-alarms-<timestamp>.json).

  --runs N          runs per scenario (default 20)
  --scenarios LIST  comma-separated scenario names (default baseline,es-outage,es-latency,connect-crash)
  --name STACK      stack to use (default "default"); started (and stopped at the end) if not running
  --port-base N     port base for a stack this script starts
  --out FILE        where to write the JSON
  --same-seed       every run uses the scenario's own seed (default: seed + run index)
  --keep            leave a stack this script started running`;

export const DEFAULT_SCENARIOS = ['baseline', 'es-outage', 'es-latency', 'connect-crash'];

export interface RunOutcome {
  scenario: string;
  run: number;
  seed: number;
  verdict: Verdict;
  passed: boolean;
  timeToConvergenceMs: number | null;
  lagP99Ms: number | null;
  anomalies: Record<string, number>;
  /** Why the report failed (its ✘ notes), for a false alarm. */
  reasons: string[];
  wallMs: number;
  runDir: string;
}

export interface ScenarioRow {
  scenario: string;
  runs: number;
  converged: number;
  convergedLate: number;
  diverged: number;
  falseAlarms: number;
  medianTimeToConvergenceMs: number | null;
  maxTimeToConvergenceMs: number | null;
}

/** One row per scenario, in the order given, from the outcomes so far. */
export function summarise(scenarios: readonly string[], outcomes: readonly RunOutcome[]): ScenarioRow[] {
  return scenarios.map((scenario) => {
    const mine = outcomes.filter((o) => o.scenario === scenario);
    const ttc = mine.flatMap((o) => (o.timeToConvergenceMs === null ? [] : [o.timeToConvergenceMs]));
    return {
      scenario,
      runs: mine.length,
      converged: mine.filter((o) => o.verdict === 'converged').length,
      convergedLate: mine.filter((o) => o.verdict === 'converged-late').length,
      diverged: mine.filter((o) => o.verdict === 'diverged').length,
      falseAlarms: mine.filter((o) => !o.passed).length,
      medianTimeToConvergenceMs: median(ttc),
      maxTimeToConvergenceMs: ttc.length ? Math.max(...ttc) : null,
    };
  });
}

export function renderTable(rows: readonly ScenarioRow[]): string {
  return mdTable(
    ['scenario', 'runs', 'converged', 'late', 'diverged', 'false alarms', 'median time to convergence', 'max'],
    rows.map((r) => [
      r.scenario,
      String(r.runs),
      String(r.converged),
      String(r.convergedLate),
      String(r.diverged),
      r.runs ? `${r.falseAlarms} (${((100 * r.falseAlarms) / r.runs).toFixed(0)}%)` : '0',
      fmtDuration(r.medianTimeToConvergenceMs),
      fmtDuration(r.maxTimeToConvergenceMs),
    ]),
    [1, 2, 3, 4, 5, 6, 7],
  );
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      scenarios: { type: 'string' },
      'same-seed': { type: 'boolean' },
      ...LONG_RUN_OPTIONS,
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const runs = values.runs === undefined ? 20 : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1)
    throw new ConfigError(`--runs must be a positive whole number, got ${values.runs}`, 'e.g. --runs 20');
  const names = values.scenarios
    ? values.scenarios
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : DEFAULT_SCENARIOS;
  const scenarios = names.map((n) => loadScenario(n)); // validated before the stack is touched
  const out = resultFile('false-alarms', values.out);

  const { stack, owned } = await obtainStack({ name: values.name, portBase: portBaseOption(values['port-base']) });
  const abort = new AbortController();
  const off = onInterrupt(async () => {
    abort.abort();
    if (owned && !values.keep) await stack.stop();
  });
  const outcomes: RunOutcome[] = [];
  const startedAt = new Date().toISOString();
  const save = (): void => {
    const rows = summarise(names, outcomes);
    const body = {
      startedAt,
      finishedAt: new Date().toISOString(),
      stack: stack.name,
      runsPerScenario: runs,
      pipeline: 'connectors/ (healthy)',
      rows,
      runs: outcomes,
    };
    writeFileSync(out, `${JSON.stringify(body, null, 2)}\n`);
  };
  try {
    for (let i = 0; i < runs && !abort.signal.aborted; i++) {
      for (const scenario of scenarios) {
        if (abort.signal.aborted) break;
        const seed = values['same-seed'] ? scenario.seed : scenario.seed + i;
        info(`\n━━ false alarms: ${scenario.name} run ${i + 1}/${runs} (seed ${seed})`);
        const t0 = Date.now();
        const { report, runDir } = await runScenario({
          scenario,
          provider: localProvider(stack),
          seed,
          replay: `npx outbox-chaos run ${scenario.name} --seed ${seed}`,
          signal: abort.signal,
        });
        const o: RunOutcome = {
          scenario: scenario.name,
          run: i + 1,
          seed,
          verdict: report.verdict,
          passed: report.passed,
          timeToConvergenceMs: report.timeToConvergenceMs,
          lagP99Ms: report.lag.e2e.p99,
          anomalies: Object.fromEntries(Object.entries(report.anomalies.counts).filter(([, n]) => n > 0)),
          reasons: report.notes.filter((n) => n.startsWith('✘')),
          wallMs: Date.now() - t0,
          runDir: relative(PROJECT_ROOT, runDir),
        };
        outcomes.push(o);
        console.log(
          `${o.passed ? '✔' : '✘ FALSE ALARM'} ${o.scenario} run ${o.run} seed ${o.seed}: ${o.verdict}, ` +
            `time to convergence ${fmtDuration(o.timeToConvergenceMs)}` +
            `${o.reasons.length ? ` — ${o.reasons.join('; ')}` : ''} (${o.runDir})`,
        );
        save();
      }
    }
  } finally {
    off();
    if (owned && !values.keep) await stack.stop();
  }
  save();
  console.log(`\n${renderTable(summarise(names, outcomes))}\n`);
  console.log(`wrote ${relative(process.cwd(), out)}`);
  const alarms = outcomes.filter((o) => !o.passed).length;
  console.log(`${alarms} false alarm${alarms === 1 ? '' : 's'} in ${outcomes.length} runs of the healthy pipeline`);
  if (abort.signal.aborted) return 130;
  return alarms === 0 ? 0 : 1;
}

runMain(main);
