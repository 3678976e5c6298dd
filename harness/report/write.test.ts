import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureRun } from '../../test/fixtures/run.ts';
import { readJsonl } from '../record/jsonl.ts';
import { rerender, writeReportFiles } from './write.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outbox-chaos-report-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeReportFiles and rerender', () => {
  it('writes the four files and re-renders them identically from the run directory alone', async () => {
    const { report, samples } = fixtureRun('diverged');
    const written = await writeReportFiles(dir, report, samples);
    expect(JSON.parse(await readFile(written.json, 'utf8'))).toEqual(report);
    expect(await readFile(written.json, 'utf8')).toContain('\n  "runId"'); // pretty
    await writeFile(join(dir, 'samples.jsonl'), samples.map((s) => JSON.stringify(s)).join('\n') + '\n');

    const before = await Promise.all([written.markdown, written.html, written.junit].map((p) => readFile(p, 'utf8')));
    await rm(written.html);
    const again = await rerender(dir);
    const after = await Promise.all([again.markdown, again.html, again.junit].map((p) => readFile(p, 'utf8')));
    expect(after).toEqual(before);
    expect(before[0]?.split('\n')[0]).toMatch(/^✘ es-outage diverged/);
  });

  it('re-renders without samples.jsonl (empty charts) and rejects an unknown schema', async () => {
    const { report } = fixtureRun('converged');
    await writeFile(join(dir, 'report.json'), JSON.stringify(report));
    const out = await rerender(dir);
    expect(await readFile(out.html, 'utf8')).toContain('no samples');
    await writeFile(join(dir, 'report.json'), JSON.stringify({ ...report, schemaVersion: 2 }));
    await expect(rerender(dir)).rejects.toThrow(/schemaVersion 2/);
    await expect(rerender(join(dir, 'nope'))).rejects.toThrow(/cannot read/);
  });
});

describe('readJsonl', () => {
  it('skips blank lines and a torn last line, and names the line of a bad one', async () => {
    const p = join(dir, 'x.jsonl');
    await writeFile(p, '{"a":1}\n\n{"a":2}\n{"a":');
    expect(await readJsonl<{ a: number }>(p)).toEqual([{ a: 1 }, { a: 2 }]);
    await writeFile(p, '{"a":1}\nnot json\n{"a":3}\n');
    await expect(readJsonl(p)).rejects.toThrow(/x\.jsonl:2: not valid JSON/);
  });
});
