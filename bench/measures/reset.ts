/**
 * Reset between two scenarios on a running stack: exactly what the runner does before a run —
 * resetPipeline (stop every connector side by side, delete it — its offsets too unless no old offset can be
 * read again —, drop slots, publications, table, index), with prepareStores (schema.sql ∥ index) started
 * beside the connectors' removal once the old stores are gone, then register the source and the sink side by
 * side and wait until both are RUNNING.
 * Before each measured reset the stack holds a previous "run": fresh names, a few thousand rows flowed through.
 * Connect's REST calls are traced to split the time into its parts.
 */
import { loadDefinition, pipelineVars } from '../../harness/pipeline/definition.ts';
import { prepareStores, registerConnectors, resetPipeline } from '../../harness/pipeline/lifecycle.ts';
import { freshRunNames, type RunNames } from '../../harness/pipeline/run-names.ts';
import type { Endpoints } from '../../harness/provider/local-stack.ts';
import { withPg } from '../../harness/stack/pg.ts';
import { traceConnect, type ConnectCall } from '../lib/connect-trace.ts';
import { esCount } from '../lib/es.ts';
import { load1, metric, sleep, type BenchContext, type Measure, type MeasureOutput } from '../lib/measure.ts';

/** As the runner does on a stack of its own: fresh topic and slot names per run. */
const freshNames = (): RunNames => freshRunNames(false);

const PRE_ROWS = 2000;

/** Puts some data through the registered pipeline, as a scenario would have left it. */
async function previousRun(ep: Endpoints, table: string, index: string): Promise<number> {
  const t0 = Date.now();
  await withPg(ep, ep.pg.database, (c) =>
    c.query(
      `INSERT INTO "${table}" (name, description, price) ` +
        "SELECT 'reset bench ' || g, 'row ' || g, (g % 100) + 0.5 FROM generate_series(1, $1) g",
      [PRE_ROWS],
    ),
  );
  // Wait (bounded) until it is searchable: the sink has consumed and committed, like after a real run.
  while (Date.now() - t0 < 30_000) {
    if ((await esCount(ep.esUrl, index).catch(() => 0)) >= PRE_ROWS) return Date.now() - t0;
    await sleep(200);
  }
  return -1;
}

export interface ResetRun {
  run: number;
  load1: number;
  totalMs: number;
  resetPipelineMs: number;
  prepareStoresMs: number;
  /** Source and sink registered side by side, until both RUNNING. */
  registerMs: number;
  /** From the sink RUNNING until a row inserted then is searchable (the runner's warm-up; not in the total). */
  firstEventMs: number;
  /** Split of resetPipeline and registration by Connect call; prepareStores overlaps the connectors' removal. */
  parts: Record<string, number>;
  connectorsBefore: number;
}

/** Where a reset's time went: its three phases, and within them the time of each Connect call kind (calls overlap). */
function split(
  calls: ConnectCall[],
  t: { t0: number; t1: number; prepStart: number; prepEnd: number; t3: number },
): Record<string, number> {
  const within = (from: number, to: number) => calls.filter((c) => c.t0 >= from && c.t1 <= to);
  const wall = (cs: ConnectCall[]): number =>
    cs.length ? Math.max(...cs.map((c) => c.t1)) - Math.min(...cs.map((c) => c.t0)) : 0;
  const parts: Record<string, number> = {};
  const reset = within(t.t0, t.t1);
  const stops = reset.filter((c) => c.method === 'stop');
  const lastStopped = Math.max(t.t0, ...reset.filter((c) => c.stopped === true).map((c) => c.t1));
  parts['reset: stop both → no task left'] = stops.length ? lastStopped - Math.min(...stops.map((c) => c.t0)) : 0;
  parts['reset: delete offsets (wall)'] = wall(reset.filter((c) => c.method === 'deleteOffsets'));
  parts['reset: delete connectors (wall)'] = wall(reset.filter((c) => c.method === 'delete'));
  parts['reset: after the last Connect call (Postgres, Elasticsearch, prepareStores)'] =
    t.t1 - Math.max(t.t0, ...reset.map((c) => c.t1));
  parts["prepareStores (schema.sql ∥ index), beside the connectors' removal"] = t.prepEnd - t.prepStart;
  const reg = within(t.t1, t.t3);
  parts['register: PUT configs (wall)'] = wall(reg.filter((c) => c.method === 'put'));
  parts['register: last PUT → both RUNNING (polled every 50 ms)'] =
    t.t3 - Math.max(t.t1, ...reg.filter((c) => c.method === 'put').map((c) => c.t1));
  return parts;
}

export const resetMeasure: Measure = {
  name: 'reset',
  title: 'reset between two scenarios on a running stack',
  needsStack: true,
  async run(ctx: BenchContext): Promise<MeasureOutput> {
    const stack = await ctx.stacks.get();
    const ep = stack.endpoints;
    const runs: ResetRun[] = [];
    for (let i = 1; i <= ctx.runs; i++) {
      // The state a previous scenario leaves: the registered pipeline (the last reset's, or `up`'s) with data
      // flowed through it.
      const def0 = loadDefinition(undefined, pipelineVars(ep, freshNames()));
      const prevMs = await previousRun(ep, def0.table, 'products').catch(() => -1);
      if (prevMs < 0)
        ctx.log('  reset: the previous pipeline did not carry the pre-run rows through (measuring anyway)');
      await sleep(1500); // let Connect flush offsets, as it would between two runs

      const names = freshNames();
      const def = loadDefinition(undefined, pipelineVars(ep, names));
      const connectorsBefore = (await fetch(`${ep.connectUrl}/connectors`).then((r) => r.json() as Promise<string[]>))
        .length;
      const startLoad = load1();
      const trace = traceConnect();
      const t0 = Date.now();
      let t1: number, t3: number;
      let prepStart = 0;
      let prepEnd = 0;
      try {
        await resetPipeline(ep, names, { everything: true, connectors: [] }, def, async () => {
          prepStart = Date.now();
          await prepareStores(ep, def, names);
          prepEnd = Date.now();
        });
        t1 = Date.now();
        await registerConnectors(ep, def);
        t3 = Date.now();
      } finally {
        trace.stop();
      }
      // The runner's warm-up (not part of the reset): the first event flows through end to end.
      const tw = Date.now();
      await withPg(ep, ep.pg.database, (c) =>
        c.query(`INSERT INTO "${def.table}" (name, description, price) VALUES ('first event', 'reset bench', 1.00)`),
      );
      let firstEventMs = -1;
      while (Date.now() - tw < 60_000) {
        if ((await esCount(ep.esUrl, names.index).catch(() => 0)) >= 1) {
          firstEventMs = Date.now() - tw;
          break;
        }
        await sleep(50);
      }
      const r: ResetRun = {
        run: i,
        load1: startLoad,
        totalMs: t3 - t0,
        resetPipelineMs: t1 - t0,
        prepareStoresMs: prepEnd - prepStart,
        registerMs: t3 - t1,
        firstEventMs,
        parts: split(trace.calls, { t0, t1, prepStart, prepEnd, t3 }),
        connectorsBefore,
      };
      runs.push(r);
      ctx.log(
        `  reset run ${i}: ${(r.totalMs / 1000).toFixed(2)} s (reset ${r.resetPipelineMs} ms, ` +
          `with prepare ${r.prepareStoresMs} ms beside it, register ${r.registerMs} ms); ` +
          `first event searchable ${firstEventMs} ms later`,
      );
    }
    const s = (ms: number): number => ms / 1000;
    return {
      metrics: [
        metric(
          'reset.total',
          'reset between scenarios (reset + prepare + register → RUNNING)',
          's',
          runs.map((r) => s(r.totalMs)),
          { kind: 'max', value: 1 },
          undefined,
          runs.map((r) => r.load1),
        ),
        metric(
          'reset.reset',
          '  of which: resetPipeline, prepareStores beside it',
          's',
          runs.map((r) => s(r.resetPipelineMs)),
        ),
        metric(
          'reset.prepare',
          '  prepareStores (overlaps resetPipeline)',
          's',
          runs.map((r) => s(r.prepareStoresMs)),
        ),
        metric(
          'reset.register',
          '  of which: register source ∥ sink → RUNNING',
          's',
          runs.map((r) => s(r.registerMs)),
        ),
        metric(
          'reset.first-event',
          'after reset: first event searchable (runner warm-up, not in the total)',
          's',
          runs.filter((r) => r.firstEventMs >= 0).map((r) => s(r.firstEventMs)),
        ),
      ],
      details: { rowsBeforeEachReset: PRE_ROWS, runs },
    };
  },
};
