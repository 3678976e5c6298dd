import { describe, expect, it } from 'vitest';
import type { Sample } from '../record/samples.ts';
import { pipelineThroughput } from './throughput.ts';

const lag = (t: number, committed: number, lagN: number): Sample => ({
  t,
  kind: 'consumer-lag',
  group: 'g',
  lag: lagN,
  endOffset: committed + lagN,
  committed,
});

describe('pipeline throughput from consumer-lag samples', () => {
  it('takes the rate over the longest backlog stretch', () => {
    const s = [
      lag(0, 0, 0),
      lag(1000, 100, 0),
      lag(2000, 200, 500),
      lag(4000, 600, 300),
      lag(8000, 1400, 10),
      lag(9000, 1410, 0),
    ];
    // backlog from t=2000 to t=8000: (1400-200)/6 s = 200 events/s
    expect(pipelineThroughput(s)).toEqual({ eventsPerSec: 200, saturated: true });
  });

  it('falls back to the delivered rate without a backlog, and says so', () => {
    expect(pipelineThroughput([lag(0, 0, 0), lag(10_000, 500, 0)])).toEqual({ eventsPerSec: 50, saturated: false });
  });

  it('has nothing to say without samples', () => {
    expect(pipelineThroughput([])).toBeNull();
  });
});
