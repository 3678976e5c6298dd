import { describe, expect, it } from 'vitest';
import { faultWindows } from './timeline.ts';
import type { TimelineEvent } from './timeline.ts';

const start = (t: number, id: string, fault = 'latency', detail?: string): TimelineEvent =>
  detail === undefined
    ? { t, kind: 'fault-start', id, fault, target: 'pg' }
    : { t, kind: 'fault-start', id, fault, target: 'pg', detail };
const heal = (t: number, id: string, fault = 'latency'): TimelineEvent => ({
  t,
  kind: 'fault-heal',
  id,
  fault,
  target: 'pg',
});

describe('faultWindows', () => {
  it('pairs starts and heals by id, even when interleaved', () => {
    const events: TimelineEvent[] = [
      { t: 0, kind: 'phase', name: 'workload' },
      start(10, 'a', 'latency', '800 ms'),
      start(15, 'b', 'es-outage'),
      heal(20, 'a'),
      { t: 21, kind: 'operator', action: 'restart', reason: 'FAILED' },
      heal(30, 'b', 'es-outage'),
    ];
    expect(faultWindows(events, 100)).toEqual([
      { id: 'a', fault: 'latency', target: 'pg', start: 10, end: 20, detail: '800 ms' },
      { id: 'b', fault: 'es-outage', target: 'pg', start: 15, end: 30 },
    ]);
  });

  it('leaves a never-healed window open until the run end', () => {
    expect(faultWindows([start(10, 'a')], 99)).toEqual([
      { id: 'a', fault: 'latency', target: 'pg', start: 10, end: 99 },
    ]);
  });

  it('ignores a heal without a start', () => {
    expect(faultWindows([heal(5, 'x')], 50)).toEqual([]);
  });

  it('opens a new window when an id starts again after healing', () => {
    const w = faultWindows([start(1, 'a'), heal(2, 'a'), start(5, 'a'), heal(8, 'a')], 10);
    expect(w.map((x) => [x.start, x.end])).toEqual([
      [1, 2],
      [5, 8],
    ]);
  });

  it('closes a window that is started twice without a heal where the second begins', () => {
    const w = faultWindows([start(1, 'a'), start(4, 'a'), heal(6, 'a')], 10);
    expect(w.map((x) => [x.start, x.end])).toEqual([
      [1, 4],
      [4, 6],
    ]);
  });

  it('tolerates an out-of-order timeline', () => {
    expect(faultWindows([heal(20, 'a'), start(10, 'a')], 30)).toEqual([
      { id: 'a', fault: 'latency', target: 'pg', start: 10, end: 20 },
    ]);
  });
});
