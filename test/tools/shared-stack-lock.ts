/**
 * A setup file of the integration project: every test file that uses the shared test stack holds its lock
 * from before its first hook to after its last, so that two workers never run two such files at once (one
 * file's faults would land in the other's run). Files with stacks of their own (test/tools/lanes.ts) skip it.
 * The lock is a stack lock of its own (harness/stack/owner.ts): the workers are siblings, so each waits for
 * the other, and a dead worker's lock is taken over.
 */
import { basename } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { claimStack, StackInUse, type Claim } from '../../harness/stack/owner.ts';
import { ownsStack } from './lanes.ts';

const WAIT_MS = 20 * 60_000;
const lock = `${process.env.OUTBOX_CHAOS_TEST_STACK ?? 'test'}.tests`;
let claim: Claim | undefined;

// Vitest wants the context argument destructured; the hook needs only the file (its second argument).
// eslint-disable-next-line no-empty-pattern
beforeAll(async ({}, suite) => {
  const file = suite.file.filepath;
  if (ownsStack(file)) return;
  const t0 = Date.now();
  for (let told = false; ; told = true) {
    try {
      claim = claimStack(lock);
      return;
    } catch (err) {
      if (!(err instanceof StackInUse)) throw err;
      if (Date.now() - t0 > WAIT_MS)
        throw new Error(`the shared test stack is still taken after ${WAIT_MS / 60_000} min: ${err.message}`);
      if (!told) process.stderr.write(`${basename(file)}: waiting for the shared test stack (${err.message})\n`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}, WAIT_MS + 60_000);

afterAll(() => {
  claim?.release();
  claim = undefined;
});
