import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const PROJECT_ROOT = dirname(BENCH_DIR);
export const RESULTS_FILE = join(BENCH_DIR, 'results.json');
