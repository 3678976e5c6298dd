/**
 * The `request` recorded with each history entry: the op as generated, with long strings (TOAST
 * descriptions) replaced by their length and digest. The full values are in `effects` for ok ops and can be
 * regenerated from the seed for any op, so repeating 8–24 KB per entry would only double the file.
 */
import { createHash } from 'node:crypto';
import type { Op, ProductValues, Step, UpdateSet } from './ops.ts';

const ABBREVIATE_OVER = 256;

export interface AbbreviatedString {
  chars: number;
  sha256: string;
}

function abbrev(s: string | null | undefined): string | null | undefined | AbbreviatedString {
  if (typeof s !== 'string' || s.length <= ABBREVIATE_OVER) return s;
  return { chars: s.length, sha256: createHash('sha256').update(s).digest('hex').slice(0, 16) };
}

function values(v: ProductValues | UpdateSet): Record<string, unknown> {
  const out: Record<string, unknown> = { ...v };
  if ('description' in v) out['description'] = abbrev(v.description);
  if ('name' in v) out['name'] = abbrev(v.name);
  return out;
}

function step(s: Step): Record<string, unknown> {
  switch (s.kind) {
    case 'insert':
    case 'reinsert':
      return { ...s, values: values(s.values) };
    case 'update':
      return { ...s, set: values(s.set) };
    case 'delete':
      return { ...s };
  }
}

export function requestOf(op: Op): Record<string, unknown> {
  if (op.kind === 'txn') return { ...op, steps: op.steps.map(step) };
  return { ...step(op), n: op.n, shard: op.shard, ...(op.burst !== undefined ? { burst: op.burst } : {}) };
}
