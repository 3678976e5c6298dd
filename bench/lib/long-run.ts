/** What the long measurements (false alarms, soak) share: their stack options, output file and exit. */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../../harness/provision/paths.ts';
import { HarnessError } from '../../harness/util/errors.ts';

export const LONG_RUN_OPTIONS = {
  name: { type: 'string' },
  'port-base': { type: 'string' },
  out: { type: 'string' },
  keep: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function portBaseOption(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}

/** `--out`, or reports/<kind>-<UTC time>.json; its folder is created. */
export function resultFile(kind: string, out: string | undefined): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, 'Z');
  const file = out ?? join(PROJECT_ROOT, 'reports', `${kind}-${stamp}.json`);
  mkdirSync(dirname(file), { recursive: true });
  return file;
}

/** Runs a script's main and maps a thrown error to an exit code: the error's own, 2 for bad arguments, else 3. */
export function runMain(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof HarnessError) {
        console.error(`error: ${err.message}${err.fix ? `\nfix: ${err.fix}` : ''}`);
        process.exitCode = err.exitCode;
      } else if (String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
        console.error(`error: ${(err as Error).message}\nfix: see --help`);
        process.exitCode = 2;
      } else {
        console.error(err);
        process.exitCode = 3;
      }
    },
  );
}
