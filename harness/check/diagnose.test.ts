import { describe, expect, it } from 'vitest';
import { debeziumDecimalBase64, docOf, product } from '../../test/fixtures/checker.ts';
import type { Row } from '../model/table.ts';
import type { Anomaly, EsDoc } from '../record/anomalies.ts';
import { diagnose, type DiagnosisInput } from './diagnose.ts';

const row = product(7);
const corrupt = (doc: EsDoc): Anomaly => ({ class: 'corrupt', product_id: 7, pg: row, es: [doc], detail: '' });
const only = (doc: EsDoc) =>
  diagnose({ counts: { corrupt: 1 }, examples: { corrupt: [corrupt(doc)] } }).map((d) => d.fix);

describe('diagnose: the likely cause beside the evidence', () => {
  it('a Debezium envelope in a document (unwrap missing, or schemaless values)', () => {
    const envelope: EsDoc = {
      _id: '7',
      _source: { before: null, after: { ...row }, source: { connector: 'postgresql' }, op: 'c', ts_ms: 1 },
    };
    const d = diagnose({ counts: {}, examples: {}, indexSample: [envelope] });
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({
      signature: expect.stringMatching(/envelopes/),
      fix: expect.stringMatching(/ExtractNewRecordState/),
      evidence: ['7'],
    });
  });

  it('a schema/payload wrapper', () => {
    expect(only({ _id: '7', _source: { schema: { type: 'struct' }, payload: { ...row } } })[0]).toMatch(
      /value\.converter\.schemas\.enable/,
    );
  });

  it('a base64 price (decimal.handling.mode)', () => {
    expect(only(docOf(row, { price: 'base64' }))).toEqual([expect.stringMatching(/^decimal\.handling\.mode=string/)]);
    expect(debeziumDecimalBase64('19.99')).not.toMatch(/^\d+$/);
  });

  it('micro- or nanosecond dates (time.precision.mode)', () => {
    expect(only(docOf(row, { createdAt: 'micros' }))).toEqual([
      expect.stringMatching(/^time\.precision\.mode=connect/),
    ]);
    expect(only(docOf(row))).toEqual([]);
  });

  it('a rewritten delete (__deleted in documents: the unwrap transform in rewrite mode)', () => {
    const deleted: EsDoc = { _id: '7', _source: { ...row, __deleted: 'true' } };
    const zombie: Anomaly = { class: 'zombie', product_id: 7, pg: null, es: [deleted], detail: '' };
    const d = diagnose({ counts: { zombie: 1 }, examples: { zombie: [zombie] }, topicTombstones: 0 });
    expect(d[0]).toMatchObject({
      signature: expect.stringMatching(/__deleted/),
      fix: expect.stringMatching(/delete\.tombstone\.handling\.mode=tombstone/),
      evidence: ['7'],
    });
    expect(only({ _id: '7', _source: { ...row } })).toEqual([]);
  });

  it('bytea as hex text (binary.handling.mode=hex), named by the row key', () => {
    const pg = { order_id: 'a1', receipt: Buffer.from([0x00, 0xff]).toString('base64') };
    const a = (shown: string): Anomaly => ({
      class: 'corrupt',
      product_id: -1,
      key: 'a1',
      pg,
      es: [{ _id: 'a1', _source: { ...pg, receipt: shown } }],
      detail: '',
    });
    const d = diagnose({ counts: { corrupt: 1 }, examples: { corrupt: [a('00FF')] } });
    expect(d).toEqual([expect.objectContaining({ fix: expect.stringMatching(/^binary\.handling\.mode=bytes/) })]);
    expect(d[0]?.evidence).toEqual(['a1']);
    // Other bytes, or the row's own base64: no such diagnosis.
    expect(diagnose({ counts: { corrupt: 1 }, examples: { corrupt: [a('0100')] } })).toEqual([]);
    expect(diagnose({ counts: { corrupt: 1 }, examples: { corrupt: [a(pg.receipt)] } })).toEqual([]);
  });

  it('jsonb as JSON text where the row holds an object, named by the row key', () => {
    const pg = { customer_id: 3, preferences: '{"a":1,"b":[true]}' };
    const a = (shown: unknown): Anomaly => ({
      class: 'corrupt',
      product_id: 3,
      key: '3',
      pg,
      es: [{ _id: '3', _source: { ...pg, preferences: shown } }],
      detail: '',
    });
    const d = diagnose({ counts: { corrupt: 1 }, examples: { corrupt: [a('{"b": [true], "a": 1}')] } });
    expect(d).toEqual([expect.objectContaining({ signature: expect.stringMatching(/JSON text/) })]);
    expect(d[0]?.evidence).toEqual(['3']);
    // Another JSON, the object itself, or a text column's own string: no such diagnosis.
    expect(diagnose({ counts: { corrupt: 1 }, examples: { corrupt: [a('{"a": 2, "b": [true]}')] } })).toEqual([]);
    expect(diagnose({ counts: { corrupt: 1 }, examples: { corrupt: [a({ a: 1, b: [true] })] } })).toEqual([]);
    expect(diagnose({ counts: { corrupt: 1 }, examples: { corrupt: [a(pg.preferences)] } })).toEqual([]);
  });

  it('the TOAST placeholder (replica identity)', () => {
    expect(only(docOf({ ...row, description: '__debezium_unavailable_value' }))).toEqual([
      expect.stringMatching(/REPLICA IDENTITY FULL/),
    ]);
  });

  it('the TOAST placeholder on a partitioned table names the partitions, not the parent', () => {
    const doc = docOf({ ...row, description: '__debezium_unavailable_value' });
    const d = diagnose({
      counts: { corrupt: 1 },
      examples: { corrupt: [corrupt(doc)] },
      partitionsNotFull: ['products_p0', 'products_p1'],
    });
    expect(d).toHaveLength(1);
    expect(d[0]?.signature).toMatch(/partitions are not REPLICA IDENTITY FULL/);
    expect(d[0]?.cause).toMatch(/partitions products_p0, products_p1 log by their own replica identity/);
    expect(d[0]?.fix).toMatch(/on every partition \(products_p0, products_p1\), and on each new one/);
    // Partitions but no placeholder: nothing to say.
    expect(
      diagnose({ counts: { corrupt: 1 }, examples: { corrupt: [corrupt(docOf(row))] }, partitionsNotFull: ['p'] }),
    ).toEqual([]);
  });

  it('_id ≠ product_id: key.ignore, or no ExtractField$Key', () => {
    expect(only(docOf(row, { id: 'outbox.public.products+0+17' }))).toEqual([
      expect.stringMatching(/^key\.ignore=false/),
    ]);
    expect(only(docOf(row, { id: '{"product_id":7}' }))).toEqual([expect.stringMatching(/ExtractField\$Key/)]);
    expect(only(docOf(row, { id: 'Struct{product_id=7}' }))).toEqual([expect.stringMatching(/ExtractField\$Key/)]);
  });

  it('zombies: no tombstones on the topic (source) vs tombstones the sink skipped', () => {
    const z: Anomaly = { class: 'zombie', product_id: 9, pg: null, es: [docOf(product(9))], detail: '' };
    const input = { counts: { zombie: 3 }, examples: { zombie: [z] } };
    expect(diagnose({ ...input, topicTombstones: 0 }).map((d) => d.fix)).toEqual([
      expect.stringMatching(/^transforms\.unwrap\.delete\.tombstone\.handling\.mode=tombstone/),
    ]);
    expect(diagnose({ ...input, topicTombstones: 12 }).map((d) => d.fix)).toEqual([
      'behavior.on.null.values=delete on the sink',
    ]);
    expect(diagnose({ ...input, topicTombstones: null })).toEqual([]);
  });

  it('clean evidence: no diagnosis', () => {
    expect(
      diagnose({
        counts: { missing: 2 },
        examples: { missing: [{ class: 'missing', product_id: 1, pg: row, es: [], detail: '' }] },
      }),
    ).toEqual([]);
  });
});

describe('diagnose: each signature exactly', () => {
  const sample = (...sources: Record<string, unknown>[]) =>
    diagnose({ counts: {}, examples: {}, indexSample: sources.map((s, i) => ({ _id: `d${i}`, _source: s })) });
  const signatures = (d: ReturnType<typeof diagnose>) => d.map((x) => x.signature);

  it('an envelope needs op, source and a state (after, before or payload)', () => {
    expect(sample({ op: 'u', source: {}, before: {} })).toHaveLength(1);
    expect(sample({ op: 'u', source: {}, payload: {} })).toHaveLength(1);
    expect(sample({ op: 'u', source: {} })).toEqual([]);
    expect(sample({ op: 'u', after: {} })).toEqual([]);
    expect(sample({ source: {}, after: {} })).toEqual([]);
  });

  it('a schema wrapper needs both schema and payload', () => {
    expect(signatures(sample({ schema: {}, payload: 1 }))).toEqual([
      'JsonConverter schema/payload wrappers inside documents',
    ]);
    expect(sample({ schema: {} })).toEqual([]);
    expect(sample({ payload: {} })).toEqual([]);
  });

  it('a base64 price is a non-decimal base64 string', () => {
    expect(signatures(sample({ price: 'B88=' }))).toEqual(['prices as base64 strings']);
    expect(sample({ price: '19.99' })).toEqual([]);
    expect(sample({ price: '-3' })).toEqual([]);
    expect(sample({ price: 19.99 })).toEqual([]);
    expect(sample({ price: 'not base64!' })).toEqual([]);
  });

  it('a sub-millisecond date is an epoch beyond 1e14, as a number or a digit string, either sign', () => {
    expect(sample({ created_at: 1e14 })).toEqual([]);
    expect(signatures(sample({ created_at: 1e14 + 1 }))).toEqual(['created_at in micro- or nanoseconds']);
    expect(sample({ created_at: String(1e15) })).toHaveLength(1);
    expect(sample({ created_at: -1e15 })).toHaveLength(1);
    expect(sample({ created_at: '2024-05-01T00:00:00Z' })).toEqual([]);
    expect(sample({ created_at: null })).toEqual([]);
  });

  it('a created_at that is neither a number nor a string is no epoch, even when its text is digits', () => {
    // Elasticsearch keeps an array in _source for any field; its text form ("1714521600123456") is not a value.
    expect(sample({ created_at: [1714521600123456] })).toEqual([]);
    expect(sample({ created_at: { ms: 1714521600123456 } })).toEqual([]);
  });

  it('the TOAST placeholder in any field', () => {
    expect(sample({ name: '__debezium_unavailable_value' })).toHaveLength(1);
    expect(sample({ name: 'x __debezium_unavailable_value' })).toEqual([]);
  });

  it('_id shapes: offset ids end in +partition+offset; struct ids start with { or Struct{', () => {
    const ids = (id: string) =>
      signatures(diagnose({ counts: {}, examples: {}, indexSample: [{ _id: id, _source: {} }] }));
    expect(ids('t+0+1')).toEqual(['_id is topic+partition+offset, not the product_id']);
    expect(ids('t+0+x')).toEqual([]);
    expect(ids('a+b')).toEqual([]);
    expect(ids('{"id":1}')).toEqual(['_id is a whole key struct, not the product_id']);
    expect(ids('Struct{id=1}')).toEqual(['_id is a whole key struct, not the product_id']);
    expect(ids('17')).toEqual([]);
  });

  it('evidence: each product once, at most five, examples by product_id and samples by _id', () => {
    const doc = (id: string): EsDoc => ({ _id: id, _source: { price: 'B88=' } });
    const examples = [1, 2, 2, 3, 4, 5, 6].map((pid): Anomaly => ({
      class: 'corrupt',
      product_id: pid,
      pg: null,
      es: [doc(String(pid))],
      detail: '',
    }));
    const d = diagnose({ counts: { corrupt: 7 }, examples: { corrupt: examples }, indexSample: [doc('s1')] });
    expect(d[0]!.evidence).toEqual(['1', '2', '3', '4', '5']);
    expect(diagnose({ counts: {}, examples: {}, indexSample: [doc('s1')] })[0]!.evidence).toEqual(['s1']);
  });

  it('no zombie, no zombie diagnosis, whatever the topic holds', () => {
    expect(diagnose({ counts: { zombie: 0 }, examples: {}, topicTombstones: 0 })).toEqual([]);
    expect(diagnose({ counts: {}, examples: {}, topicTombstones: 3 })).toEqual([]);
  });

  it('zombie diagnoses go by the zombie count: zombie examples with none counted give none', () => {
    const z: Anomaly = { class: 'zombie', product_id: 9, pg: null, es: [docOf(product(9))], detail: '' };
    const uncounted = { counts: { zombie: 0 }, examples: { zombie: [z] } };
    expect(diagnose({ ...uncounted, topicTombstones: 0 })).toEqual([]);
    expect(diagnose({ ...uncounted, topicTombstones: 12 })).toEqual([]);
    expect(diagnose({ ...uncounted, topicTombstones: 12, sourceStatements: ['TRUNCATE'] })).toEqual([]);
  });

  it('zombie evidence lists the zombies, at most five', () => {
    const zs = [1, 2, 3, 4, 5, 6].map((pid): Anomaly => ({
      class: 'zombie',
      product_id: pid,
      pg: null,
      es: [docOf(product(pid))],
      detail: '',
    }));
    const d = diagnose({ counts: { zombie: 6 }, examples: { zombie: zs }, topicTombstones: 0 });
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({
      evidence: ['1', '2', '3', '4', '5'],
      cause: expect.stringMatching(/never emits a tombstone/),
    });
  });
});

describe('diagnose: the edges of each signature', () => {
  const sample = (...sources: Record<string, unknown>[]) =>
    diagnose({ counts: {}, examples: {}, indexSample: sources.map((s, i) => ({ _id: `d${i}`, _source: s })) });
  const signatures = (d: ReturnType<typeof diagnose>) => d.map((x) => x.signature);
  const ids = (id: string) =>
    signatures(diagnose({ counts: {}, examples: {}, indexSample: [{ _id: id, _source: {} }] }));

  it('an envelope with only an after state (a create written without its null before)', () => {
    expect(signatures(sample({ op: 'c', source: {}, after: { product_id: 7 } }))).toEqual([
      'Debezium change-event envelopes (op, before/after, source) inside documents',
    ]);
  });

  it('base64 prices with two, one or no padding characters, and those that begin or end with a digit', () => {
    // Debezium's precise decimals (the unscaled value's bytes): 0.14 → one byte, 19.99 → two, 1000.00 and
    // 655.88 → three; -100.00 → 0xd8f0, whose base64 begins with a digit.
    for (const price of ['0.14', '19.99', '1000.00', '655.88', '-100.00']) {
      const encoded = debeziumDecimalBase64(price);
      expect(signatures(sample({ price: encoded })), `${price} as ${encoded}`).toEqual(['prices as base64 strings']);
    }
    expect(['Dg==', 'B88=', 'AYag', 'AQA0', '2PA=']).toEqual(
      ['0.14', '19.99', '1000.00', '655.88', '-100.00'].map(debeziumDecimalBase64),
    );
  });

  it('decimal prices that are not base64: digits only (valid base64 too) and a decimal comma', () => {
    expect(sample({ price: '20' })).toEqual([]);
    expect(sample({ price: '1999' })).toEqual([]);
    expect(sample({ price: '19,99' })).toEqual([]);
  });

  it(
    'a created_at string counts as an epoch only in plain ' +
      'digits (how a long prints), not in another number spelling',
    () => {
      // e.g. a double as Java prints it (Double.toString)
      expect(sample({ created_at: '1.714521600123456E15' })).toEqual([]);
      expect(sample({ created_at: '1714521600123456' })).toHaveLength(1);
    },
  );

  it('an offset _id: any partition number, and only at the end of the _id', () => {
    expect(ids('outbox.public.products+11+4077')).toEqual(['_id is topic+partition+offset, not the product_id']);
    expect(ids('products+0+17-copy')).toEqual([]);
  });

  it('zombies counted without an example kept: no diagnosis with made-up evidence', () => {
    expect(diagnose({ counts: { zombie: 3 }, examples: {}, topicTombstones: 0 })).toEqual([]);
    expect(diagnose({ counts: { zombie: 3 }, examples: {}, topicTombstones: 5 })).toEqual([]);
  });

  it('an example list given as undefined is skipped', () => {
    const d = diagnose({
      counts: { corrupt: 1 },
      examples: { zombie: undefined, corrupt: [corrupt(docOf(row, { price: 'base64' }))] },
    });
    expect(d.map((x) => x.evidence)).toEqual([['7']]);
  });
});

describe('diagnose: each diagnosis explains itself', () => {
  const ofDoc = (doc: EsDoc): DiagnosisInput => ({ counts: { corrupt: 1 }, examples: { corrupt: [corrupt(doc)] } });
  const z: Anomaly = { class: 'zombie', product_id: 9, pg: null, es: [docOf(product(9))], detail: '' };
  const cases: [string, DiagnosisInput, { signature: RegExp; cause: RegExp }][] = [
    [
      'envelope',
      ofDoc({ _id: '7', _source: { op: 'c', source: {}, before: null, after: { ...row } } }),
      {
        signature: /envelopes/,
        cause: /^the ExtractNewRecordState \(unwrap\) transform is missing.*value\.converter\.schemas\.enable=false/,
      },
    ],
    [
      'schema wrapper',
      ofDoc({ _id: '7', _source: { schema: {}, payload: { ...row } } }),
      {
        signature: /schema\/payload wrappers/,
        cause: /^the sink reads values written with schemas enabled as schemaless JSON/,
      },
    ],
    [
      'base64 price',
      ofDoc(docOf(row, { price: 'base64' })),
      { signature: /^prices as base64 strings$/, cause: /decimal\.handling\.mode=precise sends NUMERIC as bytes/ },
    ],
    [
      'micros',
      ofDoc(docOf(row, { createdAt: 'micros' })),
      {
        signature: /^created_at in micro- or nanoseconds$/,
        cause: /time\.precision\.mode=adaptive sends TIMESTAMP\(6\) as epoch microseconds/,
      },
    ],
    [
      'placeholder',
      ofDoc(docOf({ ...row, description: '__debezium_unavailable_value' })),
      {
        signature: /^__debezium_unavailable_value in documents$/,
        cause: /TOASTed column unchanged.*REPLICA IDENTITY DEFAULT/,
      },
    ],
    [
      'offset id',
      ofDoc(docOf(row, { id: 'outbox.public.products+0+17' })),
      { signature: /^_id is topic\+partition\+offset/, cause: /^the sink is registered with key\.ignore=true/ },
    ],
    [
      'struct id',
      ofDoc(docOf(row, { id: '{"product_id":7}' })),
      {
        signature: /^_id is a whole key struct/,
        cause: /^the record key is the Debezium key struct; without ExtractField\$Key/,
      },
    ],
    [
      'zombies, no tombstones',
      { counts: { zombie: 1 }, examples: { zombie: [z] }, topicTombstones: 0 },
      {
        signature: /^deleted products still searchable, and the topic holds no tombstones$/,
        cause: /tombstones\.on\.delete=false/,
      },
    ],
    [
      'zombies, tombstones',
      { counts: { zombie: 1 }, examples: { zombie: [z] }, topicTombstones: 4 },
      {
        signature: /^deleted products still searchable, though the topic holds tombstones$/,
        cause: /^the sink skips tombstones instead of deleting$/,
      },
    ],
  ];

  it.each(cases)(
    '%s: the signature names what was seen, the cause names the setting behind it',
    (_, input, expected) => {
      const d = diagnose(input);
      expect(d).toHaveLength(1);
      // expect.stringMatching: toMatchObject would take a bare RegExp for an object without keys, and match anything.
      expect(d[0]).toMatchObject({
        signature: expect.stringMatching(expected.signature),
        cause: expect.stringMatching(expected.cause),
      });
    },
  );
});

describe('diagnose: statements on the source and failed tasks', () => {
  const z: Anomaly = { class: 'zombie', product_id: 9, pg: null, es: [docOf(product(9))], detail: '' };
  const zombies = { counts: { zombie: 300 }, examples: { zombie: [z] }, topicTombstones: 40 };

  it('zombies after a TRUNCATE name the TRUNCATE, not the tombstones', () => {
    const d = diagnose({ ...zombies, sourceStatements: ['committed: LOCK, SELECT 120, TRUNCATE, INSERT 120'] });
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ signature: expect.stringMatching(/TRUNCATE/), evidence: ['9'] });
  });

  it('a lost replication slot is named when rows differ, and only then', () => {
    const missing = { counts: { missing: 166 }, examples: {} };
    const d = diagnose({ ...missing, lostSlot: 'ocmxaopvjfqc' });
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({
      signature: expect.stringMatching(/replication slot ocmxaopvjfqc is lost/),
      evidence: ['ocmxaopvjfqc'],
    });
    expect(diagnose(missing)).toEqual([]);
    // Its zombies are deletes never read, not a tombstone problem.
    expect(diagnose({ ...zombies, lostSlot: 'ocmxaopvjfqc' }).map((x) => x.evidence)).toEqual([['ocmxaopvjfqc']]);
    expect(diagnose({ counts: {}, examples: {}, lostSlot: 'ocmxaopvjfqc' })).toEqual([]);
  });

  it('a partitioned table published under its partitions names itself, in place of the tombstone diagnoses', () => {
    const partitionedWithoutRoot = { table: 'products', publication: 'product_publication' };
    const d = diagnose({ ...zombies, partitionedWithoutRoot });
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({
      signature: expect.stringMatching(/partitioned table products published under its partitions' names/),
      fix: expect.stringMatching(/ALTER PUBLICATION product_publication SET \(publish_via_partition_root = true\)/),
      evidence: ['products'],
    });
    expect(diagnose({ counts: { missing: 3 }, examples: {}, partitionedWithoutRoot })).toHaveLength(1);
    // Nothing behind: nothing to explain.
    expect(diagnose({ counts: {}, examples: {}, partitionedWithoutRoot })).toEqual([]);
  });

  it('a slot ahead of the offset a task resumed from is named with both positions, when rows differ', () => {
    const slotAhead = { offset: '0/3B456E8', slot: '0/3B64658' };
    const d = diagnose({ counts: { missing: 13, stale: 4 }, examples: {}, slotAhead });
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({
      signature: expect.stringMatching(/slot was ahead of the source connector's stored offset/),
      cause: expect.stringMatching(/offset at LSN 0\/3B456E8, while the slot had confirmed up to 0\/3B64658/),
      fix: expect.stringMatching(/trust_offset/),
      evidence: ['0/3B456E8 < 0/3B64658'],
    });
    // Its zombies are deletes never streamed, not a tombstone problem.
    expect(diagnose({ ...zombies, slotAhead }).map((x) => x.evidence)).toEqual([['0/3B456E8 < 0/3B64658']]);
    expect(diagnose({ counts: {}, examples: {}, slotAhead })).toEqual([]);
  });

  it('a snapshot taken past an existing slot explains zombies as deletes skipped, not tombstones', () => {
    const snapshotPastSlot = { slot: '0/1B97538', snapshot: '0/1B9CF70' };
    const d = diagnose({ ...zombies, snapshotPastSlot });
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({
      signature: expect.stringMatching(/without an offset on an existing slot/),
      cause: expect.stringMatching(/snapshot at LSN 0\/1B9CF70 .* from 0\/1B97538 on/),
      fix: expect.stringMatching(/execute-snapshot signal/),
      evidence: ['0/1B97538 < 0/1B9CF70'],
    });
    expect(diagnose({ counts: {}, examples: {}, snapshotPastSlot })).toEqual([]);
  });

  it('other statements leave the tombstone diagnosis alone', () => {
    const d = diagnose({ ...zombies, sourceStatements: ['committed: ALTER TABLE'] });
    expect(d.map((x) => x.fix)).toEqual(['behavior.on.null.values=delete on the sink']);
  });

  it("a failed task's document_parsing_exception is a mapping conflict, naming field, type and document", () => {
    const trace =
      'org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask due to unrecoverable exception.\n' +
      '\tat org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:659)\n' +
      'Caused by: BulkFailedException: Batch #36: index products/1000082 (products-0@242): 400 ' +
      'document_parsing_exception {"type":"document_parsing_exception","reason":"[1:203] failed to parse field ' +
      "[stock] of type [long] in document with id '1000082'. Preview of field's value: '{\\\"units\\\": 7}'\"}";
    const d = diagnose({ counts: { stale: 3 }, examples: {}, taskTraces: [trace] });
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({
      signature: expect.stringMatching(/mapping conflict.*\[stock\].*\[long\]/),
      evidence: ['1000082'],
    });
  });

  it('a number field that refused base64 is a decimal sent as bytes (decimal.handling.mode), not a type change', () => {
    const refused = (preview: string, type = 'double') =>
      'Caused by: BulkFailedException: Batch #3: index orders/7f1c (orders-0@12): 400 document_parsing_exception ' +
      `{"type":"document_parsing_exception","reason":"[1:90] failed to parse field [total] of type [${type}] in ` +
      `document with id '7f1c'. Preview of field's value: '${preview}'"}`;
    const d = diagnose({ counts: { missing: 3 }, examples: {}, taskTraces: [refused('AYag')] });
    expect(d).toEqual([
      expect.objectContaining({ fix: expect.stringMatching(/^decimal\.handling\.mode=string/), evidence: ['7f1c'] }),
    ]);
    // Plain digits, a decimal, or a keyword field: the generic mapping conflict.
    for (const [preview, type] of [
      ['120', 'double'],
      ['1.5x', 'double'],
      ['AYag', 'date'],
    ] as const)
      expect(diagnose({ counts: { missing: 3 }, examples: {}, taskTraces: [refused(preview, type)] })).toEqual([
        expect.objectContaining({ signature: expect.stringMatching(/mapping conflict/) }),
      ]);
  });

  it('a trace without a mapping rejection is no mapping conflict', () => {
    const trace = 'BulkFailedException: giving up on 39 of 39 actions after 0 retries; last failure: ConnectException';
    expect(diagnose({ counts: { missing: 3 }, examples: {}, taskTraces: [trace] })).toEqual([]);
  });
});

describe('diagnose: the edges of the mapping conflict and of the row forms', () => {
  const trace = (reason: string) =>
    `Caused by: BulkFailedException: Batch #3: index orders/7f1c (orders-0@12): 400 ${reason}`;
  const rejected = (reason: string) => diagnose({ counts: { missing: 1 }, examples: {}, taskTraces: [trace(reason)] });
  const parse = (type: string, preview: string) =>
    'document_parsing_exception {"reason":"[1:90] failed to parse field [total] of type ' +
    `[${type}] in document with id '7f1c'. Preview of field's value: '${preview}'"}`;
  const decimalFix = 'decimal.handling.mode=string (or double) on the source connector';
  const conflictOf = (type: string) =>
    'Elasticsearch rejected a document that does not fit the index mapping (a mapping conflict): ' +
    `field [total] does not fit its mapped type [${type}]`;

  it('a rejection naming no field, document or value is a mapping conflict of the failed task', () => {
    const d = rejected(
      'strict_dynamic_mapping_exception: mapping set to strict, dynamic introduction of [extra] is not allowed',
    );
    expect(d.map((x) => [x.signature, x.evidence])).toEqual([
      [
        'Elasticsearch rejected a document that does not fit the index mapping (a mapping conflict)',
        ['the failed task'],
      ],
    ]);
  });

  it('a rejection naming a field but no document gives the field as evidence', () => {
    const d = rejected('mapper_parsing_exception: failed to parse field [stock] of type [long]');
    expect(d.map((x) => x.evidence)).toEqual([['stock']]);
  });

  it('a number field refusing a value with no preview shown is no decimal sent as bytes', () => {
    const d = rejected(
      "document_parsing_exception: failed to parse field [total] of type [double] in document with id 'x'",
    );
    expect(d.map((x) => x.signature)).toEqual([conflictOf('double')]);
  });

  it('base64 that begins or ends in digits is a decimal as bytes; a type only holding a number type is not', () => {
    expect(rejected(parse('double', '12AB')).map((x) => x.fix)).toEqual([decimalFix]);
    expect(rejected(parse('long', 'AB12')).map((x) => x.fix)).toEqual([decimalFix]);
    expect(rejected(parse('long_range', 'AYag')).map((x) => x.signature)).toEqual([conflictOf('long_range')]);
    expect(rejected(parse('x_long', 'AYag')).map((x) => x.signature)).toEqual([conflictOf('x_long')]);
  });

  const shown = (pg: Row, source: Record<string, unknown>, key = 'k1'): Anomaly => ({
    class: 'corrupt',
    product_id: -1,
    key,
    pg,
    es: [{ _id: key, _source: source }],
    detail: '',
  });
  const corrupted = (...anomalies: Anomaly[]) =>
    diagnose({ counts: { corrupt: anomalies.length }, examples: { corrupt: anomalies } });

  it('a field that is a string on one side only is no other form of the same value', () => {
    expect(corrupted(shown({ receipt: 'AP8=' }, { receipt: 255 }))).toEqual([]);
    expect(corrupted(shown({ qty: 5 }, { qty: '6' }))).toEqual([]);
  });

  it('a row value that is not base64 (base64url) is no bytea shown as hex, even when it decodes to those bytes', () => {
    expect(corrupted(shown({ receipt: 'a-b_' }, { receipt: '6be6ff' }))).toEqual([]);
  });

  it('a row string that is the JSON text of a string is no JSON column shown as text', () => {
    expect(corrupted(shown({ note: '"[x]"' }, { note: ' "[x]"' }))).toEqual([]);
  });

  it('rows shown as hex: at most five named', () => {
    const rows = [1, 2, 3, 4, 5, 6].map((n) => shown({ receipt: 'AP8=' }, { receipt: '00ff' }, `k${n}`));
    expect(corrupted(...rows).map((x) => x.evidence)).toEqual([['k1', 'k2', 'k3', 'k4', 'k5']]);
  });

  it('missing and stale rows add up to rows behind (a partitioned table without its root)', () => {
    const d = diagnose({
      counts: { missing: 1, stale: 1 },
      examples: {},
      partitionedWithoutRoot: { table: 'products', publication: 'pub' },
    });
    expect(d.map((x) => x.evidence)).toEqual([['products']]);
  });
});
