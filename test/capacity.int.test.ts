import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CapacityRecord } from '../harness/scenario/capacity/model.ts';
import { runCapacity } from '../harness/scenario/capacity/run.ts';
import { sharedProvider } from './stack.ts';

// A short capacity search on the healthy pipeline: 50 → 100 → 200 ops/s, 10 s a step. Rates this low are
// within what the pipeline takes even on a busy 2-core machine, so the search must find a sustained rate; the
// lag-probe markers read from the sink topic must split each step's lag into its source and sink hops, and each
// step says how many cores each program used.
describe('capacity on the healthy pipeline', () => {
  it('finds a sustained rate and splits the lag per hop', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'outbox-chaos-capacity-'));
    const { record } = await runCapacity({
      provider: await sharedProvider(),
      plan: { from: 50, max: 200, bisections: 2 },
      stepMs: 10_000,
      outDir,
    });
    const table = record.steps.map((s) => `${s.rate}: ${s.judgement.reasons.join('; ') || 'sustained'}`).join('\n');
    expect(record.sustained, table).not.toBeNull();
    expect(record.sustained!.rate).toBeGreaterThanOrEqual(50);
    expect(record.sustained!.p99).not.toBeNull();
    expect(record.hopSplit.measured).toBe(true);
    const ok = record.steps.find((s) => s.rate === record.sustained!.rate)!;
    expect(ok.judgement.hops!.markers).toBeGreaterThan(10);
    // Each hop is part of the whole: neither exceeds the end-to-end p99 by more than the probe's resolution.
    expect(ok.judgement.hops!.source.p99!).toBeLessThanOrEqual(ok.judgement.lag.p99! + 100);
    expect(ok.judgement.hops!.sink.p99!).toBeLessThanOrEqual(ok.judgement.lag.p99! + 100);
    // Every program's CPU over the workload: each did work, none more than the machine has (nor the machine).
    for (const s of record.steps) {
      expect(Object.keys(s.cores ?? {}).sort()).toEqual([
        'connect',
        'elasticsearch',
        'harness',
        'kafka',
        'machine',
        'postgres',
      ]);
      for (const c of Object.values(s.cores!)) {
        expect(c).toBeGreaterThan(0);
        expect(c).toBeLessThan(availableParallelism() * 1.1);
      }
    }
    const json = JSON.parse(readFileSync(join(outDir, 'capacity.json'), 'utf8')) as CapacityRecord;
    expect(json.sustained).toEqual(record.sustained);
    expect(readFileSync(join(outDir, 'index.html'), 'utf8')).toContain('<svg');
    expect(existsSync(join(outDir, 'capacity.md'))).toBe(true);
  }, 600_000);
});
