import { describe, expect, it } from 'vitest';
import { FILL_CAP, FILL_OVERHEAD, fillerBody, nextFill, pressureOf } from './es-pressure.ts';

// As Elasticsearch 9.2 answers GET _nodes/stats/indexing_pressure (shortened).
const stats = (current: number, coordinating: number, primary: number) => ({
  _nodes: { total: 1 },
  nodes: {
    n1: {
      name: 'es-1',
      indexing_pressure: {
        memory: {
          current: { combined_coordinating_and_primary_in_bytes: current, all_in_bytes: current },
          total: { coordinating_rejections: coordinating, primary_rejections: primary, replica_rejections: 9 },
          limit_in_bytes: 107374182,
        },
      },
    },
  },
});

describe('pressureOf', () => {
  it('reads the limit, the bytes in use and the coordinating plus primary rejections', () => {
    expect(pressureOf(stats(52428944, 3, 2))).toEqual({ limit: 107374182, current: 52428944, rejections: 5 });
  });
  it('says when the answer has no figures', () => {
    expect(pressureOf({ nodes: { n1: { name: 'es-1' } } })).toBeUndefined();
    expect(pressureOf(null)).toBeUndefined();
    expect(pressureOf({ error: 'x' })).toBeUndefined();
  });
});

describe('nextFill', () => {
  it('fills the headroom in one step, less half the margin and the overhead, at most FILL_CAP', () => {
    expect(nextFill(5_000_000, undefined, 128)).toBe(5_000_000 - 64 - FILL_OVERHEAD);
    expect(nextFill(90_000_000, undefined, 128)).toBe(FILL_CAP);
  });
  it('halves the last size rejected, and stops once the headroom is below the margin', () => {
    expect(nextFill(5_000_000, 1_000, 128)).toBe(500);
    expect(nextFill(127, undefined, 128)).toBeUndefined();
    expect(nextFill(300, 20, 128)).toBeUndefined();
  });
});

describe('fillerBody', () => {
  it('is one bulk action and one document of about the size asked', () => {
    const body = fillerBody('products-pressure-1', 1000).toString('utf8');
    const lines = body.split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]!)).toEqual({ index: { _index: 'products-pressure-1' } });
    expect((JSON.parse(lines[1]!) as { f: string }).f).toHaveLength(992);
    expect(lines[2]).toBe('');
  });
});
