import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { laneOrder, ownsStack, tryTakeLock } from './lanes.ts';

describe('integration lanes', () => {
  it('alternates the shared stack files with the own-stack files, the longest of each first', () => {
    const files = ['test/a.int.test.ts', 'test/lifecycle.int.test.ts', 'test/scenarios.int.test.ts', 'harness/faults/faults.stack.test.ts', 'test/zoo.int.test.ts', 'test/plugin-path.int.test.ts'];
    expect(laneOrder(files, (f) => f)).toEqual([
      'test/scenarios.int.test.ts',
      'test/zoo.int.test.ts',
      'test/a.int.test.ts',
      'test/lifecycle.int.test.ts',
      'harness/faults/faults.stack.test.ts',
      'test/plugin-path.int.test.ts',
    ]);
  });

  it('keeps the zoo on the shared stack when the tests run on a stack you started', () => {
    expect(ownsStack('/x/test/zoo.int.test.ts')).toBe(!process.env.OUTBOX_CHAOS_TEST_REUSE);
    expect(ownsStack('/x/test/outbox.int.test.ts')).toBe(false);
  });

  it('gives the shared stack lock to one holder at a time, and takes it over from a dead one', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lanes-')), 'test.tests.lock');
    expect(tryTakeLock(path, { pid: process.pid, file: 'a' })).toBeNull();
    expect(tryTakeLock(path, { pid: process.pid, file: 'b' })).toEqual({ pid: process.pid, file: 'a' });
    // pid 2^22 + 1 is above any pid_max Linux allows: never a live process.
    writeFileSync(path, JSON.stringify({ pid: 4_194_305, file: 'dead' }));
    expect(tryTakeLock(path, { pid: process.pid, file: 'c' })).toBeNull();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ pid: process.pid, file: 'c' });
  });
});
