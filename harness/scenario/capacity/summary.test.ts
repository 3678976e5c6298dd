import { describe, expect, it } from 'vitest';
import type { StepJudgement } from './judge.ts';
import { resultLine, type CapacityStep } from './model.ts';
import { renderCapacityHtml, renderCapacityMarkdown, renderTable } from './render.ts';
import { summarise } from './run.ts';

function step(rate: number, sustained: boolean, extra: Partial<StepJudgement> = {}): CapacityStep {
  const lag = { samples: 10, p50: rate, p95: rate * 2, p99: rate * 3, max: rate * 4 };
  return {
    rate,
    concurrency: 2,
    runDir: `reports/r${rate}`,
    verdict: 'converged',
    judgement: {
      sustained,
      gaveOut: sustained ? null : 'sink',
      reasons: sustained ? [] : ['consumer lag grew 40→9000'],
      offeredRate: rate,
      achievedRate: rate,
      lag,
      hops: null,
      slot: null,
      consumer: { first: 40, middle: 100, last: 9000, growing: !sustained },
      window: { from: 0, to: 1 },
      ...extra,
    },
  };
}

const meta = {
  startedAt: 'x',
  provider: 'local',
  connectorsDir: 'connectors/',
  seed: 42,
  stepMs: 20_000,
  lagBudgetMs: 10_000,
  plan: { from: 100, max: 6400, bisections: 2 },
};

describe('the capacity record', () => {
  it('names the versions it ran on, so two searches on different versions can be told apart', () => {
    const r = summarise([step(100, true)], { ...meta, versions: { postgres: '17.10', kafka: '4.1.1' } });
    expect(r.versions).toEqual({ postgres: '17.10', kafka: '4.1.1' });
    expect(renderCapacityMarkdown(r)).toContain('Versions: postgres 17.10, kafka 4.1.1.');
    expect(renderCapacityMarkdown(summarise([step(100, true)], meta))).not.toContain('Versions:');
  });

  it('reports the highest sustained rate below the lowest failure, and the hop that gave out there', () => {
    const steps = [step(100, true), step(200, true), step(400, false), step(300, true), step(350, false)];
    const r = summarise(steps, meta);
    expect(r.sustained).toEqual({ rate: 300, p50: 300, p99: 900 });
    expect(r.limit).toEqual({ rate: 350, hop: 'sink', reasons: ['consumer lag grew 40→9000'] });
    expect(resultLine(r)).toBe(
      'sustained 300 ops/s (lag p50 300 ms, p99 900 ms); at 350 the sink gave out first ' +
        '(Kafka → sink → Elasticsearch): consumer lag grew 40→9000',
    );
    expect(r.hopSplit.measured).toBe(false);
  });

  it('a sustained rate above a failed one does not count (a noisy step)', () => {
    const r = summarise([step(100, true), step(200, false), step(150, false), step(175, true)], meta);
    expect(r.sustained?.rate).toBe(100);
    expect(r.limit?.rate).toBe(150);
  });

  it('says when nothing was sustained, and when nothing gave out', () => {
    expect(resultLine(summarise([step(100, false)], meta))).toMatch(/^not sustained even at 100 ops\/s; at 100/);
    expect(resultLine(summarise([step(100, true)], meta))).toMatch(/nothing gave out up to --max 6400$/);
  });

  it('renders a table row per step and a self-contained chart', () => {
    const r = summarise([step(100, true), step(200, false)], meta);
    expect(renderTable(r.steps).split('\n')).toHaveLength(3);
    const page = renderCapacityHtml(r);
    expect(page).toContain('<svg');
    expect(page).not.toMatch(/(src|href)="?https?:/);
  });
});
