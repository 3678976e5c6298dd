import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runIdFor } from './run-dir.ts';
import { pruneRuns } from './retention.ts';

const HOUR = 3_600_000;

function runDir(root: string, at: number, scenario = 'baseline', finished = true): string {
  const dir = join(root, runIdFor(scenario, 7, new Date(at)));
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, 'timeline.jsonl'), '{}\n');
  if (finished) writeFileSync(join(dir, 'report.json'), '{}');
  return dir;
}

describe('bounded reports/', () => {
  it('keeps the newest N runs, the one latest points at, runs in progress, and everything not named like a run', () => {
    const root = mkdtempSync(join(tmpdir(), 'oc-retention-'));
    const now = Date.UTC(2026, 0, 10, 12);
    const dirs = Array.from({ length: 8 }, (_, i) =>
      runDir(root, now - (8 - i) * HOUR, i % 2 ? 'es-outage' : 'baseline'),
    );
    // latest points at an old run (a re-render, a shrink's original): it stays.
    symlinkSync(dirs[1] as string, join(root, 'latest'));
    // An old run without a report whose timeline moved a minute ago: another process is still running it.
    const going = runDir(root, now - 20 * HOUR, 'random-chaos', false);
    utimesSync(join(going, 'timeline.jsonl'), new Date(now - 60_000), new Date(now - 60_000));
    // An old unfinished run nobody writes to any more (a crash) is pruned like any other.
    const crashed = runDir(root, now - 21 * HOUR, 'connect-crash', false);
    utimesSync(join(crashed, 'timeline.jsonl'), new Date(now - 20 * HOUR), new Date(now - 20 * HOUR));
    mkdirSync(join(root, 'suite-20260101-000000Z-run'));
    writeFileSync(join(root, 'false-alarms-1.json'), '{}');

    const r = pruneRuns(3, root, now);
    expect(r.removed.sort()).toEqual([crashed, dirs[0], dirs[2], dirs[3], dirs[4]].sort());
    expect(r.bytes).toBeGreaterThan(0);
    for (const d of [dirs[1], dirs[5], dirs[6], dirs[7], going]) expect(existsSync(d as string)).toBe(true);
    expect(existsSync(join(root, 'suite-20260101-000000Z-run'))).toBe(true);
    expect(existsSync(join(root, 'false-alarms-1.json'))).toBe(true);
    expect(pruneRuns(3, root, now).removed).toEqual([]);
    rmSync(root, { recursive: true, force: true });
  });

  it('does nothing where there is no reports directory', () => {
    expect(pruneRuns(5, join(tmpdir(), 'oc-retention-none', String(process.pid)))).toEqual({
      removed: [],
      bytes: 0,
      kept: 0,
    });
  });
});
