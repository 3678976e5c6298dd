/**
 * A setup file of the integration project: every test file that uses a shared test stack holds one of them
 * from before its module is loaded to after its last hook, so that two workers never run two such files on one
 * stack at once (one file's faults would land in the other's run). The global setup starts a pool of them
 * (test/tools/lanes.ts, SHARED_STACKS): a file takes the first that is free, and finds its name in
 * OUTBOX_CHAOS_TEST_STACK (test/stack.ts). Files with stacks of their own (lanes.ts) skip it.
 * Each lock is a stack lock of its own (harness/stack/owner.ts): the workers are siblings, so each waits for
 * the other, and a dead worker's lock is taken over.
 */
import { basename } from 'node:path';
import { afterAll, expect } from 'vitest';
import { claimStack, StackInUse, type Claim } from '../../harness/stack/owner.ts';
import { ownsStack, sharedStackNames } from './lanes.ts';

const WAIT_MS = 20 * 60_000;

/** The first free stack of the pool, waited for; claimed before the test file is loaded (it reads the name). */
async function claimFree(file: string): Promise<{ claim: Claim; name: string }> {
  const names = sharedStackNames();
  const t0 = Date.now();
  for (let told = false; ; told = true) {
    let busy = '';
    for (const name of names)
      try {
        return { claim: claimStack(`${name}.tests`), name };
      } catch (err) {
        if (!(err instanceof StackInUse)) throw err;
        busy = err.message;
      }
    if (Date.now() - t0 > WAIT_MS)
      throw new Error(`the shared test stacks are still taken after ${WAIT_MS / 60_000} min: ${busy}`);
    if (!told) process.stderr.write(`${basename(file)}: waiting for a shared test stack (${busy})\n`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const file = expect.getState().testPath ?? '';
if (!ownsStack(file)) {
  const { claim, name } = await claimFree(file);
  process.env.OUTBOX_CHAOS_TEST_STACK = name;
  afterAll(() => claim.release());
}
