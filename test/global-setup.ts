import type { TestProject } from 'vitest/node';
import { bringUp } from '../harness/cli/up.ts';
import type { Stack } from '../harness/stack/stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stackName: string;
    endpoints: import('../harness/stack/endpoints.ts').Endpoints;
  }
}

/** One real stack for all integration tests, always torn down, also when a test or the setup fails. */
let stack: Stack | undefined;

export async function setup(project: TestProject): Promise<void> {
  const name = process.env.OUTBOX_CHAOS_TEST_STACK_NAME ?? 'test';
  const portBase = Number(process.env.OUTBOX_CHAOS_TEST_PORT_BASE ?? 17500);
  stack = await bringUp({ name, portBase });
  project.provide('stackName', name);
  project.provide('endpoints', stack.endpoints);
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}
