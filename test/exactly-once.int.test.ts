import { afterAll, describe, expect, it } from 'vitest';
import { runOnDefinition, sharedProvider } from './stack.ts';

// Exactly-once source on (examples/exactly-once): the same kills as the catalogue's exactly-once-source, where
// the at-least-once default must leave records twice on the topic, leave none; the stack's worker restarts
// with the definition's setting, and back without it for the files after this one (a test that drives Connect
// without a run would otherwise find every source task exactly-once).
describe('exactly-once source (examples/exactly-once)', () => {
  afterAll(async () => {
    const p = await sharedProvider();
    await p.setWorkerSettings?.({});
  });

  it('exactly-once-source: no record reaches the sink twice, and search equals the database', async () => {
    const { report, md } = await runOnDefinition('exactly-once-source', 'examples/exactly-once');
    expect(report.passed, md).toBe(true);
    expect(report.expectation?.duplicates).toBe('none');
    expect(report.topicDuplicates, md).toMatchObject({ isolation: 'read_committed', duplicates: 0, unidentified: 0 });
    expect(report.topicDuplicates?.records).toBeGreaterThan(1000);
    expect(report.workerNonStock?.map((w) => `${w.key}=${w.value}`)).toContain('exactly.once.source.support=enabled');
    // Both kills bit: each process was replaced.
    for (const w of report.timeline)
      expect(
        w.evidence?.every((e) => e.seen),
        md,
      ).toBe(true);
  });
});
