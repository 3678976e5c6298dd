import type { TimelineEvent } from '../record/timeline.ts';
import { ToxiproxyApi } from '../stack/toxiproxy-api.ts';
import { ConfigError, errorMessage } from '../util/errors.ts';
import type { Fault, FaultContext } from './fault.ts';

export interface NemesisEntry {
  /** ms after the workload started. */
  at: number;
  /** ms until heal; omitted for instantaneous faults, or to leave the fault on until healAll(). */
  duration?: number;
  fault: Fault;
}

/** One fault's window as the timeline shows it; `end` is missing while it is on (or its heal failed). */
export interface NemesisWindow {
  id: string;
  fault: string;
  target: string;
  start: number;
  end?: number;
  detail?: string;
  /** Why start or heal failed. */
  error?: string;
}

export interface Nemesis {
  /** Each fault's prepare step, one after another, before the schedule runs; returns their notes. */
  prepare(): Promise<string[]>;
  /**
   * Runs the schedule from `t0` (default: now). Resolves once every entry has started and every timed heal
   * ran, or soon after `signal` aborts (entries not yet started are skipped; started ones wait for healAll).
   * Never rejects: failures become timeline notes and window errors.
   */
  run(opts?: { signal?: AbortSignal; t0?: number }): Promise<NemesisWindow[]>;
  /** The final heal phase: stops the schedule, heals every started fault (newest first), then resets Toxiproxy. */
  healAll(): Promise<NemesisWindow[]>;
  windows(): NemesisWindow[];
}

export interface NemesisOptions {
  /** Belt and braces after healAll; default: the stack's Toxiproxy. */
  toxiproxy?: Pick<ToxiproxyApi, 'resetAll'>;
}

/** Refuses schedules that cannot mean what their author meant, before anything runs. */
export function checkSchedule(entries: readonly NemesisEntry[], path = 'faults'): void {
  const ids = new Set<string>();
  entries.forEach((e, i) => {
    const where = `${path}[${i}]`;
    if (!Number.isFinite(e.at) || e.at < 0)
      throw new ConfigError(`${where}.at must be a number of ms ≥ 0 after the workload starts, got ${e.at}`);
    if (e.duration !== undefined) {
      if (!Number.isFinite(e.duration) || e.duration < 0)
        throw new ConfigError(`${where}.duration must be a number of ms ≥ 0, got ${e.duration}`);
      if (e.fault.instantaneous) {
        throw new ConfigError(
          `${where}.duration: ${e.fault.kind} is instantaneous (it is over when it has been done); drop the duration`,
          e.fault.kind === 'process.kill' ? 'to keep the service dead for a while, use downMs' : undefined,
        );
      }
    }
    if (ids.has(e.fault.id))
      throw new ConfigError(`${where}: fault id "${e.fault.id}" is used twice; ids must be unique within a run`);
    ids.add(e.fault.id);
  });
}

function abortable(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      },
      Math.max(0, ms),
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Schedules faults during the workload; see Nemesis. */
export function createNemesis(entries: readonly NemesisEntry[], ctx: FaultContext, opts: NemesisOptions = {}): Nemesis {
  checkSchedule(entries);
  const byId = new Map<string, NemesisWindow>();
  const started: NemesisEntry[] = [];
  const stop = new AbortController();
  let running: Promise<unknown> = Promise.resolve();
  let ran = false;

  // Windows follow the faults' own timeline events, so they match timeline.jsonl to the millisecond.
  const fctx: FaultContext = {
    ...ctx,
    record(event: TimelineEvent) {
      ctx.record(event);
      const w = 'id' in event ? byId.get(event.id) : undefined;
      if (!w) return;
      if (event.kind === 'fault-start') {
        w.start = event.t;
        if (event.detail) w.detail = event.detail;
      } else if (event.kind === 'fault-heal') {
        w.end = event.t;
      }
    },
  };

  const note = (message: string) => ctx.record({ t: Date.now(), kind: 'note', message });
  const label = (f: Fault) => `${f.id} (${f.kind} on ${f.target})`;

  async function heal(e: NemesisEntry): Promise<boolean> {
    const w = byId.get(e.fault.id);
    try {
      await e.fault.heal(fctx);
      if (w && w.end === undefined) w.end = Date.now();
      return true;
    } catch (err) {
      const msg = errorMessage(err);
      if (w) w.error = w.error ? `${w.error}; heal failed: ${msg}` : `heal failed: ${msg}`;
      note(`fault ${label(e.fault)} failed to heal: ${msg}`);
      return false;
    }
  }

  /** Starts one fault; a failed start is noted and healed at once (it may have half-happened). */
  async function start(e: NemesisEntry): Promise<boolean> {
    const { fault } = e;
    byId.set(fault.id, { id: fault.id, fault: fault.kind, target: fault.target, start: Date.now() });
    started.push(e);
    try {
      await fault.start(fctx);
      return true;
    } catch (err) {
      const msg = errorMessage(err);
      const w = byId.get(fault.id);
      if (w) w.error = `start failed: ${msg}`;
      note(`fault ${label(fault)} failed to start: ${msg}; healing it`);
      await heal(e);
      return false;
    }
  }

  async function runEntry(e: NemesisEntry, t0: number, signal: AbortSignal): Promise<void> {
    if (!(await abortable(t0 + e.at - Date.now(), signal))) return;
    if (!(await start(e))) return;
    if (e.fault.instantaneous) {
      await heal(e);
      return;
    }
    if (e.duration === undefined) return;
    if (!(await abortable(t0 + e.at + e.duration - Date.now(), signal))) return;
    await heal(e);
  }

  const windows = () => [...byId.values()].map((w) => ({ ...w }));

  return {
    async prepare() {
      const notes: string[] = [];
      for (const e of entries) {
        const said = await e.fault.prepare?.(fctx);
        if (said) notes.push(said);
      }
      return notes;
    },

    async run(runOpts = {}) {
      // One schedule, one run: a second call (or one after healAll) would re-inject healed faults.
      if (ran || stop.signal.aborted) return windows();
      ran = true;
      const t0 = runOpts.t0 ?? Date.now();
      const signal = runOpts.signal ? AbortSignal.any([runOpts.signal, stop.signal]) : stop.signal;
      running = Promise.allSettled(entries.map((e) => runEntry(e, t0, signal)));
      await running;
      return windows();
    },

    async healAll() {
      stop.abort();
      // A start or heal in flight (a restart takes seconds) finishes first; healing under it would race.
      await running;
      for (const e of [...started].reverse()) await heal(e);
      // Belt and braces on a Toxiproxy of our own; a shared one keeps whatever is not ours.
      if (!ctx.sharedToxiproxy) {
        try {
          await (opts.toxiproxy ?? new ToxiproxyApi(ctx.endpoints.toxiproxyUrl)).resetAll();
        } catch (err) {
          note(`Toxiproxy reset after healing failed: ${errorMessage(err)}`);
        }
      }
      return windows();
    },

    windows,
  };
}
