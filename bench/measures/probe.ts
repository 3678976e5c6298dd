/**
 * The end-to-end lag probe (harness/observe/lag-probe.ts): how finely it measures, and what it costs.
 *
 * Resolution, on the idle pipeline: the achieved poll interval (mean time between searches), and the
 * granularity of each e2e-lag sample — the window in which its seq became visible, i.e. the time since the
 * search before the one that first saw it. Measured at the default poll period (50 ms), at 20 ms (the
 * target) and at 10 ms.
 * Cost: CPU the probe adds on the idle pipeline (all programs and the harness, probe on vs off), and the
 * pipeline's saturation throughput with the probe polling every 20 ms vs no probe, in interleaved pairs so
 * the neighbours' load drifts equally over both.
 */
import { startLagProbe, type ProbeSummary } from '../../harness/observe/lag-probe.ts';
import { DEFAULT_INTERVALS } from '../../harness/observe/observers.ts';
import type { Sample } from '../../harness/record/samples.ts';
import type { Stack } from '../../harness/provider/local-stack.ts';
import { esIndexSetting } from '../lib/es.ts';
import { load1, metric, sleep, type BenchContext, type Measure, type MeasureOutput } from '../lib/measure.ts';
import { cpuMsByGroup, selfCpuMs } from '../lib/proc-cpu.ts';
import { saturate, saturationRows, type SaturationResult } from '../lib/saturate.ts';
import { median, percentile } from '../lib/stats.ts';

export const FAST_POLL_MS = 20;

export interface ResolutionRun {
  load1: number;
  pollEveryMs: number;
  writeEveryMs: number;
  seconds: number;
  polls: number;
  pollFailures: number;
  /** The probe's own figure: mean time between search starts. */
  meanPollIntervalMs: number | null;
  /** Between successful searches' answers. */
  p50PollGapMs: number | null;
  p95PollGapMs: number | null;
  maxPollGapMs: number | null;
  e2eSamples: number;
  /** Median window in which a sample's seq became visible (its measurement granularity). */
  granularityMs: number | null;
  p95GranularityMs: number | null;
  /** Median time between successive instants at which new seqs became visible (ES refresh bunches them). */
  visibilityStepMs: number | null;
  lagP50Ms: number | null;
  lagP99Ms: number | null;
  /** CPU ms per second of wall time, per program and the harness: probe on minus probe off (idle pipeline). */
  cpuMsPerSec: Record<string, number>;
  cpuMsPerSecTotal: number;
}

function cpuSnapshot(stack: Stack): Record<string, number> {
  const pids = Object.fromEntries(Object.entries(stack.services).map(([k, s]) => [k, s.pid]));
  return { ...cpuMsByGroup(pids), harness: selfCpuMs() };
}

function cpuRate(a: Record<string, number>, b: Record<string, number>, ms: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(b)) out[k] = ((b[k] ?? 0) - (a[k] ?? 0)) / (ms / 1000);
  return out;
}

async function resolution(stack: Stack, pollEveryMs: number, seconds: number): Promise<ResolutionRun> {
  const writeEveryMs = DEFAULT_INTERVALS.probeWriteMs;
  const startLoad = load1();
  // Baseline: the same window with no probe.
  const b0 = cpuSnapshot(stack);
  const tb = Date.now();
  await sleep(seconds * 1000);
  const idle = cpuRate(b0, cpuSnapshot(stack), Date.now() - tb);

  const samples: Sample[] = [];
  const c0 = cpuSnapshot(stack);
  const t0 = Date.now();
  const probe = startLagProbe({
    endpoints: stack.endpoints,
    index: 'products',
    emit: (s) => samples.push(s),
    log: () => undefined,
    writeEveryMs,
    pollEveryMs,
  });
  await sleep(seconds * 1000);
  const summary: ProbeSummary = await probe.stop();
  const on = cpuRate(c0, cpuSnapshot(stack), Date.now() - t0);

  const polls = samples.filter((s) => s.kind === 'probe').map((s) => s.t);
  const gaps = polls.slice(1).map((t, i) => t - polls[i]!);
  const e2e = samples.filter((s): s is Extract<Sample, { kind: 'e2e-lag' }> => s.kind === 'e2e-lag');
  const windows: number[] = [];
  for (const s of e2e) {
    let prev: number | undefined;
    for (const t of polls) {
      if (t >= s.t) break;
      prev = t;
    }
    if (prev !== undefined) windows.push(s.t - prev);
  }
  const instants = [...new Set(e2e.map((s) => s.t))].sort((a, b) => a - b);
  const steps = instants.slice(1).map((t, i) => t - instants[i]!);
  const cpuMsPerSec: Record<string, number> = {};
  for (const k of Object.keys(on)) cpuMsPerSec[k] = Math.round(((on[k] ?? 0) - (idle[k] ?? 0)) * 10) / 10;
  return {
    load1: startLoad,
    pollEveryMs,
    writeEveryMs,
    seconds,
    polls: summary.polls,
    pollFailures: summary.pollFailures,
    meanPollIntervalMs: summary.meanPollIntervalMs === null ? null : Math.round(summary.meanPollIntervalMs * 10) / 10,
    p50PollGapMs: median(gaps),
    p95PollGapMs: percentile(gaps, 95),
    maxPollGapMs: gaps.length ? Math.max(...gaps) : null,
    e2eSamples: e2e.length,
    granularityMs: median(windows),
    p95GranularityMs: percentile(windows, 95),
    visibilityStepMs: median(steps),
    lagP50Ms: summary.lag.p50 ?? null,
    lagP99Ms: summary.lag.p99 ?? null,
    cpuMsPerSec,
    cpuMsPerSecTotal: Math.round(Object.values(cpuMsPerSec).reduce((s, x) => s + x, 0) * 10) / 10,
  };
}

async function saturateWithProbe(stack: Stack, rows: number, probeOn: boolean): Promise<SaturationResult> {
  if (!probeOn) return saturate(stack, { rows, label: 'probe off' });
  const probe = startLagProbe({
    endpoints: stack.endpoints,
    index: 'products',
    emit: () => undefined,
    log: () => undefined,
    pollEveryMs: FAST_POLL_MS,
    writeEveryMs: DEFAULT_INTERVALS.probeWriteMs,
  });
  try {
    await sleep(1000);
    return await saturate(stack, { rows, label: `probe on (${FAST_POLL_MS} ms)` });
  } finally {
    await probe.stop();
  }
}

export const probeMeasure: Measure = {
  name: 'probe',
  title: 'lag probe: resolution and cost',
  needsStack: true,
  async run(ctx: BenchContext): Promise<MeasureOutput> {
    const stack = await ctx.stacks.get();
    const seconds = ctx.quick ? 4 : 10;
    const refresh = await esIndexSetting(stack.endpoints.esUrl, 'products', 'index.refresh_interval');
    const res: ResolutionRun[] = [];
    for (let i = 1; i <= ctx.runs; i++) {
      const r = await resolution(stack, FAST_POLL_MS, seconds);
      res.push(r);
      ctx.log(
        `  probe ${FAST_POLL_MS} ms run ${i}: poll interval ${r.meanPollIntervalMs} ms (p95 gap ${r.p95PollGapMs}), ` +
          `granularity ${r.granularityMs} ms, visibility steps ${r.visibilityStepMs} ms, ` +
          `CPU +${r.cpuMsPerSecTotal} ms/s`,
      );
    }
    const others: ResolutionRun[] = [];
    for (const p of ctx.quick ? [] : [DEFAULT_INTERVALS.probePollMs, 10]) {
      const r = await resolution(stack, p, seconds);
      others.push(r);
      ctx.log(
        `  probe ${p} ms: poll interval ${r.meanPollIntervalMs} ms, granularity ${r.granularityMs} ms, ` +
          `CPU +${r.cpuMsPerSecTotal} ms/s`,
      );
    }

    const rows = saturationRows(ctx.quick);
    const pairs: { off: SaturationResult; on: SaturationResult; costPct: number | null }[] = [];
    for (let i = 1; i <= ctx.runs; i++) {
      // Alternate the order so a drift in the neighbours' load does not always favour the same side.
      const order = i % 2 ? [false, true] : [true, false];
      const got: Partial<Record<'off' | 'on', SaturationResult>> = {};
      for (const on of order) {
        const r = await saturateWithProbe(stack, rows, on);
        got[on ? 'on' : 'off'] = r;
        ctx.log(
          `  saturation ${r.label}: ${r.eventsPerSec ?? 'timed out'} events/s ` +
            `(steady ${r.steadyEventsPerSec ?? '—'}; source ${r.sourceEventsPerSec ?? '—'}) over ${rows} rows`,
        );
        await sleep(2000);
      }
      const off = got.off!;
      const onR = got.on!;
      const costPct =
        off.eventsPerSec && onR.eventsPerSec ? Math.round((1 - onR.eventsPerSec / off.eventsPerSec) * 1000) / 10 : null;
      pairs.push({ off, on: onR, costPct });
    }
    ctx.shared.set(
      'saturation-off',
      pairs.map((p) => p.off),
    );

    const offRates = pairs.map((p) => p.off.eventsPerSec).filter((x): x is number => x !== null);
    const onRates = pairs.map((p) => p.on.eventsPerSec).filter((x): x is number => x !== null);
    const notes = [
      `index refresh_interval ${refresh ?? 'unknown'}: a write becomes searchable only at a refresh, ` +
        'so new e2e-lag samples arrive in bunches about one refresh apart ' +
        `(median ${median(res.map((r) => r.visibilityStepMs ?? NaN).filter(Number.isFinite)) ?? '—'} ms); ` +
        `the probe writes every ${DEFAULT_INTERVALS.probeWriteMs} ms, ` +
        `so ≤ ${1000 / DEFAULT_INTERVALS.probeWriteMs} samples/s`,
      `throughput with the probe: off median ${median(offRates) ?? '—'} events/s, ` +
        `on median ${median(onRates) ?? '—'} events/s; cost = per-pair 1 − on/off`,
      `the harness's default poll period is ${DEFAULT_INTERVALS.probePollMs} ms (DEFAULT_INTERVALS.probePollMs); ` +
        `the figures are for ${FAST_POLL_MS} ms`,
    ];
    return {
      metrics: [
        metric(
          'probe.poll-interval',
          `lag probe: achieved poll interval (configured ${FAST_POLL_MS} ms)`,
          'ms',
          res.map((r) => r.meanPollIntervalMs ?? NaN),
          { kind: 'max', value: 20 },
          undefined,
          res.map((r) => r.load1),
        ),
        metric(
          'probe.granularity',
          `lag probe: e2e-lag sample granularity (poll ${FAST_POLL_MS} ms)`,
          'ms',
          res.map((r) => r.granularityMs ?? NaN),
          { kind: 'max', value: 20 },
          undefined,
          res.map((r) => r.load1),
        ),
        metric(
          'probe.cost',
          `lag probe (${FAST_POLL_MS} ms) cost to saturation throughput`,
          '%',
          pairs.map((p) => p.costPct ?? NaN),
          { kind: 'max', value: 5 },
          undefined,
          pairs.map((p) => p.off.load1),
        ),
        metric(
          'probe.cpu',
          `lag probe (${FAST_POLL_MS} ms) CPU on the idle pipeline (all programs + harness)`,
          'ms/s',
          res.map((r) => r.cpuMsPerSecTotal),
          undefined,
          undefined,
          res.map((r) => r.load1),
        ),
      ],
      details: {
        refreshInterval: refresh ?? null,
        resolution: res,
        otherPollPeriods: others,
        saturationRows: rows,
        pairs: pairs.map((p) => ({
          costPct: p.costPct,
          off: { ...p.off, curve: undefined },
          on: { ...p.on, curve: undefined },
        })),
      },
      notes,
    };
  },
};
