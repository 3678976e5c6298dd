/** Record entries for the record's unit tests. */
import { metric } from './measure.ts';
import { entryOf, type RecordEntry } from './record.ts';

export const MACHINE = { cores: 2, cpuModel: 'AMD EPYC', memGiB: 24, node: 'v20.20.2' };

/** An entry of measure `name` run on `commit`, one figure `${name}.t` (a time, goal ≤ 10 s) with these samples. */
export function entry(name: string, commit: string, samples: number[], extra: Partial<RecordEntry> = {}): RecordEntry {
  const load = { t: '2026-12-05T10:00:00.000Z', load: [0.5, 1, 1.5] as [number, number, number], freeMemGiB: 20 };
  const e = entryOf(
    {
      name,
      title: `${name} title`,
      startedAt: '2026-12-05T10:00:00.000Z',
      durationMs: 1000,
      loadBefore: load,
      loadAfter: load,
      invocation: { runs: samples.length, quick: false, stack: 'bench', reuse: null },
      metrics: [metric(`${name}.t`, `${name} time`, 's', samples, { kind: 'max', value: 10 })],
      ...extra,
    },
    { commit, clean: true, changes: [] },
    MACHINE,
  );
  // What the caller sets wins over what entryOf derives (e.g. a dirty tree).
  return { ...e, ...extra };
}
