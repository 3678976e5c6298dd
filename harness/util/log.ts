import { redactText } from './redact.ts';
/** Progress output on stderr, so stdout stays clean for machine-readable output (`env`, `list`). */
const t0 = Date.now();
let quiet = false;

export function setQuiet(q: boolean): void {
  quiet = q;
}

export function info(msg: string): void {
  if (!quiet) process.stderr.write(`${redactText(msg)}\n`);
}

export function warn(msg: string): void {
  process.stderr.write(`warning: ${redactText(msg)}\n`);
}

/**
 * Every byte a command prints goes through the redaction rule (docs/secrets.md): error messages, Connect's
 * answers quoted in them, tables, progress. `env` alone opts out: printing credentials is what it is for.
 */
export function guardOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]): boolean =>
      write(typeof chunk === 'string' ? redactText(chunk) : chunk, ...rest)) as typeof stream.write;
  }
}

export function elapsed(since = t0): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** Runs one named step and prints how long it took; steps nest by indentation. */
let depth = 0;
export async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  const pad = '  '.repeat(depth);
  info(`${pad}▸ ${name}`);
  depth++;
  try {
    const result = await fn();
    depth--;
    info(`${pad}  ✓ ${name} (${elapsed(start)})`);
    return result;
  } catch (err) {
    depth--;
    info(`${pad}  ✗ ${name} (${elapsed(start)})`);
    throw err;
  }
}
