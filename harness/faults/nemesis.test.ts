import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TimelineEvent } from '../record/timeline.ts';
import { defineFault } from './define.ts';
import type { Fault, FaultContext } from './fault.ts';
import { checkSchedule, createNemesis } from './nemesis.ts';

interface Log {
  events: TimelineEvent[];
  calls: string[];
}

function fakeCtx(log: Log): FaultContext {
  return { record: (e: TimelineEvent) => log.events.push(e) } as unknown as FaultContext;
}

function fake(
  log: Log,
  id: string,
  opts: { instantaneous?: boolean; failStart?: boolean; failHeal?: number; startMs?: number } = {},
): Fault {
  let healFailures = opts.failHeal ?? 0;
  return defineFault({
    id,
    kind: 'fake',
    target: 't',
    instantaneous: opts.instantaneous,
    describe: () => `fake ${id}`,
    async inject() {
      log.calls.push(`start ${id} @${Date.now()}`);
      if (opts.startMs) await new Promise((r) => setTimeout(r, opts.startMs));
      if (opts.failStart) throw new Error(`boom ${id}`);
    },
    async repair() {
      log.calls.push(`heal ${id} @${Date.now()}`);
      if (healFailures-- > 0) throw new Error(`stuck ${id}`);
    },
  });
}

const resets = { n: 0, resetAll: async () => void resets.n++ };

describe('nemesis', () => {
  let log: Log;
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    log = { events: [], calls: [] };
    resets.n = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('starts at `at` and heals at `at + duration`, concurrently', async () => {
    const n = createNemesis(
      [
        { at: 1000, duration: 5000, fault: fake(log, 'a') },
        { at: 2000, duration: 1000, fault: fake(log, 'b') },
      ],
      fakeCtx(log),
      { toxiproxy: resets },
    );
    const done = n.run({ t0: 0 });
    await vi.advanceTimersByTimeAsync(10_000);
    const windows = await done;
    expect(log.calls).toEqual(['start a @1000', 'start b @2000', 'heal b @3000', 'heal a @6000']);
    expect(windows).toEqual([
      { id: 'a', fault: 'fake', target: 't', start: 1000, end: 6000, detail: 'fake a' },
      { id: 'b', fault: 'fake', target: 't', start: 2000, end: 3000, detail: 'fake b' },
    ]);
    expect(log.events.map((e) => `${e.kind} ${'id' in e ? e.id : ''} ${e.t}`)).toEqual([
      'fault-start a 1000',
      'fault-start b 2000',
      'fault-heal b 3000',
      'fault-heal a 6000',
    ]);
  });

  it('prepares each fault in schedule order before the schedule runs, breaking nothing; keeps the notes', async () => {
    const ready = (id: string, note?: string): Fault => ({
      ...fake(log, id),
      prepare: async () => {
        log.calls.push(`prepare ${id}`);
        return note;
      },
    });
    const n = createNemesis(
      [
        { at: 1000, duration: 1000, fault: ready('a', 'slot copied') },
        { at: 500, duration: 1000, fault: fake(log, 'b') },
        { at: 2000, duration: 1000, fault: ready('c') },
      ],
      fakeCtx(log),
      { toxiproxy: resets },
    );
    expect(await n.prepare()).toEqual(['slot copied']);
    expect(log.calls).toEqual(['prepare a', 'prepare c']);
    expect(log.events).toEqual([]);
    expect(n.windows()).toEqual([]);
  });

  it('heals an instantaneous fault as soon as its start returns', async () => {
    const n = createNemesis(
      [{ at: 500, fault: fake(log, 'kill', { instantaneous: true, startMs: 300 }) }],
      fakeCtx(log),
      { toxiproxy: resets },
    );
    const done = n.run({ t0: 0 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(await done).toEqual([{ id: 'kill', fault: 'fake', target: 't', start: 500, end: 800, detail: 'fake kill' }]);
  });

  it('leaves a fault without duration on until healAll, which heals newest first and resets Toxiproxy', async () => {
    const n = createNemesis(
      [
        { at: 0, fault: fake(log, 'a') },
        { at: 100, fault: fake(log, 'b') },
        { at: 200, duration: 50, fault: fake(log, 'c') },
      ],
      fakeCtx(log),
      { toxiproxy: resets },
    );
    const done = n.run({ t0: 0 });
    await vi.advanceTimersByTimeAsync(1000);
    const mid = await done;
    expect(mid.map((w) => [w.id, w.end])).toEqual([
      ['a', undefined],
      ['b', undefined],
      ['c', 250],
    ]);
    const healed = await n.healAll();
    expect(log.calls.slice(-3)).toEqual(['heal c @1000', 'heal b @1000', 'heal a @1000']);
    expect(healed.every((w) => w.end !== undefined)).toBe(true);
    expect(resets.n).toBe(1);
    // c was healed before: its second heal repairs again (idempotent) but writes no second event.
    expect(log.events.filter((e) => e.kind === 'fault-heal')).toHaveLength(3);
  });

  it('notes and heals a fault whose start throws, and carries on', async () => {
    const n = createNemesis(
      [
        { at: 0, duration: 100, fault: fake(log, 'bad', { failStart: true }) },
        { at: 50, duration: 100, fault: fake(log, 'good') },
      ],
      fakeCtx(log),
      { toxiproxy: resets },
    );
    const done = n.run({ t0: 0 });
    await vi.advanceTimersByTimeAsync(1000);
    const windows = await done;
    expect(log.calls).toEqual(['start bad @0', 'heal bad @0', 'start good @50', 'heal good @150']);
    expect(windows[0]).toMatchObject({ id: 'bad', start: 0, end: 0, error: 'start failed: boom bad' });
    expect(windows[1]).toMatchObject({ id: 'good', start: 50, end: 150 });
    expect(log.events).toContainEqual({
      t: 0,
      kind: 'note',
      message: 'fault bad (fake on t) failed to start: boom bad; healing it',
    });
  });

  it('keeps a fault whose heal failed open until healAll heals it', async () => {
    const n = createNemesis([{ at: 0, duration: 100, fault: fake(log, 'sticky', { failHeal: 1 }) }], fakeCtx(log), {
      toxiproxy: resets,
    });
    const done = n.run({ t0: 0 });
    await vi.advanceTimersByTimeAsync(500);
    const [open] = await done;
    expect(open?.end).toBeUndefined();
    expect(open?.error).toBe('heal failed: stuck sticky');
    expect(log.events.some((e) => e.kind === 'note' && e.message.includes('failed to heal: stuck sticky'))).toBe(true);
    const [w] = await n.healAll();
    expect(w).toMatchObject({ end: 500 });
  });

  it('stops on abort: unstarted entries never start, started ones wait for healAll', async () => {
    const ac = new AbortController();
    const n = createNemesis(
      [
        { at: 100, duration: 10_000, fault: fake(log, 'a') },
        { at: 5000, duration: 100, fault: fake(log, 'late') },
      ],
      fakeCtx(log),
      { toxiproxy: resets },
    );
    const done = n.run({ t0: 0, signal: ac.signal });
    await vi.advanceTimersByTimeAsync(1000);
    ac.abort();
    const windows = await done;
    expect(windows.map((w) => w.id)).toEqual(['a']);
    expect(log.calls).toEqual(['start a @100']);
    await n.healAll();
    expect(log.calls).toEqual(['start a @100', 'heal a @1000']);
  });

  it('healAll waits for a start in flight before healing it', async () => {
    const n = createNemesis(
      [{ at: 0, fault: fake(log, 'slow', { instantaneous: true, startMs: 2000 }) }],
      fakeCtx(log),
      { toxiproxy: resets },
    );
    void n.run({ t0: 0 });
    await vi.advanceTimersByTimeAsync(10);
    const healing = n.healAll();
    await vi.advanceTimersByTimeAsync(3000);
    await healing;
    expect(log.calls).toEqual(['start slow @0', 'heal slow @2000', 'heal slow @2000']);
  });

  it('notes a failing Toxiproxy reset instead of throwing', async () => {
    const n = createNemesis([], fakeCtx(log), { toxiproxy: { resetAll: () => Promise.reject(new Error('refused')) } });
    await n.run();
    await expect(n.healAll()).resolves.toEqual([]);
    expect(log.events).toContainEqual(
      expect.objectContaining({ kind: 'note', message: 'Toxiproxy reset after healing failed: refused' }),
    );
  });

  it('does not run a schedule twice', async () => {
    const n = createNemesis([{ at: 0, duration: 1, fault: fake(log, 'a') }], fakeCtx(log), { toxiproxy: resets });
    const first = n.run({ t0: 0 });
    await vi.advanceTimersByTimeAsync(10);
    await first;
    await n.run({ t0: 0 });
    expect(log.calls).toEqual(['start a @0', 'heal a @1']);
  });
});

describe('checkSchedule', () => {
  const log: Log = { events: [], calls: [] };
  it('refuses durations on instantaneous faults, negative times and duplicate ids', () => {
    expect(() => checkSchedule([{ at: 0, duration: 5, fault: fake(log, 'k', { instantaneous: true }) }])).toThrow(
      'faults[0].duration: fake is instantaneous',
    );
    expect(() => checkSchedule([{ at: -1, fault: fake(log, 'a') }])).toThrow('faults[0].at must be a number of ms ≥ 0');
    expect(() => checkSchedule([{ at: 0, duration: Number.NaN, fault: fake(log, 'a') }])).toThrow(
      'faults[0].duration must be a number of ms ≥ 0',
    );
    expect(() =>
      checkSchedule([
        { at: 0, fault: fake(log, 'a') },
        { at: 1, fault: fake(log, 'a') },
      ]),
    ).toThrow('faults[1]: fault id "a" is used twice');
  });
});
