/**
 * The soak: random-chaos schedules back to back on one stack for a given time, a new seed each run, counting
 * verdicts against the healthy pipeline, while the harness's own memory (RSS) and open file descriptors are
 * sampled. A leak in the harness (a listener per run, a socket never closed, a growing buffer) shows here
 * long before a CI job that runs for hours would fall over.
 *
 *   npm run soak -- --minutes 30 [--scenario random-chaos] [--seed N] [--name STACK] [--port-base N]
 *                   [--out FILE] [--keep]
 *
 * Not in `npm test`. Writes the table and every run's outcome to a JSON file, rewritten after each run.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { localProvider } from '../harness/provider/local.ts';
import { obtainStack } from '../harness/provider/open.ts';
import { PROJECT_ROOT } from '../harness/provision/paths.ts';
import { fmtDuration } from '../harness/report/format.ts';
import { loadScenario } from '../harness/scenario/load.ts';
import { runScenario } from '../harness/scenario/runner.ts';
import { ConfigError, errorMessage } from '../harness/util/errors.ts';
import { info } from '../harness/util/log.ts';
import { onInterrupt } from '../harness/util/signals.ts';
import { LONG_RUN_OPTIONS, portBaseOption, resultFile, runMain } from './lib/long-run.ts';
import { renderSoakTable, summariseSoak, type Footprint, type SoakRun } from './lib/soak-summary.ts';

const HELP =
  `npm run soak -- [--minutes N] [--scenario NAME] [--seed N] [--name STACK] [--port-base N] [--out FILE] ` +
  `[--keep]

Runs the scenario (default random-chaos) back to back on one stack until N minutes (default 30) have
passed, seed N, N+1, … (default: a seed from the clock), against the healthy pipeline (connectors/). Samples
the harness's RSS and open file descriptors every 10 s and after every run (after a forced GC when node runs
with --expose-gc, as \`npm run soak\` does). Prints a table: runs, verdicts, false alarms (runs whose report
does not pass), RSS after the first run (warm-up) and after the last, open fds.

  --minutes N       how long to keep starting runs (default 30; the last run finishes after it)
  --scenario NAME   the scenario (default random-chaos)
  --seed N          the first seed (default: from the clock)
  --name STACK      stack to use (default "soak"); started, and stopped at the end, if not running
  --port-base N     port base for a stack this script starts
  --out FILE        where to write the JSON (default reports/soak-<timestamp>.json)
  --keep            leave a stack this script started running

Exit code 0 when no run was a false alarm and RSS after the last run is at most 1.2 × RSS after the first.`;

function footprint(): Footprint {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { t: Date.now(), rssBytes: m.rss, heapUsedBytes: m.heapUsed, openFds: readdirSync('/proc/self/fd').length };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string' },
      scenario: { type: 'string' },
      seed: { type: 'string' },
      ...LONG_RUN_OPTIONS,
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const minutes = values.minutes === undefined ? 30 : Number(values.minutes);
  if (!Number.isFinite(minutes) || minutes <= 0)
    throw new ConfigError(`--minutes must be a positive number, got ${values.minutes}`, 'e.g. --minutes 30');
  const scenario = loadScenario(values.scenario ?? 'random-chaos');
  const firstSeed = values.seed === undefined ? Math.floor(Date.now() / 1000) % 1_000_000 : Number(values.seed);
  const out = resultFile('soak', values.out);

  const { stack, owned } = await obtainStack({
    name: values.name ?? 'soak',
    portBase: portBaseOption(values['port-base']),
  });
  const leave = owned && !values.keep;
  const abort = new AbortController();
  let settle = (): void => undefined;
  const settled = new Promise<void>((r) => (settle = r));
  const off = onInterrupt(async (sig) => {
    abort.abort(sig);
    await settled;
  });
  const startedAt = Date.now();
  const deadline = startedAt + minutes * 60_000;
  const samples: Footprint[] = [footprint()];
  const sampler = setInterval(() => samples.push(footprint()), 10_000);
  const runs: SoakRun[] = [];
  const save = (): void => {
    const summary = summariseSoak(runs, samples);
    const body = {
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date().toISOString(),
      minutes,
      scenario: scenario.name,
      stack: stack.name,
      firstSeed,
      summary,
      runs,
      samples,
    };
    writeFileSync(out, `${JSON.stringify(body, null, 2)}\n`);
  };
  const provider = localProvider(stack);
  try {
    for (let i = 0; Date.now() < deadline && !abort.signal.aborted; i++) {
      const seed = firstSeed + i;
      const left = Math.max(0, Math.round((deadline - Date.now()) / 60_000));
      info(`\n━━ soak run ${i + 1} (seed ${seed}), about ${left} min left`);
      const t0 = Date.now();
      let r: SoakRun;
      try {
        const { report, runDir } = await runScenario({
          scenario,
          provider,
          seed,
          replay: `npx outbox-chaos run ${scenario.name} --seed ${seed}`,
          signal: abort.signal,
        });
        if (report.interrupted) break;
        r = {
          run: i + 1,
          seed,
          verdict: report.verdict,
          passed: report.passed,
          reasons: report.notes.filter((x) => x.startsWith('✘')),
          timeToConvergenceMs: report.timeToConvergenceMs,
          wallMs: Date.now() - t0,
          runDir: relative(PROJECT_ROOT, runDir),
          after: footprint(),
        };
      } catch (err) {
        r = {
          run: i + 1,
          seed,
          verdict: 'error',
          passed: false,
          reasons: [errorMessage(err)],
          timeToConvergenceMs: null,
          wallMs: Date.now() - t0,
          after: footprint(),
        };
      }
      runs.push(r);
      const mib = (r.after.rssBytes / 2 ** 20).toFixed(0);
      console.log(
        `${r.passed ? '✔' : '✘ FALSE ALARM'} run ${r.run} seed ${seed}: ${r.verdict}, ` +
          `time to convergence ${fmtDuration(r.timeToConvergenceMs)}; harness RSS ${mib} MiB, ${r.after.openFds} fds` +
          `${r.reasons.length ? ` — ${r.reasons.join('; ')}` : ''}`,
      );
      save();
      // A service gone or a stack broken: every later run would fail for the same reason.
      if (r.verdict === 'error') break;
    }
  } finally {
    clearInterval(sampler);
    if (leave) await stack.stop();
    off();
    settle();
  }
  save();
  const s = summariseSoak(runs, samples);
  console.log(`\n${renderSoakTable(s, (Date.now() - startedAt) / 60_000)}\n`);
  for (const [reason, count] of Object.entries(s.reasons)) console.log(`  ${count} × ${reason}`);
  console.log(`wrote ${relative(process.cwd(), out)}`);
  if (abort.signal.aborted) return 130;
  return s.falseAlarms === 0 && (s.rssRatio === null || s.rssRatio <= 1.2) ? 0 : 1;
}

runMain(main);
