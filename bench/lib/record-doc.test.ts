import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MEASURE_NAMES } from '../measures/index.ts';
import { PERFORMANCE_DOC, RECORD_FILE } from './paths.ts';
import { mergeRecord, parseRecord } from './record.ts';
import { DOC_END, DOC_START, recordMarkdown, withTable } from './record-doc.ts';
import { entry } from './record.fixture.ts';

const at = (commit: string) => ({ commit, date: '2026-12-05T11:00:00.000Z' });

describe("the record's table", () => {
  it('lists every measure: its figures with commit and load, or "not measured since" the record began', () => {
    const dirty = entry('driver', 'bbbbbbbbbb', [5, 6, 7], { clean: false, changes: [' M a.ts', ' M b.ts'] });
    const r = mergeRecord(null, [entry('checker', 'aaaaaaaaaa', [1, 2, 3]), dirty], at('aaaaaaaaaa'));
    const names = [
      { name: 'checker', title: 'the checker' },
      { name: 'driver', title: 'the driver' },
      { name: 'reset', title: 'reset between scenarios' },
    ];
    const md = recordMarkdown(r, names).split('\n');
    expect(md[2]).toBe(
      '| **`checker`**: the checker; measured on `aaaaaaa`, 2026-12-05, 2 cores, ' +
        'load 0.5 / 1 / 1.5 at start | | | | | |',
    );
    expect(md[3]).toBe('| checker time | ≤ 10 s | **2 s** (1 – 3) | 3 | 0.20 ✔ | 0.5 |');
    expect(md[4]).toContain('measured on `bbbbbbb`, **on a dirty tree** (2 changed paths)');
    expect(md[6]).toBe('| **`reset`**: reset between scenarios | | not measured since `aaaaaaa` | | | |');
  });

  it('notes a later run that gave no figure beside the kept ones', () => {
    const good = mergeRecord(null, [entry('reset', 'aaaaaaa', [1])], at('aaaaaaa'));
    const failed = entry('reset', 'ccccccc', [], { metrics: [], error: 'stack would not start\nmore' });
    const md = recordMarkdown(mergeRecord(good, [failed], at('ccccccc')), []);
    expect(md).toContain('the last run, on `ccccccc` (2026-12-05), gave no figure: stack would not start |');
  });

  it('goes between its markers, which the page must have', () => {
    const page = `# P\n\n${DOC_START}\nold\n${DOC_END}\n\nmore\n`;
    expect(withTable(page, 'new')).toBe(`# P\n\n${DOC_START}\nnew\n${DOC_END}\n\nmore\n`);
    expect(() => withTable('# P\n', 'new')).toThrow(/needs the markers/);
  });

  it('in docs/performance.md is the one bench/record.json gives (OUTBOX_CHAOS_WRITE_DOCS=1 rewrites it)', () => {
    expect(existsSync(RECORD_FILE), 'bench/record.json is missing: run `npm run bench`').toBe(true);
    const record = parseRecord(readFileSync(RECORD_FILE, 'utf8'), RECORD_FILE);
    const page = readFileSync(PERFORMANCE_DOC, 'utf8');
    const expected = withTable(page, recordMarkdown(record, MEASURE_NAMES));
    if (expected !== page && process.env.OUTBOX_CHAOS_WRITE_DOCS === '1') writeFileSync(PERFORMANCE_DOC, expected);
    else expect(page, 'the table is stale: rerun this test with OUTBOX_CHAOS_WRITE_DOCS=1').toBe(expected);
  });
});
