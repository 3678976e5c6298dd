import { describe, expect, it } from 'vitest';
import type { ServiceHandle } from '../../provider/interface.ts';
import { coresLine, coresOverWindow, handlesByMember, programOf, type CpuSample } from './cpu.ts';

const at = (t: number, ms: Record<string, number>): CpuSample => ({ t, ms });

describe('CPU per program over the workload window', () => {
  const samples = [
    at(0, { elasticsearch: 0, connect: 0, harness: 100 }),
    at(1000, { elasticsearch: 500, connect: 200, harness: 200 }),
    at(3000, { elasticsearch: 2500, connect: 600, harness: 600 }),
    at(4000, { elasticsearch: 2600, connect: 700, harness: 700 }),
  ];

  it('takes the last sample at or before the start and the first at or after the end', () => {
    // 1000 → 3000: elasticsearch 2000 ms in 2 s, connect 400 ms, the harness 400 ms.
    expect(coresOverWindow(samples, { from: 1000, to: 3000 })).toEqual({
      elasticsearch: 1,
      connect: 0.2,
      harness: 0.2,
    });
    // 0 → 4000 (the window 500 → 3500 widened to the samples around it).
    expect(coresOverWindow(samples, { from: 500, to: 3500 })).toEqual({
      elasticsearch: 0.65,
      connect: 0.18,
      harness: 0.15,
    });
  });

  it('is null without a window, or without samples on both sides of it', () => {
    expect(coresOverWindow(samples, null)).toBeNull();
    expect(coresOverWindow(samples, { from: -1, to: 3000 })).toBeNull();
    expect(coresOverWindow(samples, { from: 1000, to: 4001 })).toBeNull();
    expect(coresOverWindow([at(1000, { connect: 1 })], { from: 1000, to: 1000 })).toBeNull();
  });

  it("sums a cluster's members by program and leaves out one whose count went back (a new process)", () => {
    const cluster = [
      at(0, { 'kafka-1': 100, 'kafka-2': 100, 'postgres-1': 1000, 'connect-1': 50 }),
      at(2000, { 'kafka-1': 500, 'kafka-2': 300, 'postgres-1': 10, 'connect-1': 450 }),
    ];
    expect(coresOverWindow(cluster, { from: 0, to: 2000 })).toEqual({ kafka: 0.3, connect: 0.2 });
  });

  it('names programs by member and lists the busiest first', () => {
    expect(programOf('kafka-3')).toBe('kafka');
    expect(programOf('elasticsearch')).toBe('elasticsearch');
    expect(coresLine({ connect: 0.2, elasticsearch: 1, kafka: 0.2 })).toBe(
      'elasticsearch 1.00 · connect 0.20 · kafka 0.20',
    );
    expect(coresLine({ connect: 0.5, machine: 1.9 })).toBe('connect 0.50 (machine 1.90)');
    expect(coresLine({ machine: 1.9 })).toBe('—');
    expect(coresLine(null)).toBe('—');
    expect(coresLine({})).toBe('—');
  });

  it("counts a cluster's members once, and the services it has a single one of", () => {
    const h = (name: string) => ({ name }) as unknown as ServiceHandle;
    const services = { postgres: h('postgres'), kafka: h('kafka'), elasticsearch: h('elasticsearch') };
    const members = { 'postgres-1': h('p1'), 'postgres-2': h('p2'), 'kafka-1': h('k1') };
    expect(Object.keys(handlesByMember({ services, members }))).toEqual([
      'postgres-1',
      'postgres-2',
      'kafka-1',
      'elasticsearch',
    ]);
    expect(Object.keys(handlesByMember({ services }))).toEqual(['postgres', 'kafka', 'elasticsearch']);
  });
});
