import { describe, expect, it } from 'vitest';
import { runOnDefinition } from './stack.ts';

// An idle captured table while another database of the cluster writes (examples/heartbeat): with the
// heartbeat's action query the slot stays within its bound. The zoo's heartbeat-without-action-query shows the
// same run without it, its slot holding the whole noise.
const DIR = 'examples/heartbeat';

describe('an idle table and a neighbour that writes (examples/heartbeat)', () => {
  it('idle-table-wal-noise: the heartbeat keeps the slot within its bound', async () => {
    const { report, md } = await runOnDefinition(`${DIR}/scenarios/idle-table-wal-noise.yaml`, DIR);
    expect(report.passed, md).toBe(true);
    // The noise bit: the WAL grew by most of 16 s × 5 MB/s, which the slot would hold without the heartbeat.
    const noise = report.timeline.find((w) => w.fault === 'postgres.wal-noise');
    expect(noise?.evidence?.[0], md).toMatchObject({ sign: 'wal-written', seen: true });
    expect(Number(/grew by ([\d.]+) MB/.exec(noise?.evidence?.[0]?.how ?? '')?.[1])).toBeGreaterThan(40);
    expect(report.slotLag?.maxBytes).toBeLessThan(32e6);
  });
});
