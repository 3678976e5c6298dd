/** Progress output on stderr, so stdout stays clean for machine-readable output (`env`, `list`). */
const t0 = Date.now();
let quiet = false;

export function setQuiet(q: boolean): void {
  quiet = q;
}

export function info(msg: string): void {
  if (!quiet) process.stderr.write(`${msg}\n`);
}

export function warn(msg: string): void {
  process.stderr.write(`warning: ${msg}\n`);
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
