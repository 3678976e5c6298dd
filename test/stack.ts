import { inject } from 'vitest';
import type { Provider } from '../harness/provider/interface.ts';
import { localProvider } from '../harness/provider/local.ts';
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
