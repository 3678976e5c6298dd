import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
      'test/capacity.int.test.ts',
    ];
    expect(laneOrder(files, (f) => f)).toEqual([
      'test/scenarios.int.test.ts',
      'test/zoo.int.test.ts',
      'test/capacity.int.test.ts',
      'test/lifecycle.int.test.ts',
      'test/a.int.test.ts',
      'test/plugin-path.int.test.ts',
      'harness/faults/faults.stack.test.ts',
    ]);
  });

  it('keeps the zoo on the shared stack when the tests run on a stack you started', () => {
    expect(ownsStack('/x/test/zoo.int.test.ts')).toBe(!process.env.OUTBOX_CHAOS_TEST_REUSE);
    expect(ownsStack('/x/test/outbox.int.test.ts')).toBe(false);
  });

  it('runs the OpenSearch file on a stack you started only when that stack runs OpenSearch', () => {
    const saved = { reuse: process.env.OUTBOX_CHAOS_TEST_REUSE, state: process.env.OUTBOX_CHAOS_STATE };
    const root = mkdtempSync(join(tmpdir(), 'lanes-'));
    const stack = (name: string, search?: string) => {
      mkdirSync(join(root, name));
      writeFileSync(join(root, name, 'state.json'), JSON.stringify({ name, ...(search ? { search } : {}) }));
    };
    try {
      process.env.OUTBOX_CHAOS_STATE = root;
      stack('os', 'opensearch');
      stack('es', 'elasticsearch');
      stack('old');
      delete process.env.OUTBOX_CHAOS_TEST_REUSE;
      expect(ownsStack('/x/test/opensearch.int.test.ts')).toBe(true);
      process.env.OUTBOX_CHAOS_TEST_REUSE = 'os';
      expect(ownsStack('/x/test/opensearch.int.test.ts')).toBe(false);
      for (const other of ['es', 'old']) {
        process.env.OUTBOX_CHAOS_TEST_REUSE = other;
        expect(ownsStack('/x/test/opensearch.int.test.ts')).toBe(true);
      }
    } finally {
      for (const [k, v] of [
        ['OUTBOX_CHAOS_TEST_REUSE', saved.reuse],
        ['OUTBOX_CHAOS_STATE', saved.state],
      ] as const)
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      rmSync(root, { recursive: true, force: true });
    }
  });
});
