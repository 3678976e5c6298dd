/**
 * A setup file of the integration project: every test file that uses the shared test stack holds its lock
 * from before its first hook to after its last, so that two workers never run two such files at once (one
 * file's faults would land in the other's run). Files with stacks of their own (test/tools/lanes.ts) skip it.
 */
import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { ownsStack, sharedStackLockPath, tryTakeLock } from './lanes.ts';

const WAIT_MS = 20 * 60_000;
const path = sharedStackLockPath(process.env.OUTBOX_CHAOS_TEST_STACK ?? 'test');
let held = false;

// Vitest wants the context argument destructured; the hook needs only the file (its second argument).
// eslint-disable-next-line no-empty-pattern
beforeAll(async ({}, suite) => {
  const file = suite.file.filepath;
  if (ownsStack(file)) return;
  const t0 = Date.now();
  const me = { pid: process.pid, file };
  for (let holder = tryTakeLock(path, me), told = false; holder; holder = tryTakeLock(path, me), told = true) {
    if (Date.now() - t0 > WAIT_MS) throw new Error(`the shared test stack is still in use by ${holder.file} (pid ${holder.pid}) after ${WAIT_MS / 60_000} min (lock ${path})`);
    if (!told) process.stderr.write(`${basename(file)}: waiting for the shared test stack, in use by ${basename(holder.file)}\n`);
    await new Promise((r) => setTimeout(r, 250));
  }
  held = true;
}, WAIT_MS + 60_000);

afterAll(() => {
  if (held) rmSync(path, { force: true });
  held = false;
});
