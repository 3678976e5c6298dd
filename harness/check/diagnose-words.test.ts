import { describe, expect, it } from 'vitest';
import type { Row } from '../model/table.ts';
import type { Anomaly, EsDoc } from '../record/anomalies.ts';
import { diagnose, type DiagnosisInput } from './diagnose.ts';

// The words of each diagnosis are what the report shows: each is pinned whole, on the smallest evidence.
const doc = (source: Record<string, unknown>, id = '7'): EsDoc => ({ _id: id, _source: source });
const corrupt = (d: EsDoc, pg: Row | null = null, key?: string): Anomaly => ({
  class: 'corrupt',
  product_id: 7,
  ...(key === undefined ? {} : { key }),
  pg,
  es: [d],
  detail: '',
});
const of = (d: EsDoc): DiagnosisInput => ({ counts: { corrupt: 1 }, examples: { corrupt: [corrupt(d)] } });
const zombie: Anomaly = { class: 'zombie', product_id: 9, pg: null, es: [doc({ product_id: 9 }, '9')], detail: '' };
const zombies = { counts: { zombie: 1 }, examples: { zombie: [zombie] } };
const rejected = (reason: string): DiagnosisInput => ({
  counts: { missing: 1 },
  examples: {},
  taskTraces: [`Caused by: BulkFailedException: 400 document_parsing_exception ${reason}`],
});

const cases: Record<string, DiagnosisInput> = {
  envelope: of(doc({ op: 'c', source: {}, after: {} })),
  schema: of(doc({ schema: {}, payload: {} })),
  price: of(doc({ price: 'B88=' })),
  hex: {
    counts: { corrupt: 1 },
    examples: { corrupt: [corrupt(doc({ receipt: '00ff' }), { receipt: 'AP8=' }, 'a1')] },
  },
  json: {
    counts: { corrupt: 1 },
    examples: { corrupt: [corrupt(doc({ prefs: '{ "a": 1 }' }), { prefs: '{"a":1}' }, 'c3')] },
  },
  micros: of(doc({ created_at: 1714521600123456 })),
  placeholder: of(doc({ description: '__debezium_unavailable_value' })),
  partitions: { ...of(doc({ description: '__debezium_unavailable_value' })), partitionsNotFull: ['p0', 'p1'] },
  deleted: of(doc({ __deleted: 'true' })),
  offsetId: of(doc({}, 't+0+17')),
  structId: of(doc({}, 'Struct{product_id=7}')),
  decimal: rejected(
    "failed to parse field [total] of type [double] in document with id '7f1c'. Preview of field's value: 'AYag'",
  ),
  conflict: rejected(
    "failed to parse field [stock] of type [long] in document with id '82'. Preview of field's value: '1.5'",
  ),
  partitioned: {
    counts: { missing: 1 },
    examples: {},
    partitionedWithoutRoot: { table: 'products', publication: 'pub' },
  },
  ahead: { counts: { missing: 1 }, examples: {}, slotAhead: { offset: '0/10', slot: '0/20' } },
  past: { counts: { missing: 1 }, examples: {}, snapshotPastSlot: { slot: '0/10', snapshot: '0/20' } },
  lost: { counts: { missing: 1 }, examples: {}, lostSlot: 'slot1' },
  truncate: { ...zombies, sourceStatements: ['TRUNCATE'] },
  noTombstones: { ...zombies, topicTombstones: 0 },
  tombstones: { ...zombies, topicTombstones: 3 },
};

describe('diagnose: the words of each diagnosis', () => {
  it('an envelope: the unwrap transform', () => {
    expect(diagnose(cases['envelope']!)).toEqual([
      {
        signature: 'Debezium change-event envelopes (op, before/after, source) inside documents',
        cause:
          'the ExtractNewRecordState (unwrap) transform is missing, or did not apply: with schemaless JSON ' +
          'values (value.converter.schemas.enable=false) a sink-side unwrap passes the envelope through',
        fix:
          'transforms=unwrap with transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState on the ' +
          "source, or keep the converters' schemas enabled where the sink unwraps",
        evidence: ['7'],
      },
    ]);
  });

  it('a schema/payload wrapper: the converters disagree', () => {
    expect(diagnose(cases['schema']!)).toEqual([
      {
        signature: 'JsonConverter schema/payload wrappers inside documents',
        cause: 'the sink reads values written with schemas enabled as schemaless JSON (or the reverse)',
        fix: 'the same value.converter and value.converter.schemas.enable on the source and the sink',
        evidence: ['7'],
      },
    ]);
  });

  it('a base64 price: decimal.handling.mode', () => {
    expect(diagnose(cases['price']!)).toEqual([
      {
        signature: 'prices as base64 strings',
        cause:
          "Debezium's default decimal.handling.mode=precise sends NUMERIC as bytes, which schemaless JSON turns " +
          'into base64',
        fix: 'decimal.handling.mode=string (or double) on the source connector',
        evidence: ['7'],
      },
    ]);
  });

  it('bytea as hex text: binary.handling.mode', () => {
    expect(diagnose(cases['hex']!)).toEqual([
      {
        signature: 'binary columns as hex text',
        cause:
          'the source sends BYTEA as hex (binary.handling.mode=hex), while a binary field reads base64: hex of ' +
          'an even number of bytes is valid base64 too, so the documents are accepted and hold other bytes than ' +
          'the row',
        fix: 'binary.handling.mode=bytes (base64 under schemaless JSON) or base64 on the source connector',
        evidence: ['a1'],
      },
    ]);
  });

  it('jsonb as JSON text: an object mapping', () => {
    expect(diagnose(cases['json']!)).toEqual([
      {
        signature: 'JSON columns as JSON text in object fields',
        cause:
          'Debezium sends json/jsonb as its text (io.debezium.data.Json, a string), and the index maps the ' +
          'field as an object (a disabled object accepts the string): an application reading the document finds ' +
          'a string',
        fix:
          'map the field as a keyword or text that holds the JSON text, or expand the JSON into an object ' +
          'before the sink',
        evidence: ['c3'],
      },
    ]);
  });

  it('micro- or nanosecond dates: time.precision.mode', () => {
    expect(diagnose(cases['micros']!)).toEqual([
      {
        signature: 'created_at in micro- or nanoseconds',
        cause:
          "Debezium's default time.precision.mode=adaptive sends TIMESTAMP(6) as epoch microseconds; an " +
          'epoch_millis mapping reads them as dates tens of thousands of years out',
        fix: 'time.precision.mode=connect on the source connector (epoch milliseconds)',
        evidence: ['7'],
      },
    ]);
  });

  it('the TOAST placeholder: REPLICA IDENTITY', () => {
    expect(diagnose(cases['placeholder']!)).toEqual([
      {
        signature: '__debezium_unavailable_value in documents',
        cause:
          'an UPDATE left a TOASTed column unchanged and the table logs only its key (REPLICA IDENTITY ' +
          'DEFAULT), so Debezium has no value to send',
        fix: 'ALTER TABLE … REPLICA IDENTITY FULL in schema.sql',
        evidence: ['7'],
      },
    ]);
  });

  it('the TOAST placeholder on partitions: each partition', () => {
    expect(diagnose(cases['partitions']!)).toEqual([
      {
        signature: '__debezium_unavailable_value in documents: the partitions are not REPLICA IDENTITY FULL',
        cause:
          'an UPDATE left a TOASTed column unchanged and the table logs only its key (REPLICA IDENTITY ' +
          'DEFAULT), so Debezium has no value to send; the table is partitioned, and its partitions p0, p1 log ' +
          "by their own replica identity, not the parent's",
        fix: 'ALTER TABLE … REPLICA IDENTITY FULL on every partition (p0, p1), and on each new one',
        evidence: ['7'],
      },
    ]);
  });

  it('__deleted: the rewrite delete mode', () => {
    expect(diagnose(cases['deleted']!)).toEqual([
      {
        signature: 'documents carry __deleted: the unwrap transform rewrites deletes into updates',
        cause:
          'transforms.unwrap.delete.tombstone.handling.mode=rewrite (delete.handling.mode=rewrite before ' +
          "Debezium 2.5) adds __deleted to every event and sends a delete as the row's last state with " +
          '__deleted "true": a sink that writes by key indexes it, so a deleted row stays searchable unless ' +
          'every query filters on __deleted',
        fix:
          'transforms.unwrap.delete.tombstone.handling.mode=tombstone on the source (the sink deletes on the ' +
          'tombstone)',
        evidence: ['7'],
      },
    ]);
  });

  it('offset ids: key.ignore', () => {
    expect(diagnose(cases['offsetId']!)).toEqual([
      {
        signature: '_id is topic+partition+offset, not the product_id',
        cause:
          'the sink is registered with key.ignore=true: every event becomes one more document, and deletes by ' +
          'key miss',
        fix: 'key.ignore=false on the sink (the record key, product_id, becomes the _id)',
        evidence: ['7'],
      },
    ]);
  });

  it('struct ids: ExtractField$Key', () => {
    expect(diagnose(cases['structId']!)).toEqual([
      {
        signature: '_id is a whole key struct, not the product_id',
        cause:
          'the record key is the Debezium key struct; without ExtractField$Key the sink has no plain id ' +
          "(Confluent's sink fails the task on it)",
        fix:
          'transforms.key.type=org.apache.kafka.connect.transforms.ExtractField$Key with ' +
          'transforms.key.field=product_id',
        evidence: ['7'],
      },
    ]);
  });

  it('a number field refusing base64: a decimal sent as bytes', () => {
    expect(diagnose(cases['decimal']!)).toEqual([
      {
        signature:
          'a decimal sent as base64 (decimal.handling.mode=precise): field [total] of type [double] refused ' +
          "'AYag'",
        cause:
          "Debezium's default decimal.handling.mode=precise sends NUMERIC as the bytes of its unscaled value, " +
          'which schemaless JSON turns into base64: no number field reads it, so the sink task failed on the ' +
          'first one',
        fix: 'decimal.handling.mode=string (or double) on the source connector',
        evidence: ['7f1c'],
      },
    ]);
  });

  it('a mapping conflict: a type changed', () => {
    expect(diagnose(cases['conflict']!)).toEqual([
      {
        signature:
          'Elasticsearch rejected a document that does not fit the index mapping (a mapping conflict): field ' +
          '[stock] does not fit its mapped type [long]',
        cause:
          "a column's type changed in Postgres (ALTER COLUMN … TYPE), or the mapping was written for another " +
          "type: Elasticsearch cannot change a mapped field's type in place, so it refuses every document " +
          "carrying the new type, and the sink's task failed on the first one",
        fix:
          'reindex into an index whose mapping holds the new type (or write the column under a new field name), ' +
          'then restart the failed task; behavior.on.malformed.documents=warn or ignore drops such documents ' +
          'silently',
        evidence: ['82'],
      },
    ]);
  });

  it('a partitioned table without publish_via_partition_root', () => {
    expect(diagnose(cases['partitioned']!)).toEqual([
      {
        signature:
          "changes of the partitioned table products published under its partitions' names " +
          '(publish_via_partition_root = false)',
        cause:
          'publication pub publishes each change as one of the partition it landed in, a table the connector ' +
          'does not capture (table.include.list names the parent): Debezium filters every change out, so only ' +
          'what the initial snapshot read (it reads the parent) reaches search',
        fix:
          'ALTER PUBLICATION pub SET (publish_via_partition_root = true), then re-snapshot what was missed; or ' +
          'capture the partitions and route their topics into the one index',
        evidence: ['products'],
      },
    ]);
  });

  it('a slot ahead of the offset', () => {
    expect(diagnose(cases['ahead']!)).toEqual([
      {
        signature: "the replication slot was ahead of the source connector's stored offset when its task started",
        cause:
          'the task resumed from its offset at LSN 0/10, while the slot had confirmed up to 0/20: the slot was ' +
          'created again (or advanced) while the connector was away, and the changes between were never ' +
          'streamed to it. offset.mismatch.strategy=trust_greater_lsn or trust_slot move on past them without a ' +
          'word; no_validation with snapshot.mode=initial fails the task ("no longer available")',
        fix:
          're-snapshot into a new index (a snapshot cannot delete what was deleted meanwhile); ' +
          'offset.mismatch.strategy=trust_offset fails the task whenever the slot is ahead; find what drops ' +
          'slots',
        evidence: ['0/10 < 0/20'],
      },
    ]);
  });

  it('a snapshot past an existing slot', () => {
    expect(diagnose(cases['past']!)).toEqual([
      {
        signature:
          'the source started without an offset on an existing slot and snapshotted past it: deletes in between ' +
          'are lost',
        cause:
          'Debezium found no stored offset (offsets reset, or a new connector name on an old slot), read a new ' +
          'snapshot at LSN 0/20 and streams from there, while the slot still held changes from 0/10 on: those ' +
          'changes are skipped. Inserts and updates among them are in the snapshot; a row deleted meanwhile is ' +
          'in neither, so its document stays (zombie)',
        fix:
          'to re-read the table keep the offsets and send an execute-snapshot signal (incremental snapshots run ' +
          'beside streaming and lose nothing), or re-snapshot into a new index and swap an alias',
        evidence: ['0/10 < 0/20'],
      },
    ]);
  });

  it('a lost slot', () => {
    expect(diagnose(cases['lost']!)).toEqual([
      {
        signature: 'the replication slot slot1 is lost (wal_status = lost): changes made while it was behind are gone',
        cause:
          'Postgres removed WAL the slot still needed (max_slot_wal_keep_size exceeded while the source was ' +
          'stopped or behind) and invalidated the slot for good; Debezium then waits for it at task start (900 ' +
          '× 2 s) with the connector RUNNING and no task, before failing with a message about long-running ' +
          'transactions',
        fix:
          'drop the lost slot, reset the source connector offsets and re-snapshot (or ' +
          'snapshot.mode=when_needed); size max_slot_wal_keep_size above the longest stop and alert on ' +
          'pg_replication_slots.wal_status',
        evidence: ['slot1'],
      },
    ]);
  });

  it('zombies after a TRUNCATE', () => {
    expect(diagnose(cases['truncate']!)).toEqual([
      {
        signature: 'products still searchable after a TRUNCATE of the source table',
        cause:
          "a TRUNCATE reaches no sink: the publication publishes no truncate (publish = 'insert, update, " +
          "delete'), Debezium skips it by default (skipped.operations=t), and its event (op t) carries no row, " +
          'so a sink that writes and deletes by key has nothing to delete: every document of a truncated row ' +
          'stays',
        fix:
          'none in this pipeline: empty the index with the TRUNCATE (delete-by-query, or a new index and a ' +
          're-snapshot), or delete the rows with DELETE, which Debezium streams row by row',
        evidence: ['9'],
      },
    ]);
  });

  it('zombies without tombstones: the source', () => {
    expect(diagnose(cases['noTombstones']!)).toEqual([
      {
        signature: 'deleted products still searchable, and the topic holds no tombstones',
        cause:
          'the source never emits a tombstone for a delete: tombstones.on.delete=false together with the unwrap ' +
          'transform dropping or rewriting deletes',
        fix:
          'transforms.unwrap.delete.tombstone.handling.mode=tombstone on the source (the delete event itself ' +
          'becomes the tombstone), or tombstones.on.delete=true where the sink needs no version header',
        evidence: ['9'],
      },
    ]);
  });

  it('zombies with tombstones: the sink', () => {
    expect(diagnose(cases['tombstones']!)).toEqual([
      {
        signature: 'deleted products still searchable, though the topic holds tombstones',
        cause: 'the sink skips tombstones instead of deleting',
        fix: 'behavior.on.null.values=delete on the sink',
        evidence: ['9'],
      },
    ]);
  });
});
