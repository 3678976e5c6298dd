import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Provider } from '../../provider/interface.ts';
import { readJsonl } from '../../record/jsonl.ts';
import { reportsRoot } from '../../record/paths.ts';
import type { Sample } from '../../record/samples.ts';
import { info } from '../../util/log.ts';
import { mkdirPrivate, writePrivate } from '../../util/private-files.ts';
import { loadScenario } from '../load.ts';
import { runScenario } from '../runner.ts';
import { coresOverWindow, sampleCpu } from './cpu.ts';
import { judgeStep } from './judge.ts';
import { resultLine, type CapacityRecord, type CapacityStep } from './model.ts';
import { renderCapacityHtml, renderCapacityMarkdown, renderTable } from './render.ts';
import { bracket, concurrencyFor, nextRate, type SearchPlan } from './search.ts';

export interface CapacityOptions {
  provider: Provider;
  connectorsDir?: string;
  plan: SearchPlan;
  stepMs: number;
  /** Default: the baseline scenario's lag budget. */
  lagBudgetMs?: number;
  seed?: number;
  signal?: AbortSignal;
  /** Default: reports/capacity-<time>. */
  outDir?: string;
}

/** The workload every step runs: the seeded baseline, faultless. */
export const CAPACITY_SCENARIO = 'baseline';

/**
 * The stepped-load search: each step is a real run of the baseline workload at the offered rate (concurrency
 * growing with it), judged by judgeStep; nextRate picks the next. Writes capacity.json, capacity.md and
 * index.html as it goes, so an interrupted search leaves what it measured.
 */
export async function runCapacity(o: CapacityOptions): Promise<{ record: CapacityRecord; dir: string }> {
  const base = loadScenario(CAPACITY_SCENARIO);
  const seed = o.seed ?? base.seed;
  const lagBudgetMs = o.lagBudgetMs ?? base.budget.lagP99Ms ?? 10_000;
  const startedAt = new Date();
  const dir = o.outDir ?? join(reportsRoot(), `capacity-${startedAt.toISOString().replace(/[:.]/g, '-')}`);
  mkdirPrivate(dir);
  const steps: CapacityStep[] = [];
  const record = (): CapacityRecord =>
    summarise(steps, {
      startedAt: startedAt.toISOString(),
      provider: o.provider.label,
      versions: o.provider.versions,
      connectorsDir: o.connectorsDir ?? 'connectors/',
      seed,
      stepMs: o.stepMs,
      lagBudgetMs,
      plan: o.plan,
      interrupted: o.signal?.aborted === true,
    });
  const write = (): CapacityRecord => {
    const r = record();
    writePrivate(join(dir, 'capacity.json'), JSON.stringify(r, null, 2) + '\n');
    writePrivate(join(dir, 'capacity.md'), renderCapacityMarkdown(r));
    writePrivate(join(dir, 'index.html'), renderCapacityHtml(r));
    return r;
  };

  for (
    let rate = nextRate([], o.plan);
    rate !== null && !o.signal?.aborted;
    rate = nextRate(steps.map(brief), o.plan)
  ) {
    const concurrency = concurrencyFor(rate);
    info(`\n▸ capacity step ${steps.length + 1}: ${rate} ops/s offered (${concurrency} workers, ${o.stepMs / 1000} s)`);
    const scenario = { ...base, workload: { ...base.workload, concurrency } };
    const cpu = sampleCpu(o.provider);
    const { report, runDir } = await runScenario({
      scenario,
      provider: o.provider,
      connectorsDir: o.connectorsDir,
      seed,
      durationMs: o.stepMs,
      ratePerSec: rate,
      probeKafka: true,
      signal: o.signal,
      replay:
        `npx outbox-chaos run ${CAPACITY_SCENARIO} --seed ${seed} --rate ${rate} --duration ${o.stepMs / 1000}` +
        (o.connectorsDir ? ` --connectors ${o.connectorsDir}` : ''),
    }).finally(cpu.stop);
    if (o.signal?.aborted) break; // a partial run is no evidence either way
    const samplesFile = join(runDir, 'samples.jsonl');
    const samples = existsSync(samplesFile) ? await readJsonl<Sample>(samplesFile) : [];
    const judgement = judgeStep({ offeredRate: rate, lagBudgetMs, report, samples });
    const cores = coresOverWindow(cpu.samples, judgement.window);
    steps.push({ rate, concurrency, runDir, verdict: report.verdict, judgement, cores });
    info(renderTable(steps));
    write();
  }
  const r = write();
  info(`\n${renderTable(steps)}\n\n${resultLine(r)}`);
  return { record: r, dir };
}

const brief = (s: CapacityStep) => ({ rate: s.rate, sustained: s.judgement.sustained });

/** The record of the steps so far: the sustained rate, the limit, whether the hop split was measured. */
export function summarise(
  steps: readonly CapacityStep[],
  o: Omit<CapacityRecord, 'schemaVersion' | 'finishedAt' | 'scenario' | 'steps' | 'sustained' | 'limit' | 'hopSplit'>,
): CapacityRecord {
  const { lo, hi } = bracket(steps.map(brief));
  const ok = steps.find((s) => s.rate === lo && s.judgement.sustained);
  const bad = steps.find((s) => s.rate === hi && !s.judgement.sustained);
  const measured = steps.some((s) => s.judgement.hops !== null);
  return {
    schemaVersion: 1,
    ...o,
    finishedAt: new Date().toISOString(),
    scenario: CAPACITY_SCENARIO,
    steps: [...steps],
    sustained: ok ? { rate: ok.rate, p50: ok.judgement.lag.p50, p99: ok.judgement.lag.p99 } : null,
    limit: bad ? { rate: bad.rate, hop: bad.judgement.gaveOut ?? 'latency', reasons: bad.judgement.reasons } : null,
    hopSplit: measured
      ? { measured: true }
      : {
          measured: false,
          note:
            'no lag-probe marker was read from the sink topic: its records may not be text (Avro), ' +
            'or the topic was not found',
        },
  };
}
