import { describe, expect, it } from 'vitest';
import { debeziumDecimalBase64, docOf, product } from '../../test/fixtures/checker.ts';
import type { Anomaly, EsDoc } from '../record/anomalies.ts';
import { diagnose } from './diagnose.ts';

const row = product(7);
const corrupt = (doc: EsDoc): Anomaly => ({ class: 'corrupt', product_id: 7, pg: row, es: [doc], detail: '' });
const only = (doc: EsDoc) => diagnose({ counts: { corrupt: 1 }, examples: { corrupt: [corrupt(doc)] } }).map((d) => d.fix);

describe('diagnose: the likely cause beside the evidence', () => {
  it('a Debezium envelope in a document (unwrap missing, or schemaless values)', () => {
    const envelope: EsDoc = { _id: '7', _source: { before: null, after: { ...row }, source: { connector: 'postgresql' }, op: 'c', ts_ms: 1 } };
    const d = diagnose({ counts: {}, examples: {}, indexSample: [envelope] });
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ signature: expect.stringMatching(/envelopes/), fix: expect.stringMatching(/ExtractNewRecordState/), evidence: ['7'] });
  });

  it('a schema/payload wrapper', () => {
    expect(only({ _id: '7', _source: { schema: { type: 'struct' }, payload: { ...row } } })[0]).toMatch(/value\.converter\.schemas\.enable/);
  });

  it('a base64 price (decimal.handling.mode)', () => {
    expect(only(docOf(row, { price: 'base64' }))).toEqual([expect.stringMatching(/^decimal\.handling\.mode=string/)]);
    expect(debeziumDecimalBase64('19.99')).not.toMatch(/^\d+$/);
  });

  it('micro- or nanosecond dates (time.precision.mode)', () => {
    expect(only(docOf(row, { createdAt: 'micros' }))).toEqual([expect.stringMatching(/^time\.precision\.mode=connect/)]);
    expect(only(docOf(row))).toEqual([]);
  });

  it('the TOAST placeholder (replica identity)', () => {
    expect(only(docOf({ ...row, description: '__debezium_unavailable_value' }))).toEqual([expect.stringMatching(/REPLICA IDENTITY FULL/)]);
  });

  it('_id ≠ product_id: key.ignore, or no ExtractField$Key', () => {
    expect(only(docOf(row, { id: 'outbox.public.products+0+17' }))).toEqual([expect.stringMatching(/^key\.ignore=false/)]);
    expect(only(docOf(row, { id: '{"product_id":7}' }))).toEqual([expect.stringMatching(/ExtractField\$Key/)]);
    expect(only(docOf(row, { id: 'Struct{product_id=7}' }))).toEqual([expect.stringMatching(/ExtractField\$Key/)]);
  });

  it('zombies: no tombstones on the topic (source) vs tombstones the sink skipped', () => {
    const z: Anomaly = { class: 'zombie', product_id: 9, pg: null, es: [docOf(product(9))], detail: '' };
    const input = { counts: { zombie: 3 }, examples: { zombie: [z] } };
    expect(diagnose({ ...input, topicTombstones: 0 }).map((d) => d.fix)).toEqual([expect.stringMatching(/^tombstones\.on\.delete=true/)]);
    expect(diagnose({ ...input, topicTombstones: 12 }).map((d) => d.fix)).toEqual(['behavior.on.null.values=delete on the sink']);
    expect(diagnose({ ...input, topicTombstones: null })).toEqual([]);
  });

  it('clean evidence: no diagnosis', () => {
    expect(diagnose({ counts: { missing: 2 }, examples: { missing: [{ class: 'missing', product_id: 1, pg: row, es: [], detail: '' }] } })).toEqual([]);
  });
});
