/**
 * The `request` recorded with each history entry: the op as generated, with long strings (TOAST
 * descriptions) replaced by their length and first characters. The full values are in `effects` for ok and
 * unknown ops and can be regenerated from the seed for any op, so repeating 8–24 KB per entry would only
 * double the file. (TOAST texts are random, so 32 characters identify one; no need to pay for a digest.)
 */
import type { Op, ProductValues, Step, UpdateSet } from './ops.ts';
import { clampCodePoints } from './values.ts';

const ABBREVIATE_OVER = 256;

export interface AbbreviatedString {
  chars: number;
  head: string;
}

function abbrev(s: string | null | undefined): string | null | undefined | AbbreviatedString {
  if (typeof s !== 'string' || s.length <= ABBREVIATE_OVER) return s;
  return { chars: s.length, head: clampCodePoints(s, 32) };
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
  return step(op); // the op itself carries n, shard and burst
}
