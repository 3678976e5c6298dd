import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { docOf, HistoryRecorder, product } from '../../test/fixtures/checker.ts';
import { fixtureRun } from '../../test/fixtures/run.ts';
import { ANOMALY_CLASSES, type EsDoc } from '../record/anomalies.ts';
import type { ProductRow } from '../record/history.ts';
import type { RunReport } from '../record/report.ts';
import { digestOf, writeSnapshot } from '../record/snapshot-file.ts';
import { ConfigError } from '../util/errors.ts';
import { recheckRun } from './recheck.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const HEALTHY_MAPPING = JSON.parse(readFileSync(join(import.meta.dirname, '../../connectors/es-index.json'), 'utf8'))
  .mappings as Record<string, unknown>;

/** Writes a snapshot as the runner does: digests and counts of what it holds. */
function snapshotOf(dir: string, pg: ProductRow[], es: EsDoc[], mapping: unknown = HEALTHY_MAPPING): void {
  writeSnapshot(dir, {
    takenAt: 1,
    mapping,
    pgRows: pg.length,
    esDocs: es.length,
    digests: { pg: digestOf(pg), es: digestOf(es) },
    pg,
    es,
  });
}

/** A run directory as a converged run leaves it: history, report.json and the snapshot it was judged on. */
function convergedRun(opts: { minRows?: number; es?: (rows: ProductRow[]) => EsDoc[]; mapping?: unknown } = {}): {
  dir: string;
  report: RunReport;
} {
  const dir = mkdtempSync(join(tmpdir(), 'oc-recheck-'));
  dirs.push(dir);
  const h = new HistoryRecorder();
  const rows = [product(1), product(2, { price: '5.00' }), product(3, { price: '19.99' })];
  for (const r of rows) h.insert(r);
  writeFileSync(join(dir, 'history.jsonl'), `${h.entries.map((e) => JSON.stringify(e)).join('\n')}\n`);
  const zero = Object.fromEntries(ANOMALY_CLASSES.map((c) => [c, 0])) as RunReport['anomalies']['counts'];
  const base = fixtureRun('converged').report;
  const es = (opts.es ?? ((r) => r.map((x) => docOf(x))))(rows);
  const report: RunReport = {
    ...base,
    verdict: 'converged',
    passed: true,
    anomalies: { counts: zero, examples: base.anomalies.examples },
    setupErrors: { count: 0, examples: [] },
    regressions: { count: 0, sampledProducts: 3, examples: [], searches: 20, polls: 20 },
    final: { pgRows: 3, esDocs: es.length },
    expectation: {
      verdict: 'converged',
      anomalies: [],
      regressions: 'none',
      lagP99Ms: null,
      minRows: opts.minRows ?? 3,
      connectorNames: { source: 'product-connector', sink: 'elasticsearch-sink-connector' },
    },
  };
  snapshotOf(dir, rows, es, opts.mapping);
  return { dir, report };
}

async function refusal(dir: string, report: RunReport): Promise<ConfigError> {
  const e: unknown = await recheckRun(dir, report).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ConfigError);
  expect((e as ConfigError).exitCode).toBe(2);
  return e as ConfigError;
}

describe("report --recheck: today's checker on a recorded run, without a stack", () => {
  it('gives the same verdict on an untouched run directory', async () => {
    const { dir, report } = convergedRun();
    const r = await recheckRun(dir, report);
    expect(r).toMatchObject({ same: true, now: { verdict: 'converged', passed: true }, differences: [] });
  });

  it('reads the documents by the raw mapping kept in the run directory, with the code of the day', async () => {
    // Recorded "converged" by a checker that read price by default; the mapping says short: 19.99 is 19.
    const props = (HEALTHY_MAPPING['properties'] ?? {}) as Record<string, unknown>;
    const mapping = { properties: { ...props, price: { type: 'short' } } };
    const { dir, report } = convergedRun({ mapping });
    const r = await recheckRun(dir, report);
    expect(r.same).toBe(false);
    expect(r.differences).toEqual([
      'verdict converged → diverged',
      'corrupt 0 → 2', // products 1 and 3; product 2 costs 5.00, which a short holds
      'passed → failed (verdict diverged, expected converged)',
    ]);
  });

  it('re-judges the whole run, not only the comparison: too few rows to prove anything fails it', async () => {
    const { dir, report } = convergedRun({ minRows: 5 });
    const r = await recheckRun(dir, report);
    expect(r.now.verdict).toBe('converged');
    expect(r.now.passed).toBe(false);
    expect(r.now.reasons[0]).toMatch(/leave 3 row\(s\), fewer than the 5/);
  });

  it('refuses a directory whose rows were dropped from both snapshot files, naming the file (exit 2)', async () => {
    const { dir, report } = convergedRun();
    // The same rows and documents lost on both sides would compare equal: only the recorded counts tell.
    writeFileSync(join(dir, 'snapshot', 'pg.jsonl.gz'), gzipSync(JSON.stringify(product(1))));
    writeFileSync(join(dir, 'snapshot', 'es.jsonl.gz'), gzipSync(JSON.stringify(docOf(product(1)))));
    const e = await refusal(dir, report);
    expect(e.message).toMatch(/damaged run directory: .*snapshot\/pg\.jsonl\.gz: 1 lines, the run wrote 3/);
  });

  it('refuses an edited document and a truncated file, naming each', async () => {
    const a = convergedRun();
    const docs = [product(1), product(2, { price: '4.99' }), product(3, { price: '19.99' })].map((r) => docOf(r));
    writeFileSync(join(a.dir, 'snapshot', 'es.jsonl.gz'), gzipSync(docs.map((d) => JSON.stringify(d)).join('\n')));
    expect((await refusal(a.dir, a.report)).message).toMatch(/es\.jsonl\.gz: its digest differs/);

    const b = convergedRun();
    const gz = readFileSync(join(b.dir, 'snapshot', 'pg.jsonl.gz'));
    writeFileSync(join(b.dir, 'snapshot', 'pg.jsonl.gz'), gz.subarray(0, gz.length - 9));
    expect((await refusal(b.dir, b.report)).message).toMatch(/pg\.jsonl\.gz: not a complete gzip file/);
  });

  it('refuses a history other than the one the run wrote, and report sizes the snapshot does not hold', async () => {
    const a = convergedRun();
    const lines = readFileSync(join(a.dir, 'history.jsonl'), 'utf8').split('\n');
    writeFileSync(join(a.dir, 'history.jsonl'), lines.slice(1).join('\n'));
    expect((await refusal(a.dir, a.report)).message).toMatch(/history\.jsonl: 2 entries, the run wrote 3/);

    const b = convergedRun();
    const e = await refusal(b.dir, { ...b.report, final: { pgRows: 4, esDocs: 3 } });
    expect(e.message).toMatch(/report\.json: final sizes 4 rows/);
  });

  it('refuses a run without a snapshot, with digests only, or without a raw mapping, saying why', async () => {
    const { dir, report } = convergedRun();
    rmSync(join(dir, 'snapshot'), { recursive: true });
    await expect(recheckRun(dir, report)).rejects.toThrow(/holds no saved snapshot/);
    writeSnapshot(dir, {
      takenAt: 1,
      mapping: null,
      pgRows: 9e5,
      esDocs: 9e5,
      digests: { pg: 'x', es: 'y' },
      omitted: 'more than 200000 rows',
    });
    await expect(recheckRun(dir, report)).rejects.toThrow(/digests only \(more than 200000 rows\)/);
    const rows = [product(1), product(2, { price: '5.00' }), product(3, { price: '19.99' })];
    const es = rows.map((r) => docOf(r));
    writeSnapshot(dir, {
      takenAt: 1,
      dates: { epoch: 'millis', iso: true },
      pgRows: 3,
      esDocs: 3,
      digests: { pg: digestOf(rows), es: digestOf(es) },
      pg: rows,
      es,
    });
    await expect(recheckRun(dir, report)).rejects.toThrow(/holds no raw index mapping/);
  });
});
