import { spawn, type ChildProcess } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { bringUp } from '../harness/provider/open.ts';
import { PROJECT_ROOT } from '../harness/record/paths.ts';
import { claimStack } from '../harness/stack/owner.ts';
import { attachStack, stopStackByName, type Stack } from '../harness/stack/stack.ts';
import { stopVerified } from './fixtures/stack-stop.ts';
import { CLUSTER_PG17_STACK, CLUSTER_STACK, OPENSEARCH_STACK, SHARED_STACKS, ZOO_STACK } from './tools/lanes.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared stacks' endpoints, by name: a file finds its own by OUTBOX_CHAOS_TEST_STACK (test/stack.ts). */
    endpointsByStack: Record<string, import('../harness/stack/endpoints.ts').Endpoints>;
  }
}

/**
 * The shared real stacks of the integration tests (one, or two: test/tools/lanes.ts), always torn down, also when a
 * test or the setup fails. OUTBOX_CHAOS_TEST_REUSE=<name> runs the tests on a stack you started with
 * `up --detach --name <name>` instead (it is left running), which makes iterating on one test fast. Either way
 * the test run holds the stacks' locks: no other command starts, stops or runs on them meanwhile (the tests'
 * own commands share them).
 */
const owned: Stack[] = [];
let watcher: ChildProcess | undefined;
const OWN_STACKS = [CLUSTER_STACK, CLUSTER_PG17_STACK, ZOO_STACK, OPENSEARCH_STACK].map((s) => s.name);

/**
 * Vitest runs no global teardown on Ctrl-C, and exits before an async cleanup of ours could finish: a
 * detached watcher runs `down` on the run's stacks once this process is gone, unless the teardown ends it.
 */
function stopStacksWhenGone(names: string[]): ChildProcess {
  const down = names.map((n) => `node bin/outbox-chaos.mjs down --name ${n} >/dev/null 2>&1`).join('; ');
  const child = spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${down}`], {
    cwd: PROJECT_ROOT,
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  return child;
}

export async function setup(project: TestProject): Promise<void> {
  const reuse = process.env.OUTBOX_CHAOS_TEST_REUSE;
  if (reuse) {
    claimStack(reuse);
    const stack = await attachStack(reuse);
    if (!stack) throw new Error(`OUTBOX_CHAOS_TEST_REUSE=${reuse}: no such running stack`);
    project.provide('endpointsByStack', { [reuse]: stack.endpoints });
    return;
  }
  watcher = stopStacksWhenGone([...SHARED_STACKS.map((s) => s.name), ...OWN_STACKS]);
  // One after the other: two JVM starts at once on two cores take as long, and share nothing that could race.
  for (const s of SHARED_STACKS) owned.push(await bringUp(s));
  project.provide('endpointsByStack', Object.fromEntries(owned.map((s) => [s.name, s.endpoints])));
}

export async function teardown(): Promise<void> {
  // The cluster, zoo and OpenSearch files stop their own stacks; whatever a crashed worker of theirs left goes here.
  if (!process.env.OUTBOX_CHAOS_TEST_REUSE) for (const name of OWN_STACKS) await stopStackByName(name);
  for (const s of owned) await stopVerified(s);
  watcher?.kill();
}
