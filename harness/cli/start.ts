import { localProvider } from '../provider/local.ts';
import { obtainStack } from '../provider/open.ts';
import { renderMarkdown } from '../report/markdown.ts';
import { loadScenario } from '../scenario/load.ts';
import { runScenario } from '../scenario/runner.ts';
import { info } from '../util/log.ts';
import { interruptGuard } from '../util/signals.ts';
import { parse } from './args.ts';
import { printEndpoints } from './up.ts';

export const START_HELP = `outbox-chaos start

The main job behind \`npm start\`: provisions what is missing, brings the stack up (or uses the one \`up
--detach\` left running), runs the \`baseline\` scenario — a randomized workload through the whole pipeline,
then the convergence check — writes its report to reports/<run-id>/ (reports/latest), and stops the stack it
started. Exit code 0 when Elasticsearch converged to Postgres within the budget, 1 when not.`;

export async function startCommand(argv: string[]): Promise<number> {
  const { values } = parse('start', argv, {});
  if (values.help) {
    console.log(START_HELP);
    return 0;
  }
  const scenario = loadScenario('baseline');
  const { stack, owned } = await obtainStack({});
  // Ctrl-C / SIGTERM: the run heals its faults and writes its partial report; the process
  // exits once that and the stop below are done.
  const abort = interruptGuard();
  try {
    if (owned) printEndpoints(stack);
    const { report, runDir } = await runScenario({
      scenario,
      provider: localProvider(stack),
      replay: `npx outbox-chaos run baseline --seed ${scenario.seed}`,
      signal: abort.signal,
    });
    console.log(`\n${renderMarkdown(report)}`);
    info(`report: ${runDir}/index.html (also reports/latest/)`);
    info(`service logs of the run: ${runDir}/logs/`);
    return report.passed ? 0 : 1;
  } finally {
    if (owned) await stack.stop();
    abort.release();
  }
}
