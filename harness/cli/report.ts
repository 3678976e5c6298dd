import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunReport } from '../record/report.ts';
import { rerender } from '../report/write.ts';
import { ConfigError } from '../util/errors.ts';
import { parse } from './args.ts';

export const REPORT_HELP = `outbox-chaos report <run-dir>

Re-renders report.md, index.html and junit.xml of a run from its recorded files (report.json,
samples.jsonl), without any service running. Example: outbox-chaos report reports/latest`;

export async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('report', argv, {});
  if (values.help) {
    console.log(REPORT_HELP);
    return 0;
  }
  const dir = resolve(positionals[0] ?? 'reports/latest');
  if (!existsSync(join(dir, 'report.json'))) throw new ConfigError(`${dir} holds no report.json`, 'pass a run directory, e.g. reports/latest');
  const written = await rerender(dir);
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport;
  console.log(readFileSync(written.markdown, 'utf8'));
  console.error(`re-rendered ${written.markdown}, ${written.html}, ${written.junit}`);
  return report.passed ? 0 : 1;
}
