import { describe, expect, it } from 'vitest';
import { fixtureRun } from '../../test/fixtures/run.ts';
import { fmtDuration, fmtInt, fmtString } from './format.ts';
import { renderMarkdown } from './markdown.ts';

describe('renderMarkdown', () => {
  it('summarises a converged run in its first line', () => {
    const md = renderMarkdown(fixtureRun('converged').report);
    const lines = md.split('\n');
    expect(lines[0]).toBe('✔ baseline-with-faults converged in 1.8 s (budget 30 s) — seed 42, 3,120 ops');
    expect(md).toContain('| verdict             | converged (expected converged) — PASS');
    expect(md).toMatch(/\| end-to-end \(probe\) \|\s+61 \|\s+256 ms \|/);
    expect(md).toMatch(/\| latency\s+\| pg\s+\| \+10\.0 s \| \+20\.0 s \|\s+10 s \|/);
    expect(md).toMatch(/\| \+43\.0 s \| restart task es-sink\/0/);
    expect(md).toContain('| outbox-source | RUNNING | 0: RUNNING |');
    expect(md).toMatch(/\| missing\s+\|\s+0 \| yes/);
    expect(md).toContain('| debezium-connector-postgres | 2.7.3.Final |');
    expect(md).toContain('```sh\nnpx outbox-chaos run scenarios/baseline-with-faults.ts --seed 42\n```');
    expect(md).not.toContain('### missing');
  });

  it('names what diverged, shows examples with the row next to the documents, and the failed task trace', () => {
    const md = renderMarkdown(fixtureRun('diverged').report);
    const lines = md.split('\n');
    expect(lines[0]).toBe(
      '✘ es-outage diverged: 14 missing, 3 zombie, 2 stale, 1 corrupt, 1 duplicate (expected converged) — ' +
        'seed 42, 3,120 ops',
    );
    // Notes are what a human reads first.
    expect(lines[2]).toMatch(/^> ⚠ sink task es-sink\/0 FAILED/);
    expect(md).toContain('### missing — 14 (row in Postgres, no document)');
    expect(md).toContain('Showing 10 of 14.');
    expect(md.match(/\| *12\d\d \| name: "Widget/g)).toHaveLength(10);
    // TOASTed description truncated with its length; the ES side shows the placeholder.
    expect(md).toContain('description: "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Lo…" (8,192 chars)');
    expect(md).toContain('description: "__debezium_unavailable_value"');
    // A pipe inside a value cannot break the table row.
    expect(md).toContain('name: "Teapot \\| porcelain"');
    // Duplicates list both documents.
    expect(md).toContain('_id=640 name: "Lamp"');
    expect(md).toContain('_id="products+0+1287"');
    expect(md).toMatch(/es-sink task 0 FAILED — \S/);
    expect(md).toContain('org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask');
    expect(md).toContain('… 2 more lines in report.json');
    expect(md).toContain('| verdict             | diverged (expected converged) — FAIL');
    // Control characters are made visible, never written raw.
    // eslint-disable-next-line no-control-regex
    expect(md).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  });

  it('says "as expected" for a zoo entry that diverges on purpose', () => {
    const { report } = fixtureRun('diverged');
    const zoo = { ...report, scenario: 'zoo/key-ignore', expectedVerdict: 'diverged' as const, passed: true };
    expect(renderMarkdown(zoo).split('\n')[0]).toBe(
      '✔ zoo/key-ignore diverged: 14 missing, 3 zombie, 2 stale, 1 corrupt, 1 duplicate — as expected — ' +
        'seed 42, 3,120 ops',
    );
  });

  it('reports a late convergence and a blown lag budget', () => {
    const { report } = fixtureRun('converged');
    const late = {
      ...report,
      verdict: 'converged-late' as const,
      passed: false,
      timeToConvergenceMs: 45_200,
      budget: { convergenceMs: 30_000, lagP99Ms: 1_000 },
    };
    expect(renderMarkdown(late).split('\n')[0]).toBe(
      '✘ baseline-with-faults converged late in 45.2 s (budget 30 s) (expected converged); ' +
        'e2e lag p99 12.4 s over budget 1 s — seed 42, 3,120 ops',
    );
  });

  it('names the search engine the documents are in, by the versions', () => {
    const { report } = fixtureRun('converged');
    const os = renderMarkdown({ ...report, versions: { ...report.versions, opensearch: '2.19.6' } });
    expect(os).toMatch(/\| final state +\| [\d,]+ rows in Postgres, [\d,]+ documents in OpenSearch 2\.19\.6 +\|/);
    expect(os).toMatch(/\| opensearch +\| 2\.19\.6 +\|/);
    const es = renderMarkdown({ ...report, versions: { elasticsearch: '9.2.0' } });
    expect(es).toContain('documents in Elasticsearch 9.2.0 ');
    expect(renderMarkdown({ ...report, versions: {} })).toContain('documents in Elasticsearch ');
  });

  it('shows the records sent twice where the run judged them, with examples', () => {
    const { report } = fixtureRun('converged');
    const dup = { topics: ['t'], isolation: 'read_committed' as const, records: 2961, duplicates: 0, unidentified: 0 };
    const judged = (duplicates: 'none' | 'some', topicDuplicates: typeof report.topicDuplicates) =>
      renderMarkdown({ ...report, expectation: { ...report.expectation!, duplicates }, topicDuplicates });
    expect(judged('none', { ...dup, examples: [] })).toMatch(
      /\| records sent twice \(the sink's topics\) +\| 0 of 2,961 read as read_committed \(expected none\) +\|/,
    );
    expect(judged('none', { ...dup, duplicates: 2, examples: ['t 7 @ 100'] })).toContain('t 7 @ 100');
    expect(judged('some', null)).toContain('the topics could not be read (expected some)');
    expect(renderMarkdown({ ...report, topicDuplicates: { ...dup, examples: [] } })).not.toContain('sent twice');
  });

  it('renders empty sections without breaking', () => {
    const { report } = fixtureRun('converged');
    const bare = {
      ...report,
      timeline: [],
      operatorActions: [],
      connectors: [],
      versions: {},
      notes: [],
      description: '',
    };
    const md = renderMarkdown(bare);
    expect(md).toContain('No faults were injected.');
    expect(md).toContain('None: the pipeline recovered on its own.');
    expect(md).toContain('No connector states were recorded.');
  });
});

describe('formatters', () => {
  it('formats durations, counts and long strings', () => {
    expect(fmtDuration(850)).toBe('850 ms');
    expect(fmtDuration(1800)).toBe('1.8 s');
    expect(fmtDuration(30_000)).toBe('30 s');
    expect(fmtDuration(125_000)).toBe('2 min 5 s');
    expect(fmtDuration(null)).toBe('—');
    expect(fmtInt(3120)).toBe('3,120');
    expect(fmtInt(1234567)).toBe('1,234,567');
    expect(fmtString('abc')).toBe('"abc"');
    expect(fmtString('x'.repeat(8192))).toBe(`"${'x'.repeat(59)}…" (8,192 chars)`);
    // Cut on code points: an emoji is never split into a lone surrogate.
    expect(fmtString('😀'.repeat(100))).toBe(`"${'😀'.repeat(59)}…" (100 chars)`);
  });
});
