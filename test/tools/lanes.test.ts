import { describe, expect, it } from 'vitest';
import { laneOrder, ownsStack } from './lanes.ts';

describe('integration lanes', () => {
  it('alternates the shared stack files with the own-stack files, the longest of each first', () => {
    const files = [
      'test/a.int.test.ts',
      'test/lifecycle.int.test.ts',
      'test/scenarios.int.test.ts',
      'harness/faults/faults.stack.test.ts',
      'test/zoo.int.test.ts',
      'test/plugin-path.int.test.ts',
    ];
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
});
