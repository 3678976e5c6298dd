/**
 * The harness prints each step it takes (`▸ name` when it starts, `✓ name (1.2 s)` when it ends) on stderr.
 * A benchmark that wants a per-step breakdown without touching the harness records those lines with a
 * timestamp while they pass through.
 */

export interface StepSpan {
  name: string;
  depth: number;
  startMs: number;
  endMs: number;
  ok: boolean;
}

export interface StepRecorder {
  spans(): StepSpan[];
  stop(): void;
}

const LINE = /^(\s*)([▸✓✗]) (.+?)(?: \((\d+(?:\.\d+)?) s\))?$/u;

/** Parses step lines with their arrival times into spans (a started step without an end is dropped). */
export function parseSteps(lines: readonly { t: number; line: string }[]): StepSpan[] {
  const open = new Map<string, { t: number; depth: number }>();
  const out: StepSpan[] = [];
  for (const { t, line } of lines) {
    const m = LINE.exec(line);
    if (!m) continue;
    const depth = Math.floor((m[1] ?? '').length / 2);
    const mark = m[2];
    const name = m[3] ?? '';
    const key = `${depth}:${name}`;
    if (mark === '▸') {
      open.set(key, { t, depth });
      continue;
    }
    // End lines are indented one level deeper than their start line.
    const startKey = `${depth - 1}:${name}`;
    const start = open.get(startKey);
    if (!start) continue;
    open.delete(startKey);
    out.push({ name, depth: start.depth, startMs: start.t, endMs: t, ok: mark === '✓' });
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

/** Tees process.stderr, remembering every line with the time it was written; stop() restores it. */
export function recordSteps(opts: { echo?: boolean } = {}): StepRecorder {
  const lines: { t: number; line: string }[] = [];
  const original = process.stderr.write.bind(process.stderr);
  let partial = '';
  const echo = opts.echo ?? true;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const t = Date.now();
    const text = partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) lines.push({ t, line });
    return echo ? (original as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest) : true;
  }) as typeof process.stderr.write;
  return {
    spans: () => parseSteps(lines),
    stop: () => {
      process.stderr.write = original;
    },
  };
}
