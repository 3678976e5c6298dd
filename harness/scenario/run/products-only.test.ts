import { describe, expect, it } from 'vitest';
import { listScenarios, loadScenario } from '../load.ts';
import { productsOnly } from './plan.ts';

describe("scenarios a definition's own tables cannot run", () => {
  it('names why: preloaded products rows, statements on its columns, a fault at its topic', () => {
    const why = (name: string): string[] => {
      const s = loadScenario(name);
      return productsOnly(s, s.faults);
    };
    expect(why('truncate')).toEqual([
      "it preloads 300 products rows, not a definition's own tables",
      "its statements (postgres.sql) are written for the products table's columns, not a definition's own tables",
    ]);
    expect(why('broker-leader-loss')).toEqual([
      "a fault is aimed at the products topic, not a definition's own tables",
    ]);
    for (const name of ['baseline', 'es-outage', 'connect-crash', 'delete-reinsert-churn'])
      expect(why(name), name).toEqual([]);
  });

  it('leaves most of the catalogue to run', () => {
    const names = listScenarios().map((s) => s.name);
    const runnable = names.filter((n) => {
      const s = loadScenario(n);
      return productsOnly(s, s.faults).length === 0;
    });
    expect(runnable.length).toBeGreaterThan(names.length / 2);
  });
});
