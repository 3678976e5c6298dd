import { inject } from 'vitest';
import type { Provider } from '../harness/provider/interface.ts';
import type { Endpoints } from '../harness/stack/endpoints.ts';
import { localProvider } from '../harness/provider/local.ts';
import type { RunReport } from '../harness/record/report.ts';
import { renderMarkdown } from '../harness/report/markdown.ts';
import { loadScenario } from '../harness/scenario/load.ts';
import { runScenario } from '../harness/scenario/runner.ts';
import { attachStack, type Stack } from '../harness/stack/stack.ts';

/** The name of the shared stack this test file holds (test/tools/shared-stack-lock.ts took it for the file). */
export function sharedStackName(): string {
  const name = process.env.OUTBOX_CHAOS_TEST_STACK;
  if (!name) throw new Error('this file holds no shared test stack (OUTBOX_CHAOS_TEST_STACK is not set)');
  return name;
}

/** The endpoints of the shared stack this test file holds. */
export function sharedEndpoints(): Endpoints {
  const ep = inject('endpointsByStack')[sharedStackName()];
  if (!ep) throw new Error(`the global setup started no shared stack "${sharedStackName()}"`);
  return ep;
}

/** The shared stack this test file holds, with its service handles (process faults need them). */
export async function sharedStack(): Promise<Stack> {
  const stack = await attachStack(sharedStackName());
  if (!stack) throw new Error(`the shared test stack "${sharedStackName()}" is not running`);
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
