import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureRun } from '../../test/fixtures/run.ts';
import { fixtureSuiteRuns } from '../../test/fixtures/suite.ts';
import type { RunReport } from '../record/report.ts';
import { writeSuite } from '../report/suite/write.ts';
import { writeReportFiles } from '../report/write.ts';
import { mask, registerConfigSecrets, resetSecrets } from '../util/redact.ts';
import { writeComparison } from './compare.ts';

/**
 * A failed run's junit.xml (a real run reaches it only when it misses a budget), suite pages and compare
 * reports. Suite pages and compare reports hold no connector config in a real run (their records keep verdicts,
 * counts and the command's words), so no planted input reaches them (docs/secrets.md, "How it is tested").
 * Here their free text carries a secret and their runs' reports a sink password: neither may be written. Each
 * fails when its writer's redaction is taken out.
 */
const PASSWORD = 'SinkPw-unit-c41d';
const USERINFO = 'UrlUser-unit:UrlPw-unit-e22';
const URL = `http://${USERINFO}@127.0.0.1:9200`;
let dir = '';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-chaos-records-'));
  registerConfigSecrets({ 'connection.password': PASSWORD, 'connection.url': URL });
});
afterEach(() => {
  resetSecrets();
  rmSync(dir, { recursive: true, force: true });
});

/** A fixture run's report whose sink ran with the planted password and URL. */
function withSecrets(report: RunReport): RunReport {
  const sink = {
    requested: 'io.outboxchaos.es.ElasticsearchSinkConnector',
    ran: 'io.outboxchaos.es.ElasticsearchSinkConnector',
    substituted: false,
    ignored: [],
    ...report.sink,
    effective: { 'connection.password': PASSWORD, 'connection.url': URL },
  };
  return { ...report, sink };
}

/** Every file below `d`, concatenated. */
function allText(d: string): string {
  return readdirSync(d, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

function expectClean(text: string): void {
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain('UrlPw-unit-e22');
  expect(text).not.toContain('UrlUser-unit');
}

describe('suite pages and compare reports mask secrets', () => {
  it("a failed run's report files: junit.xml carries the summary with the sink's config only then", async () => {
    const report = { ...withSecrets(fixtureRun('diverged').report), passed: false };
    await writeReportFiles(join(dir, 'run'), report, []);
    const text = allText(join(dir, 'run'));
    expectClean(text);
    expect(readFileSync(join(dir, 'run', 'junit.xml'), 'utf8')).toContain(mask(PASSWORD));
  });

  it('a suite whose run failed for a reason quoting a URL with userinfo and the password', () => {
    const [first, ...rest] = fixtureSuiteRuns().runs;
    const run = {
      ...first!,
      report: withSecrets(first!.report),
      reasons: [`connector refused: ${URL} (password ${PASSWORD})`],
    };
    const suiteDir = writeSuite([run, ...rest], { title: 'run', kind: 'run', root: dir });
    const text = allText(suiteDir);
    expectClean(text);
    expect(text).toContain(mask(PASSWORD));
  });

  it('a comparison whose replay line and runs carry the secrets', () => {
    const [a, b] = fixtureSuiteRuns().runs;
    const pipelines = [
      { pipeline: 'connectors', kind: 'cdc' },
      { pipeline: 'connectors/outbox', kind: 'outbox' },
    ];
    const out = join(dir, 'compare-x');
    writeComparison({
      id: 'compare-x',
      dir: out,
      createdAt: '2025-03-14T10:00:00.000Z',
      replay: `npx outbox-chaos compare baseline --pipelines connectors,connectors/outbox  # sink ${URL} ${PASSWORD}`,
      pipelines,
      scenarios: [
        {
          scenario: 'baseline',
          description: 'steady load',
          seed: 42,
          faults: 'none',
          runs: [a!, b!].map((r, i) => ({ ...pipelines[i]!, report: withSecrets(r.report), runDir: r.runDir })),
        },
      ],
    });
    const text = allText(out);
    expectClean(text);
    expect(text).toContain(mask(PASSWORD));
  });
});
