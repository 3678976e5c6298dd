import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { docOf, type DocForm } from '../../test/fixtures/checker.ts';
import type { EsDoc } from '../record/anomalies.ts';
import type { HistoryEntry, ProductRow } from '../record/history.ts';
import { compare } from './compare.ts';
import { buildVersions } from './versions.ts';

/** A write as the generator asks for it; the model below decides what it does to the table. */
interface Command {
  op: 'write' | 'delete';
  productId: number;
  name: string;
  description: string | null;
  cents: number;
  createdAt: number | null;
  outcome: 'ok' | 'failed' | 'unknown';
  /** For an unknown outcome: whether it did commit. */
  committed: boolean;
  form: DocForm;
}

const command: fc.Arbitrary<Command> = fc.record({
  op: fc.constantFrom('write', 'write', 'write', 'delete'),
  productId: fc.integer({ min: 1, max: 30 }),
  name: fc.oneof(
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    fc.constant('__debezium_unavailable_value'),
  ),
  description: fc.option(fc.string({ unit: 'grapheme' })),
  cents: fc.integer({ min: -9_999_999_999, max: 9_999_999_999 }),
  createdAt: fc.option(fc.integer({ min: 100_000_000_000, max: 4_102_444_800_000 })),
  outcome: fc.constantFrom('ok', 'ok', 'ok', 'failed', 'unknown'),
  committed: fc.boolean(),
  form: fc.record({
    price: fc.constantFrom('string', 'short-string', 'number'),
    createdAt: fc.constantFrom('ms', 'ms-fraction', 'iso', 'iso-micros'),
    productId: fc.constantFrom('number', 'string'),
  }),
});

function price(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = String(Math.abs(cents)).padStart(3, '0');
  return `${sign}${abs.slice(0, -2)}.${abs.slice(-2)}`;
}

/** Runs the commands against a model of the table; returns the history and the final rows, by product_id. */
function simulate(commands: Command[]): { history: HistoryEntry[]; rows: ProductRow[]; forms: Map<number, DocForm> } {
  const table = new Map<number, ProductRow>();
  const forms = new Map<number, DocForm>();
  const history: HistoryEntry[] = [];
  commands.forEach((c, seq) => {
    const after: ProductRow | null =
      c.op === 'delete'
        ? null
        : {
            product_id: c.productId,
            name: c.name,
            description: c.description,
            price: price(c.cents),
            created_at: c.createdAt,
          };
    const exists = table.has(c.productId);
    const touches = c.op === 'write' || exists;
    const applies = c.outcome === 'ok' || (c.outcome === 'unknown' && c.committed);
    history.push({
      seq,
      kind: c.op === 'delete' ? 'delete' : exists ? 'update' : 'insert',
      worker: 0,
      request: c,
      effects: c.outcome === 'failed' || !touches ? [] : [{ product_id: c.productId, after }],
      sendMs: seq * 10,
      ackMs: seq * 10 + 5,
      outcome: c.outcome,
    });
    if (applies && touches) {
      if (after === null) table.delete(c.productId);
      else table.set(c.productId, after);
      forms.set(c.productId, c.form);
    }
  });
  const rows = [...table.values()].sort((a, b) => a.product_id - b.product_id);
  return { history, rows, forms };
}

function docsFor(rows: ProductRow[], forms: Map<number, DocForm>): EsDoc[] {
  return rows.map((r) => docOf(r, forms.get(r.product_id) ?? {}));
}

describe('compare, property-based', () => {
  it('a document set derived from the final Postgres state always compares equal', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 120 }), async (commands) => {
        const { history, rows, forms } = simulate(commands);
        const c = await compare({ versions: buildVersions(history), pg: rows, es: docsFor(rows, forms) });
        expect(c.counts).toEqual({
          missing: 0,
          zombie: 0,
          stale: 0,
          corrupt: 0,
          duplicate: 0,
          'wrong-id': 0,
          'unexpected-field': 0,
        });
        expect(c).toMatchObject({ equal: true, pgRows: rows.length, esDocs: rows.length });
        // Postgres is in a state the history allows: never a setup error on a real run's final state.
        expect(c.setupErrors.count).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it(
    'empty stores after committed inserts are a setup error ' + 'for exactly each product the history says must exist',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(command, { maxLength: 120 }), async (commands) => {
          const { history } = simulate(commands);
          // Must exist: the last ok op on the product wrote a row, and no unknown op after it may have deleted it.
          const required = new Set<number>();
          const byProduct = new Map<number, HistoryEntry[]>();
          for (const e of history)
            for (const f of e.effects) byProduct.set(f.product_id, [...(byProduct.get(f.product_id) ?? []), e]);
          for (const [pid, entries] of byProduct) {
            const okAt = entries.map((e) => e.outcome).lastIndexOf('ok');
            if (okAt < 0 || entries[okAt]!.effects[0]!.after === null) continue;
            if (entries.slice(okAt + 1).some((e) => e.outcome === 'unknown' && e.effects[0]!.after === null)) continue;
            required.add(pid);
          }
          const c = await compare({ versions: buildVersions(history), pg: [], es: [] });
          expect(c.equal).toBe(true);
          expect(c.setupErrors.count).toBe(required.size);
        }),
        { numRuns: 300 },
      );
    },
  );

  it('deleting any one document yields exactly one missing, for that product_id', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 120 }), fc.nat(), async (commands, pick) => {
        const { history, rows, forms } = simulate(commands);
        fc.pre(rows.length > 0);
        const docs = docsFor(rows, forms);
        const [removed] = docs.splice(pick % docs.length, 1);
        const c = await compare({ versions: buildVersions(history), pg: rows, es: docs });
        expect(c.counts).toEqual({
          missing: 1,
          zombie: 0,
          stale: 0,
          corrupt: 0,
          duplicate: 0,
          'wrong-id': 0,
          'unexpected-field': 0,
        });
        expect(c.examples.missing.map((a) => a.product_id)).toEqual([Number(removed!._source['product_id'])]);
        expect(c.equal).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
