import { inject } from 'vitest';
import type { Provider } from '../harness/provider/interface.ts';
import { localProvider } from '../harness/provider/local.ts';
import type { RunReport } from '../harness/record/report.ts';
import { renderMarkdown } from '../harness/report/markdown.ts';
import { loadScenario } from '../harness/scenario/load.ts';
import { runScenario } from '../harness/scenario/runner.ts';
import { attachStack, type Stack } from '../harness/stack/stack.ts';

/** The stack the global setup started, with its service handles (process faults need them). */
export async function sharedStack(): Promise<Stack> {
  const stack = await attachStack(inject('stackName'));
  if (!stack) throw new Error(`the shared test stack "${inject('stackName')}" is not running`);
  return stack;
}

/** The shared stack as the local provider. */
export async function sharedProvider(): Promise<Provider> {
  return localProvider(await sharedStack());
}

/**
 * A scenario (a catalogue name or a file) run on the shared stack against a definition directory, with the
 * replay command its report prints and the rendered report for failure messages.
 */
export async function runOnDefinition(
  nameOrFile: string,
  dir: string,
): Promise<{ report: RunReport; runDir: string; md: string }> {
  const scenario = loadScenario(nameOrFile);
  const { report, runDir } = await runScenario({
    scenario,
    provider: await sharedProvider(),
    connectorsDir: dir,
    replay: `npx outbox-chaos run ${nameOrFile} --seed ${scenario.seed} --connectors ${dir}`,
  });
  return { report, runDir, md: renderMarkdown(report) };
}
