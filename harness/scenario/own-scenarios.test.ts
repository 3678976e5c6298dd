import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listScenarios, resolveScenarioFile, SCENARIOS_DIR } from './load.ts';

// A project that installed the package runs commands from its own directory: its scenarios/ is found there.
describe('a project’s own scenarios/', () => {
  const cwd = process.cwd();
  let project: string;

  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), 'own-scenarios-'));
    mkdirSync(join(project, 'scenarios'));
    copyFileSync(join(SCENARIOS_DIR, 'es-latency.yaml'), join(project, 'scenarios', 'mine.yaml'));
    copyFileSync(join(SCENARIOS_DIR, 'es-latency.yaml'), join(project, 'scenarios', 'baseline.yaml'));
    process.chdir(project);
  });

  afterEach(() => {
    process.chdir(cwd);
    rmSync(project, { recursive: true, force: true });
  });

  it('resolves by name before the catalogue, and the catalogue still answers for the rest', () => {
    expect(resolveScenarioFile('mine')).toBe(join(project, 'scenarios', 'mine.yaml'));
    expect(resolveScenarioFile('baseline')).toBe(join(project, 'scenarios', 'baseline.yaml'));
    expect(resolveScenarioFile('es-outage')).toBe(join(SCENARIOS_DIR, 'es-outage.yaml'));
    expect(resolveScenarioFile('scenarios/mine.yaml')).toBe('scenarios/mine.yaml');
  });

  it('lists the catalogue and the project’s scenarios once each, the project’s winning a shared name', () => {
    const all = listScenarios();
    expect(all.filter((s) => s.name === 'baseline')).toEqual([
      { name: 'baseline', file: join(project, 'scenarios', 'baseline.yaml') },
    ]);
    expect(all.find((s) => s.name === 'mine')?.file).toBe(join(project, 'scenarios', 'mine.yaml'));
    expect(all.find((s) => s.name === 'es-outage')?.file).toBe(join(SCENARIOS_DIR, 'es-outage.yaml'));
  });

  it('in the clone itself the catalogue is listed once', () => {
    process.chdir(cwd);
    const names = listScenarios().map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).not.toContain('mine');
  });
});
