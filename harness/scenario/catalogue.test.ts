import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeFault } from '../faults/registry.ts';
import { listScenarios, loadScenario } from './load.ts';
import { generateSchedule } from './random-chaos.ts';

const CATALOGUE_DOC = readFileSync(new URL('../../docs/scenarios-and-faults.md', import.meta.url), 'utf8');

// The catalogue is run against the real stack by test/scenarios.int.test.ts; here, without a stack, every
// file must load, read as a test plan, build its faults, and stay short enough for `npm test`.
describe('scenario catalogue files', () => {
  for (const { name, file } of listScenarios()) {
    it(name, () => {
      const s = loadScenario(file);
      expect(s.name).toBe(name);
      expect(s.description.length).toBeGreaterThan(20);
      expect(s.healthy.length, 'expect.healthy says what a healthy pipeline must do').toBeGreaterThan(20);
      // Converged, unless the platform itself cannot keep the data (postgres-failover on Postgres 15, whose
      // standby has no logical slot): then the scenario names the classes the healthy pipeline shows.
      if (s.expect.verdict !== 'converged')
        expect(
          s.expect.anomalies.length,
          `${name} expects ${s.expect.verdict}: it must name the classes`,
        ).toBeGreaterThan(0);
      expect(s.workload.durationMs).toBeLessThanOrEqual(30_000);
      expect(CATALOGUE_DOC, `docs/scenarios-and-faults.md lists ${name} in its catalogue table`).toContain(
        `| [\`${name}\`](../scenarios/${name}.yaml) | ${s.expect.verdict} |`,
      );
      const schedule = s.randomFaults ? generateSchedule(s.seed, s.randomFaults, s.workload.durationMs) : s.faults;
      schedule.forEach((f, i) => {
        expect(() =>
          makeFault({ kind: f.kind, target: f.target, params: f.params }, `${f.kind}#${i + 1}`, `faults[${i}]`),
        ).not.toThrow();
        expect(f.atMs + (f.durationMs ?? 0)).toBeLessThan(s.workload.durationMs);
      });
    });
  }
});
