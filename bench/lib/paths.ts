import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const PROJECT_ROOT = dirname(BENCH_DIR);
/** The benchmark record: every measure's latest figures with their commits (docs/performance.md, "The record"). */
export const RECORD_FILE = join(BENCH_DIR, 'record.json');
/** The page whose Performance table is generated from the record. */
export const PERFORMANCE_DOC = join(PROJECT_ROOT, 'docs', 'performance.md');
