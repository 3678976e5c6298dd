import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pruneRuns } from './retention.ts';
import { createRunDir, runIdFor } from './run-dir.ts';

describe('run directories', () => {
  const saved = process.env.OUTBOX_CHAOS_REPORTS;
  afterEach(() => {
    if (saved === undefined) delete process.env.OUTBOX_CHAOS_REPORTS;
    else process.env.OUTBOX_CHAOS_REPORTS = saved;
  });

  it("are each run's own: the same scenario and seed started in the same second (two stacks) get two", () => {
    const root = mkdtempSync(join(tmpdir(), 'runs-'));
    process.env.OUTBOX_CHAOS_REPORTS = root;
    try {
      const id = runIdFor('es-outage', 101, new Date('2026-12-06T22:28:48.100Z'));
      const a = createRunDir(id);
      const b = createRunDir(id);
      const c = createRunDir(id);
      expect([a.runId, b.runId, c.runId]).toEqual([id, `${id}-2`, `${id}-3`]);
      for (const r of [a, b, c]) expect(existsSync(join(r.dir, 'logs'))).toBe(true);
      // The suffixed ones are runs too: retention counts and prunes them.
      expect(pruneRuns(1, root, Date.now() + 60 * 60_000).kept).toBe(1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
