import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { docOf, HistoryRecorder, product } from '../../test/fixtures/checker.ts';
import { fixtureRun } from '../../test/fixtures/run.ts';
import { ANOMALY_CLASSES } from '../record/anomalies.ts';
import type { RunReport } from '../record/report.ts';
import { readSnapshot, writeSnapshot } from '../record/snapshot-file.ts';
import { recheckRun } from './recheck.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A run directory as a converged run leaves it: history, report.json and the snapshot it was judged on. */
function convergedRun(): { dir: string; report: RunReport } {
  const dir = mkdtempSync(join(tmpdir(), 'oc-recheck-'));
  dirs.push(dir);
  const h = new HistoryRecorder();
  const rows = [product(1), product(2, { price: '5.00' }), product(3)];
  for (const r of rows) h.insert(r);
  writeFileSync(join(dir, 'history.jsonl'), `${h.entries.map((e) => JSON.stringify(e)).join('\n')}\n`);
  const zero = Object.fromEntries(ANOMALY_CLASSES.map((c) => [c, 0])) as RunReport['anomalies']['counts'];
  const base = fixtureRun('converged').report;
  const report: RunReport = {
    ...base,
    verdict: 'converged',
    anomalies: { counts: zero, examples: base.anomalies.examples },
    setupErrors: { count: 0, examples: [] },
  };
  writeSnapshot(dir, {
    takenAt: 1,
    dates: { epoch: 'millis', iso: true },
    pgRows: 3,
    esDocs: 3,
    digests: { pg: 'x', es: 'y' },
    pg: rows,
    es: rows.map((r) => docOf(r)),
  });
  return { dir, report };
}

describe("report --recheck: today's checker on a recorded run, without a stack", () => {
  it('gives the same verdict on an untouched run directory', async () => {
    const { dir, report } = convergedRun();
    const r = await recheckRun(dir, report);
    expect(r).toMatchObject({ same: true, now: { verdict: 'converged' }, differences: [] });
  });

  it('gives a different one when a document in the saved snapshot is edited', async () => {
    const { dir, report } = convergedRun();
    const snap = readSnapshot(dir)!;
    snap.es![1]!._source['price'] = '4.99';
    writeSnapshot(dir, snap);
    const r = await recheckRun(dir, report);
    expect(r.same).toBe(false);
    expect(r.now.verdict).toBe('diverged');
    expect(r.differences).toEqual(['verdict converged → diverged', 'corrupt 0 → 1']);
  });

  it('refuses a run without a snapshot, and one that kept digests only, saying why', async () => {
    const { dir, report } = convergedRun();
    rmSync(join(dir, 'snapshot'), { recursive: true });
    await expect(recheckRun(dir, report)).rejects.toThrow(/holds no saved snapshot/);
    writeSnapshot(dir, {
      takenAt: 1,
      dates: { epoch: 'millis', iso: true },
      pgRows: 9e5,
      esDocs: 9e5,
      digests: { pg: 'x', es: 'y' },
      omitted: 'more than 200000 rows',
    });
    await expect(recheckRun(dir, report)).rejects.toThrow(/digests only \(more than 200000 rows\)/);
  });
});
