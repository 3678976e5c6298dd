/**
 * A realistic recorded run for tests and demos: 60 s, two fault windows (Postgres latency, an Elasticsearch
 * outage with a lag spike and a FAILED sink task), every sample kind. Deterministic: same output every call.
 */
import { ANOMALY_CLASSES, type Anomaly, type AnomalyClass } from '../record/anomalies.ts';
import type { Sample } from '../record/samples.ts';
import type { TimelineEvent } from '../record/timeline.ts';
import type { ProductRow } from '../record/history.ts';
import { summariseLag } from '../record/lag-summary.ts';
import type { RunReport } from '../record/report.ts';
import { faultWindows } from '../record/timeline.ts';

export type FixtureVariant = 'converged' | 'diverged';

export interface FixtureRun {
  report: RunReport;
  samples: Sample[];
  timeline: TimelineEvent[];
}

export const FIXTURE_START = Date.parse('2025-03-14T09:26:53.000Z');
const S = 1000;
const at = (sec: number): number => FIXTURE_START + Math.round(sec * S);

/** mulberry32: a tiny seeded PRNG so the noise in the fixture is stable across runs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Phases of the fixture run, in seconds since start.
const WORKLOAD = { start: 5, end: 45 };
const PG_LATENCY = { start: 10, end: 20 };
const ES_OUTAGE = { start: 30, end: 42 };
const SINK_FAILED_AT = 36;
const RESTARTED_AT = 43;

const inside = (s: number, w: { start: number; end: number }): boolean => s >= w.start && s < w.end;

function fixtureTimeline(): TimelineEvent[] {
  return [
    { t: at(0), kind: 'phase', name: 'up' },
    { t: at(1), kind: 'phase', name: 'register' },
    { t: at(3), kind: 'phase', name: 'warm-up' },
    { t: at(WORKLOAD.start), kind: 'phase', name: 'workload' },
    { t: at(PG_LATENCY.start), kind: 'fault-start', id: 'f1', fault: 'latency', target: 'pg', detail: 'latency 800 ms ± 200 ms, downstream' },
    { t: at(PG_LATENCY.end), kind: 'fault-heal', id: 'f1', fault: 'latency', target: 'pg' },
    { t: at(ES_OUTAGE.start), kind: 'fault-start', id: 'f2', fault: 'es-outage', target: 'es', detail: 'proxy "es" disabled' },
    { t: at(SINK_FAILED_AT), kind: 'note', message: 'sink task 0 FAILED' },
    { t: at(ES_OUTAGE.end), kind: 'fault-heal', id: 'f2', fault: 'es-outage', target: 'es' },
    { t: at(RESTARTED_AT), kind: 'operator', action: 'restart task es-sink/0', reason: 'task FAILED after retries were exhausted' },
    { t: at(WORKLOAD.end), kind: 'phase', name: 'heal' },
    { t: at(46), kind: 'phase', name: 'quiesce' },
    { t: at(50), kind: 'phase', name: 'check' },
    { t: at(59), kind: 'phase', name: 'report' },
  ];
}

/** End-to-end lag (ms) the probe would see at second `s`: small noise, slower under latency, a ramp while ES is down. */
function lagAt(s: number, rnd: () => number): number {
  const base = 120 + rnd() * 160;
  if (inside(s, PG_LATENCY)) return base + 700 + rnd() * 500;
  if (inside(s, ES_OUTAGE)) return base + (s - ES_OUTAGE.start) * 1000;
  // After the outage the backlog drains over ~4 s.
  const since = s - ES_OUTAGE.end;
  if (since >= 0 && since < 4) return base + (12_000 * (4 - since)) / 4;
  return base;
}

function fixtureSamples(variant: FixtureVariant): Sample[] {
  const rnd = prng(42);
  const out: Sample[] = [];
  let seq = 0;
  let opSeq = 0;
  for (let ms = 0; ms <= 60_000; ms += 500) {
    const s = ms / 1000;
    const t = at(s);
    const lag = Math.round(lagAt(s, rnd));
    seq++;
    out.push({ t, kind: 'probe', committedSeq: seq, visibleSeq: Math.max(0, seq - Math.floor(lag / 500)), lagMs: lag });
    if (ms % 1000 === 0) {
      out.push({ t: t + 5, kind: 'e2e-lag', seq, lagMs: Math.round(lag * (0.9 + rnd() * 0.2)) });
      const working = inside(s, WORKLOAD);
      const rate = !working ? 0 : inside(s, PG_LATENCY) ? 18 + rnd() * 6 : 50 + rnd() * 8;
      out.push({ t: t + 10, kind: 'op-rate', opsPerSec: Math.round(rate * 10) / 10 });
      const slotBytes = inside(s, PG_LATENCY)
        ? Math.round(64 * 1024 * (s - PG_LATENCY.start + 1) * (0.8 + rnd() * 0.4))
        : Math.round(2048 + rnd() * 6144);
      out.push({ t: t + 15, kind: 'slot-lag', slot: 'debezium_products', bytes: slotBytes, active: true });
      const since = s - ES_OUTAGE.end;
      const backlog = inside(s, ES_OUTAGE)
        ? Math.round((s - ES_OUTAGE.start) * 54)
        : since >= 0 && since < 4
          ? Math.round((648 * (4 - since)) / 4)
          : Math.round(rnd() * 12);
      const end = 1000 + seq * 27;
      out.push({ t: t + 20, kind: 'consumer-lag', group: 'connect-es-sink', lag: backlog, endOffset: end, committed: end - backlog });
    }
    if (ms % 1500 === 0 && inside(s, WORKLOAD)) {
      opSeq += 70;
      out.push({ t: t + 30, kind: 'op-lag', opSeq, lagMs: Math.round(lag * (0.8 + rnd() * 0.5)) });
    }
    if (ms % 5000 === 0) {
      const failed = s >= SINK_FAILED_AT && s < RESTARTED_AT;
      out.push({ t: t + 40, kind: 'connector', name: 'outbox-source', state: 'RUNNING', tasks: ['RUNNING'] });
      const sink: Sample = { t: t + 45, kind: 'connector', name: 'es-sink', state: 'RUNNING', tasks: [failed ? 'FAILED' : 'RUNNING'] };
      if (failed) sink.trace = SINK_TRACE;
      out.push(sink);
    }
  }
  // A diverged run loses events in the outage: the probe never sees a few markers (lag stays unknown).
  if (variant === 'diverged') out.push({ t: at(59.5), kind: 'probe', committedSeq: seq + 1, visibleSeq: seq - 3, lagMs: 17_500 });
  return out.sort((a, b) => a.t - b.t);
}

const SINK_TRACE = [
  'org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask due to unrecoverable exception.',
  '\tat org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:636)',
  '\tat org.apache.kafka.connect.runtime.WorkerSinkTask.poll(WorkerSinkTask.java:345)',
  '\tat org.apache.kafka.connect.runtime.WorkerSinkTask.iteration(WorkerSinkTask.java:247)',
  '\tat org.apache.kafka.connect.runtime.WorkerSinkTask.execute(WorkerSinkTask.java:216)',
  'Caused by: org.apache.kafka.connect.errors.ConnectException: Failed to execute bulk request due to \'java.net.ConnectException: Connection refused\' after 6 attempt(s)',
].join('\n');

function row(id: number, name: string, price: string, description: string | null = `Sturdy ${name.toLowerCase()} for everyday use`): ProductRow {
  return { product_id: id, name, description, price, created_at: Date.UTC(2025, 2, 14, 9, 27, id % 60) };
}

const docOf = (r: ProductRow, id: string = String(r.product_id)) => ({ _id: id, _source: { ...r } as Record<string, unknown> });

/** Anomalies a diverged ES-outage run plausibly produces, including strings that stress every escaper. */
function divergedAnomalies(): { counts: Record<AnomalyClass, number>; examples: Record<AnomalyClass, Anomaly[]> } {
  const missing: Anomaly[] = Array.from({ length: 12 }, (_, i) => {
    const r = row(1200 + i * 7, `Widget ${i + 1}`, `${(9 + i).toString()}.99`);
    return { class: 'missing', product_id: r.product_id, pg: r, es: [], detail: `inserted by op #${812 + i * 3} during the es-outage window, never indexed` };
  });
  const zombies: Anomaly[] = [77, 78, 91].map((id) => {
    const r = row(id, `Gadget ${id}`, '4.50');
    return { class: 'zombie', product_id: id, pg: null, es: [docOf(r)], detail: `deleted by op #${900 + id}; tombstone never reached the sink` };
  });
  const staleRow = row(314, 'Teapot | porcelain', '24.00');
  const stale: Anomaly[] = [
    { class: 'stale', product_id: 314, pg: staleRow, es: [docOf({ ...staleRow, price: '19.00' })], detail: 'equals version 3 of 5 (op #1022); later updates #1088, #1131 lost' },
    {
      class: 'stale',
      product_id: 401,
      pg: row(401, 'Kettle', '31.00'),
      es: [docOf({ ...row(401, 'Kettle', '29.00'), name: 'Kettle (old)' })],
      detail: 'equals version 1 of 2 (op #640)',
    },
  ];
  const big = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(150).slice(0, 8192);
  const corruptRow = row(512, 'Hammock </script><script>alert("x")</script> & ]]> \u0007bell', '89.90', big);
  const corrupt: Anomaly[] = [
    {
      class: 'corrupt',
      product_id: 512,
      pg: corruptRow,
      es: [docOf({ ...corruptRow, description: '__debezium_unavailable_value' })],
      detail: 'description is the TOAST placeholder __debezium_unavailable_value (unchanged TOASTed column, REPLICA IDENTITY DEFAULT)',
    },
  ];
  const dupRow = row(640, 'Lamp', '15.00');
  const duplicate: Anomaly[] = [
    { class: 'duplicate', product_id: 640, pg: dupRow, es: [docOf(dupRow, '640'), docOf(dupRow, 'products+0+1287')], detail: '2 documents: key.ignore=true indexed by topic+partition+offset' },
  ];
  const examples: Record<AnomalyClass, Anomaly[]> = { missing, zombie: zombies, stale, corrupt, duplicate };
  const counts = { missing: 14, zombie: 3, stale: 2, corrupt: 1, duplicate: 1 };
  return { counts, examples };
}

function emptyAnomalies(): { counts: Record<AnomalyClass, number>; examples: Record<AnomalyClass, Anomaly[]> } {
  const counts = {} as Record<AnomalyClass, number>;
  const examples = {} as Record<AnomalyClass, Anomaly[]>;
  for (const c of ANOMALY_CLASSES) {
    counts[c] = 0;
    examples[c] = [];
  }
  return { counts, examples };
}

/** The fixture run: report.json, samples.jsonl and timeline.jsonl of one made-up but realistic run. */
export function fixtureRun(variant: FixtureVariant = 'converged'): FixtureRun {
  const timeline = fixtureTimeline();
  const samples = fixtureSamples(variant);
  const durationMs = 60_000;
  const e2e = summariseLag(samples.flatMap((s) => (s.kind === 'e2e-lag' ? [s.lagMs] : [])));
  const ops = summariseLag(samples.flatMap((s) => (s.kind === 'op-lag' ? [s.lagMs] : [])));
  const diverged = variant === 'diverged';
  const scenario = diverged ? 'es-outage' : 'baseline-with-faults';
  const seed = 42;
  const report: RunReport = {
    schemaVersion: 1,
    runId: `2025-03-14T09-26-53Z-${scenario}-${seed}`,
    scenario,
    description: diverged
      ? 'Elasticsearch is unreachable for 12 s while the workload runs; the sink must retry and converge.'
      : 'Mixed workload with Postgres latency and a 12 s Elasticsearch outage; must converge within 30 s.',
    seed,
    workloadHash: 'sha256:9f2c4e1ab07d',
    replay: `npx outbox-chaos run scenarios/${scenario}.ts --seed ${seed}`,
    provider: 'local-binaries',
    connectorsDir: 'connectors/',
    startedAt: new Date(FIXTURE_START).toISOString(),
    finishedAt: new Date(FIXTURE_START + durationMs).toISOString(),
    durationMs,
    verdict: diverged ? 'diverged' : 'converged',
    expectedVerdict: 'converged',
    passed: !diverged,
    timeToConvergenceMs: diverged ? null : 1_800,
    budget: { convergenceMs: 30_000, lagP99Ms: 15_000 },
    lag: { ...e2e, e2e, ops },
    anomalies: diverged ? divergedAnomalies() : emptyAnomalies(),
    ops: {
      total: 3120,
      byKind: { insert: 1040, update: 1460, delete: 312, reinsert: 104, txn: 204 },
      byOutcome: { ok: 3101, failed: 12, unknown: 7 },
      ratePerSec: 78,
    },
    throughput: 74.6,
    timeline: faultWindows(timeline, FIXTURE_START + durationMs),
    operatorActions: timeline.flatMap((e) => (e.kind === 'operator' ? [{ t: e.t, action: e.action, reason: e.reason }] : [])),
    connectors: [
      { name: 'outbox-source', state: 'RUNNING', tasks: [{ id: 0, state: 'RUNNING' }] },
      diverged
        ? { name: 'es-sink', state: 'RUNNING', tasks: [{ id: 0, state: 'FAILED', trace: SINK_TRACE }] }
        : { name: 'es-sink', state: 'RUNNING', tasks: [{ id: 0, state: 'RUNNING' }] },
    ],
    versions: {
      postgres: '16.4',
      kafka: '3.8.0',
      'debezium-connector-postgres': '2.7.3.Final',
      'kafka-connect-elasticsearch': '14.1.1',
      elasticsearch: '8.15.1',
      toxiproxy: '2.9.0',
      node: 'v20.18.0',
    },
    final: diverged ? { pgRows: 1009, esDocs: 999 } : { pgRows: 1012, esDocs: 1012 },
    notes: diverged
      ? ['sink task es-sink/0 FAILED at +36.0 s (bulk request refused after 6 attempts); restarted by the operator at +43.0 s', 'Elasticsearch still differs from Postgres 30 s after the last heal']
      : [],
  };
  return { report, samples, timeline };
}
