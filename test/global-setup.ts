import type { TestProject } from 'vitest/node';
import { bringUp } from '../harness/provider/open.ts';
import { waitPortsFree } from '../harness/stack/ports.ts';
import { claimStack } from '../harness/stack/owner.ts';
import { findStackProcesses } from '../harness/stack/processes.ts';
import { attachStack, stopStackByName, type Stack } from '../harness/stack/stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stackName: string;
    endpoints: import('../harness/stack/endpoints.ts').Endpoints;
  }
}

/**
 * One real stack for all integration tests, always torn down, also when a test or the setup fails.
 * OUTBOX_CHAOS_TEST_REUSE=<name> runs the tests on a stack you started with `up --detach --name <name>`
 * instead (it is left running), which makes iterating on one test fast. Either way the test run holds the
 * stack's lock: no other command starts, stops or runs on it meanwhile (the tests' own commands share it).
 */
let owned: Stack | undefined;

export async function setup(project: TestProject): Promise<void> {
  const reuse = process.env.OUTBOX_CHAOS_TEST_REUSE;
  if (reuse) claimStack(reuse);
  let stack = reuse ? await attachStack(reuse) : undefined;
  if (reuse && !stack) throw new Error(`OUTBOX_CHAOS_TEST_REUSE=${reuse}: no such running stack`);
  if (!stack) {
    owned = await bringUp({ name: 'test', portBase: Number(process.env.OUTBOX_CHAOS_TEST_PORT_BASE ?? 17500) });
    stack = owned;
  }
  project.provide('stackName', stack.name);
  project.provide('endpoints', stack.endpoints);
}

export async function teardown(): Promise<void> {
  // The cluster file stops its own stack; whatever a crashed worker of it left goes here.
  if (!process.env.OUTBOX_CHAOS_TEST_REUSE) await stopStackByName(process.env.OUTBOX_CHAOS_TEST_CLUSTER_NAME ?? 'test-cluster');
  if (!owned) return;
  await owned.stop();
  // `down` must leave nothing behind: no process of the stack, no port of its block still bound.
  const left = findStackProcesses(owned.dir);
  const bound = await waitPortsFree(owned.ports, 0);
  if (left.length || bound.length) {
    throw new Error(`stack "${owned.name}" left processes ${left.join(', ') || 'none'} and bound ports ${bound.join(', ') || 'none'} after stop()`);
  }
}
