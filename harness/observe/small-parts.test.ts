import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConnectorStatus } from '../connect/client.ts';
import { SampleWriter } from '../record/samples-file.ts';
import type { Sample } from '../record/samples.ts';
import { ChangeGate, connectorSample, MISSING } from './connectors.ts';
import { consumerLagTotals } from './consumer-lag.ts';
import { FailureLog } from './failure-log.ts';
import { IntervalMeter } from './lag-probe.ts';
import { startLoop } from './loop.ts';
import { OpRateMeter } from './op-rate.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SampleWriter', () => {
  it('appends JSON lines in emission order, flushing on close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'obs-writer-'));
    try {
      const path = join(dir, 'run', 'samples.jsonl'); // the directory is created
      const w = new SampleWriter(path, { flushMs: 10_000, batchLines: 3 });
      const samples: Sample[] = [1, 2, 3, 4, 5].map((i) => ({ t: i, kind: 'op-rate', opsPerSec: i }));
      for (const s of samples) w.write(s);
      await w.close();
      w.write({ t: 9, kind: 'op-rate', opsPerSec: 9 }); // after close: ignored
      const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
      expect(lines.map((l) => JSON.parse(l) as Sample)).toEqual(samples);
      expect(w.written).toBe(5);
      expect(w.dropped).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps lines when the file cannot be written, and counts them dropped at close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'obs-writer-'));
    try {
      const errors: unknown[] = [];
      const w = new SampleWriter(dir /* a directory: appendFile fails */, { onError: (e) => errors.push(e) });
      w.write({ t: 1, kind: 'op-rate', opsPerSec: 1 });
      await w.flush();
      expect(errors).toHaveLength(1);
      await w.close();
      expect(w.dropped).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('FailureLog', () => {
  it('logs at most one line per period and folds the rest into a count', () => {
    let now = 0;
    const lines: string[] = [];
    const f = new FailureLog(
      'probe-write',
      (l) => lines.push(l),
      10_000,
      () => now,
    );
    f.fail(new Error('connection refused\nstack…'));
    now = 1000;
    f.fail(new Error('connection refused'));
    f.ok(); // within the period: not logged
    now = 2000;
    f.fail(new Error('connection refused'));
    now = 12_000;
    f.fail(new Error('timeout'));
    now = 30_000;
    f.ok();
    f.ok();
    expect(lines).toEqual([
      'observe/probe-write: connection refused',
      'observe/probe-write: timeout (3 failures since the last line)',
      'observe/probe-write: recovered',
    ]);
    expect(f.failures).toBe(4);
  });

  it('reports a recovery late rather than never', () => {
    let now = 0;
    const lines: string[] = [];
    const f = new FailureLog(
      'slot-lag',
      (l) => lines.push(l),
      10_000,
      () => now,
    );
    f.fail(new Error('down'));
    now = 3000;
    f.ok();
    now = 10_000;
    f.ok();
    f.ok();
    expect(lines).toEqual(['observe/slot-lag: down', 'observe/slot-lag: recovered']);
  });
});

describe('connector samples', () => {
  const status = (tasks: ConnectorStatus['tasks'], state = 'RUNNING'): ConnectorStatus => ({
    name: 'sink',
    connector: { state, worker_id: 'w' },
    tasks,
    type: 'sink',
  });

  it('orders task states by id and keeps the first 20 lines of a failed trace', () => {
    const trace = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n');
    const s = connectorSample(
      'sink',
      status([
        { id: 1, state: 'RUNNING', worker_id: 'w' },
        { id: 0, state: 'FAILED', worker_id: 'w', trace },
      ]),
      5,
    );
    expect(s.tasks).toEqual(['FAILED', 'RUNNING']);
    expect(s.trace?.split('\n')).toHaveLength(20);
    expect(s.trace?.startsWith('line 0\nline 1')).toBe(true);
    expect(connectorSample('sink', undefined, 5)).toEqual({
      t: 5,
      kind: 'connector',
      name: 'sink',
      state: MISSING,
      tasks: [],
    });
    expect(connectorSample('sink', status([{ id: 0, state: 'RUNNING', worker_id: 'w' }]), 5)).not.toHaveProperty(
      'trace',
    );
  });

  it('emits on change and as a heartbeat', () => {
    const g = new ChangeGate(5000);
    const at = (t: number, tasks: string[]) => ({
      t,
      kind: 'connector' as const,
      name: 'sink',
      state: 'RUNNING',
      tasks,
    });
    expect(g.due(at(0, ['RUNNING']))).toBe(true);
    expect(g.due(at(1000, ['RUNNING']))).toBe(false);
    expect(g.due(at(2000, ['FAILED']))).toBe(true);
    expect(g.due(at(3000, ['FAILED']))).toBe(false);
    expect(g.due(at(7000, ['FAILED']))).toBe(true);
    expect(g.due({ ...at(7000, ['RUNNING']), name: 'source' })).toBe(true); // per connector
  });
});

describe('consumerLagTotals', () => {
  it('sums end minus committed over partitions; no commit counts from the low watermark', () => {
    expect(
      consumerLagTotals(
        [
          { partition: 0, high: '100', low: '0' },
          { partition: 1, high: '50', low: '10' },
          { partition: 2, high: '7', low: '0' },
        ],
        [
          { partition: 0, offset: '90' },
          { partition: 1, offset: '-1' },
        ],
      ),
    ).toEqual({ lag: 10 + 40 + 7, endOffset: 157, committed: 90 + 10 + 0 });
  });
});

describe('OpRateMeter', () => {
  it('divides by the time actually elapsed', () => {
    let now = 0;
    const out: Sample[] = [];
    const m = new OpRateMeter(
      (s) => out.push(s),
      () => now,
    );
    m.add(30);
    m.add();
    now = 2000;
    m.sample();
    now = 3000;
    m.sample();
    expect(out).toEqual([
      { t: 2000, kind: 'op-rate', opsPerSec: 15.5 },
      { t: 3000, kind: 'op-rate', opsPerSec: 0 },
    ]);
  });
});

describe('IntervalMeter', () => {
  it('is the mean gap between marks', () => {
    const m = new IntervalMeter();
    expect(m.mean()).toBeNull();
    for (const t of [0, 50, 120, 150]) m.mark(t);
    expect(m.mean()).toBe(50);
  });
});

describe('startLoop', () => {
  it('never overlaps, catches errors, and abandons a hung iteration on stop', async () => {
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const errors: unknown[] = [];
    const loop = startLoop(
      5,
      async () => {
        calls++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(12);
        running--;
        if (calls === 2) throw new Error('boom');
      },
      (e) => errors.push(e),
    );
    await sleep(100);
    await loop.stop();
    expect(maxRunning).toBe(1);
    expect(calls).toBeGreaterThan(3);
    expect(errors).toHaveLength(1);

    const hung = startLoop(
      10,
      () => new Promise<void>(() => undefined),
      () => undefined,
    );
    await sleep(5);
    const t0 = Date.now();
    await hung.stop(50);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
