import { canonicalJson } from '../model/codecs.ts';
import type { Anomaly, AnomalyClass, Diagnosis, EsDoc } from '../record/anomalies.ts';
import type { SlotAhead, SnapshotPastSlot } from './debezium-log.ts';

export type { Diagnosis };

export interface DiagnosisInput {
  counts: Partial<Record<AnomalyClass, number>>;
  examples: Partial<Record<AnomalyClass, readonly Anomaly[]>>;
  /** Documents the index held when the warm-up gave up (nothing came through in a recognisable form). */
  indexSample?: readonly EsDoc[];
  /** Tombstones (null-value records) on the topic the sink reads; null when it could not be read. */
  topicTombstones?: number | null;
  /** Stack traces of the connectors' FAILED tasks. */
  taskTraces?: readonly string[];
  /** What statements run on the source database during the run answered (command tags, e.g. "TRUNCATE"). */
  sourceStatements?: readonly string[];
  /** The run's replication slot when Postgres reports it invalidated (wal_status = lost) at the check. */
  lostSlot?: string;
  /**
   * The captured table when Postgres publishes it under its partitions' names: a partitioned table in a
   * publication without publish_via_partition_root.
   */
  partitionedWithoutRoot?: { table: string; publication: string };
  /** A source task start whose slot had confirmed past the offset it resumed from (debezium-log.ts). */
  slotAhead?: SlotAhead;
  /** A source task start without an offset that snapshotted past its existing slot (debezium-log.ts). */
  snapshotPastSlot?: SnapshotPastSlot;
  /** Partitions of the captured table that log only their key (their replica identity is not FULL). */
  partitionsNotFull?: readonly string[];
}

/** Elasticsearch's words for a document that does not fit the index mapping. */
const MAPPING_REJECTION = /(document_parsing_exception|mapper_parsing_exception|strict_dynamic_mapping_exception)/;
const FIELD_OF_TYPE = /failed to parse field \[([^\]]+)\] of type \[([^\]]+)\]/;
const IN_DOCUMENT = /in document with id '([^']+)'/;
const PREVIEW = /Preview of field's value: '([^']*)'/;
const NUMBER_TYPES = /^(long|integer|short|byte|double|float|half_float|scaled_float|unsigned_long)$/;

interface MappingConflict {
  field?: string;
  type?: string;
  id?: string;
  /** The start of the refused value, as Elasticsearch shows it. */
  preview?: string;
}

/** The first mapping rejection in the traces: its field, the field's mapped type and the document, if named. */
function mappingConflict(traces: readonly string[]): MappingConflict | undefined {
  for (const trace of traces) {
    const line = trace.split('\n').find((l) => MAPPING_REJECTION.test(l));
    if (!line) continue;
    const f = FIELD_OF_TYPE.exec(line);
    return { field: f?.[1], type: f?.[2], id: IN_DOCUMENT.exec(line)?.[1], preview: PREVIEW.exec(line)?.[1] };
  }
  return undefined;
}

/** A number field refused base64 (not plain digits, which are base64 too): a decimal sent as its bytes. */
function base64Decimal(c: MappingConflict): boolean {
  return (
    NUMBER_TYPES.test(c.type ?? '') && c.preview !== undefined && !/^\d+$/.test(c.preview) && BASE64.test(c.preview)
  );
}

const ENVELOPE_KEYS = ['op', 'source'] as const;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PLACEHOLDER = '__debezium_unavailable_value';

type Probe = (doc: EsDoc) => boolean;

/** Every document the evidence holds, with the product_id (or _id) it was shown under. */
function documents(i: DiagnosisInput): { id: string; doc: EsDoc }[] {
  const out: { id: string; doc: EsDoc }[] = [];
  for (const list of Object.values(i.examples))
    for (const a of list ?? []) for (const d of a.es) out.push({ id: a.key ?? String(a.product_id), doc: d });
  for (const d of i.indexSample ?? []) out.push({ id: d._id, doc: d });
  return out;
}

function matching(i: DiagnosisInput, probe: Probe): string[] {
  return [
    ...new Set(
      documents(i)
        .filter((x) => probe(x.doc))
        .map((x) => x.id),
    ),
  ].slice(0, 5);
}

const isEnvelope: Probe = (d) =>
  ENVELOPE_KEYS.every((k) => k in d._source) &&
  ('after' in d._source || 'before' in d._source || 'payload' in d._source);
const isSchemaWrapped: Probe = (d) => 'schema' in d._source && 'payload' in d._source;
/**
 * Not a decimal: a sign or a dot is no base64 character,
 * so plain digits ('20') are the only decimal BASE64 matches.
 */
const base64Price: Probe = (d) =>
  typeof d._source['price'] === 'string' && !/^\d+$/.test(d._source['price']) && BASE64.test(d._source['price']);
/** Above 1e14 an epoch is not milliseconds of a plausible date (1e14 ms is the year 5138). */
const subMsDate: Probe = (d) => {
  const v = d._source['created_at'];
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Math.abs(n) > 1e14;
};
const placeholder: Probe = (d) => Object.values(d._source).some((v) => v === PLACEHOLDER);
const rewrittenDelete: Probe = (d) => '__deleted' in d._source;
const offsetId: Probe = (d) => /\+\d+\+\d+$/.test(d._id);
const structId: Probe = (d) => d._id.startsWith('{') || d._id.startsWith('Struct{');

/**
 * The rows (at most five) with a field whose row value and document string differ in the way `same` recognises:
 * the same value in another form. Both are strings, and different.
 */
function rowsShownAs(i: DiagnosisInput, same: (row: string, shown: string) => boolean): string[] {
  const out = new Set<string>();
  for (const list of Object.values(i.examples))
    for (const a of list ?? []) {
      if (!a.pg) continue;
      for (const d of a.es)
        for (const [field, v] of Object.entries(a.pg)) {
          const shown = d._source[field];
          if (typeof v === 'string' && typeof shown === 'string' && shown !== v && same(v, shown))
            out.add(a.key ?? String(a.product_id));
        }
    }
  return [...out].slice(0, 5);
}

/** A bytea column (the row side keeps base64) shown as the hex text of its bytes: binary.handling.mode=hex. */
const hexOfBase64 = (row: string, shown: string): boolean =>
  row !== '' && BASE64.test(row) && Buffer.from(row, 'base64').toString('hex') === shown.toLowerCase();

/** A JSON object or array (a json/jsonb column, kept as canonical text) shown as a string of its JSON text. */
const jsonTextOf = (row: string, shown: string): boolean => /^[[{]/.test(row) && canonicalOf(shown) === row;

function canonicalOf(text: string): string | undefined {
  try {
    return canonicalJson(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * Names the likely cause of what the checker found, from signatures in the documents and counts. Pure: a
 * function of recorded evidence, so each signature is unit-tested on a recorded document.
 */
export function diagnose(i: DiagnosisInput): Diagnosis[] {
  const out: Diagnosis[] = [];
  const add = (signature: string, cause: string, fix: string, evidence: string[]): void => {
    if (evidence.length) out.push({ signature, cause, fix, evidence });
  };
  add(
    'Debezium change-event envelopes (op, before/after, source) inside documents',
    'the ExtractNewRecordState (unwrap) transform is missing, or did not apply: with schemaless JSON ' +
      'values (value.converter.schemas.enable=false) a sink-side unwrap passes the envelope through',
    'transforms=unwrap with transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState ' +
      "on the source, or keep the converters' schemas enabled where the sink unwraps",
    matching(i, isEnvelope),
  );
  add(
    'JsonConverter schema/payload wrappers inside documents',
    'the sink reads values written with schemas enabled as schemaless JSON (or the reverse)',
    'the same value.converter and value.converter.schemas.enable on the source and the sink',
    matching(i, isSchemaWrapped),
  );
  add(
    'prices as base64 strings',
    "Debezium's default decimal.handling.mode=precise sends NUMERIC as bytes, which schemaless JSON turns into base64",
    'decimal.handling.mode=string (or double) on the source connector',
    matching(i, base64Price),
  );
  add(
    'binary columns as hex text',
    'the source sends BYTEA as hex (binary.handling.mode=hex), while a binary field reads base64: hex of an even ' +
      'number of bytes is valid base64 too, so the documents are accepted and hold other bytes than the row',
    'binary.handling.mode=bytes (base64 under schemaless JSON) or base64 on the source connector',
    rowsShownAs(i, hexOfBase64),
  );
  add(
    'JSON columns as JSON text in object fields',
    'Debezium sends json/jsonb as its text (io.debezium.data.Json, a string), and the index maps the field as an ' +
      'object (a disabled object accepts the string): an application reading the document finds a string',
    'map the field as a keyword or text that holds the JSON text, or expand the JSON into an object before the sink',
    rowsShownAs(i, jsonTextOf),
  );
  add(
    'created_at in micro- or nanoseconds',
    "Debezium's default time.precision.mode=adaptive sends TIMESTAMP(6) as epoch " +
      'microseconds; an epoch_millis mapping reads them as dates tens of thousands of years out',
    'time.precision.mode=connect on the source connector (epoch milliseconds)',
    matching(i, subMsDate),
  );
  // A partitioned table's rows are logged by each partition's replica identity: FULL on the parent alone is not it.
  const partitions = i.partitionsNotFull ?? [];
  add(
    `${PLACEHOLDER} in documents${partitions.length ? ': the partitions are not REPLICA IDENTITY FULL' : ''}`,
    'an UPDATE left a TOASTed column unchanged and the table logs only ' +
      'its key (REPLICA IDENTITY DEFAULT), so Debezium has no value to send' +
      (partitions.length
        ? `; the table is partitioned, and its partitions ${partitions.join(', ')} log by their own replica ` +
          "identity, not the parent's"
        : ''),
    partitions.length
      ? `ALTER TABLE … REPLICA IDENTITY FULL on every partition (${partitions.join(', ')}), and on each new one`
      : 'ALTER TABLE … REPLICA IDENTITY FULL in schema.sql',
    matching(i, placeholder),
  );
  add(
    'documents carry __deleted: the unwrap transform rewrites deletes into updates',
    'transforms.unwrap.delete.tombstone.handling.mode=rewrite (delete.handling.mode=rewrite before Debezium 2.5) ' +
      'adds __deleted to every event and sends a delete as the row\'s last state with __deleted "true": a sink ' +
      'that writes by key indexes it, so a deleted row stays searchable unless every query filters on __deleted',
    'transforms.unwrap.delete.tombstone.handling.mode=tombstone on the source (the sink deletes on the tombstone)',
    matching(i, rewrittenDelete),
  );
  add(
    '_id is topic+partition+offset, not the product_id',
    'the sink is registered with key.ignore=true: every event becomes one more document, and deletes by key miss',
    'key.ignore=false on the sink (the record key, product_id, becomes the _id)',
    matching(i, offsetId),
  );
  add(
    '_id is a whole key struct, not the product_id',
    'the record key is the Debezium key struct; without ExtractField$Key ' +
      "the sink has no plain id (Confluent's sink fails the task on it)",
    'transforms.key.type=org.apache.kafka.connect.transforms.ExtractField$Key with transforms.key.field=product_id',
    matching(i, structId),
  );
  const conflict = mappingConflict(i.taskTraces ?? []);
  if (conflict && base64Decimal(conflict)) {
    add(
      `a decimal sent as base64 (decimal.handling.mode=precise): field [${conflict.field}] of type ` +
        `[${conflict.type}] refused '${conflict.preview}'`,
      "Debezium's default decimal.handling.mode=precise sends NUMERIC as the bytes of its unscaled value, which " +
        'schemaless JSON turns into base64: no number field reads it, so the sink task failed on the first one',
      'decimal.handling.mode=string (or double) on the source connector',
      [conflict.id ?? conflict.field ?? 'the failed task'],
    );
  } else if (conflict) {
    const what = conflict.field ? `: field [${conflict.field}] does not fit its mapped type [${conflict.type}]` : '';
    add(
      `Elasticsearch rejected a document that does not fit the index mapping (a mapping conflict)${what}`,
      "a column's type changed in Postgres (ALTER COLUMN … TYPE), or the mapping was written for another type: " +
        "Elasticsearch cannot change a mapped field's type in place, so it refuses every document carrying the " +
        "new type, and the sink's task failed on the first one",
      'reindex into an index whose mapping holds the new type (or write the column under a new field name), ' +
        'then restart the failed task; behavior.on.malformed.documents=warn or ignore drops such documents silently',
      [conflict.id ?? conflict.field ?? 'the failed task'],
    );
  }
  const behind = (i.counts.missing ?? 0) + (i.counts.stale ?? 0) + (i.counts.zombie ?? 0);
  // A partitioned table published under its partitions' names: no change after the snapshot reaches the
  // connector's topic, which explains zombies too (their deletes never came).
  const partitioned = i.partitionedWithoutRoot;
  if (partitioned && behind > 0)
    add(
      `changes of the partitioned table ${partitioned.table} published under its partitions' names ` +
        '(publish_via_partition_root = false)',
      `publication ${partitioned.publication} publishes each change as one of the partition it landed in, a ` +
        'table the connector does not capture (table.include.list names the parent): Debezium filters every ' +
        'change out, so only what the initial snapshot read (it reads the parent) reaches search',
      `ALTER PUBLICATION ${partitioned.publication} SET (publish_via_partition_root = true), then re-snapshot ` +
        'what was missed; or capture the partitions and route their topics into the one index',
      [partitioned.table],
    );
  // A slot ahead of the connector's offset: what lay between was never streamed to it.
  const ahead = i.slotAhead;
  if (ahead && behind > 0)
    add(
      "the replication slot was ahead of the source connector's stored offset when its task started",
      `the task resumed from its offset at LSN ${ahead.offset}, while the slot had confirmed up to ${ahead.slot}: ` +
        'the slot was created again (or advanced) while the connector was away, and the changes between were ' +
        'never streamed to it. offset.mismatch.strategy=trust_greater_lsn or trust_slot move on past them ' +
        'without a word; no_validation with snapshot.mode=initial fails the task ("no longer available")',
      're-snapshot into a new index (a snapshot cannot delete what was deleted meanwhile); ' +
        'offset.mismatch.strategy=trust_offset fails the task whenever the slot is ahead; find what drops slots',
      [`${ahead.offset} < ${ahead.slot}`],
    );
  // No offset on an existing slot: the new snapshot's LSN, not the slot's, is where streaming starts.
  const past = i.snapshotPastSlot;
  if (past && behind > 0)
    add(
      'the source started without an offset on an existing slot and snapshotted past it: deletes in between are lost',
      `Debezium found no stored offset (offsets reset, or a new connector name on an old slot), read a new ` +
        `snapshot at LSN ${past.snapshot} and streams from there, while the slot still held changes from ` +
        `${past.slot} on: those changes are skipped. Inserts and updates among them are in the snapshot; a row ` +
        'deleted meanwhile is in neither, so its document stays (zombie)',
      'to re-read the table keep the offsets and send an execute-snapshot signal (incremental snapshots run ' +
        'beside streaming and lose nothing), or re-snapshot into a new index and swap an alias',
      [`${past.slot} < ${past.snapshot}`],
    );
  // A lost slot explains zombies too (their deletes were never read): it takes the tombstone diagnoses' place.
  const lost =
    (i.lostSlot !== undefined || partitioned !== undefined || ahead !== undefined || past !== undefined) && behind > 0;
  if (i.lostSlot !== undefined && lost) {
    add(
      `the replication slot ${i.lostSlot} is lost (wal_status = lost): changes made while it was behind are gone`,
      'Postgres removed WAL the slot still needed (max_slot_wal_keep_size exceeded while the source was stopped ' +
        'or behind) and invalidated the slot for good; Debezium then waits for it at task start (900 × 2 s) ' +
        'with the connector RUNNING and no task, before failing with a message about long-running transactions',
      'drop the lost slot, reset the source connector offsets and re-snapshot (or snapshot.mode=when_needed); ' +
        'size max_slot_wal_keep_size above the longest stop and alert on pg_replication_slots.wal_status',
      [i.lostSlot!],
    );
  }
  const zombies = i.counts.zombie ?? 0;
  const zombieIds = (i.examples.zombie ?? []).map((a) => String(a.product_id)).slice(0, 5);
  const truncated = (i.sourceStatements ?? []).some((s) => /\bTRUNCATE\b/.test(s));
  if (zombies > 0 && truncated) {
    add(
      'products still searchable after a TRUNCATE of the source table',
      "a TRUNCATE reaches no sink: the publication publishes no truncate (publish = 'insert, update, delete'), " +
        'Debezium skips it by default (skipped.operations=t), and its event (op t) carries no row, so a sink ' +
        'that writes and deletes by key has nothing to delete: every document of a truncated row stays',
      'none in this pipeline: empty the index with the TRUNCATE (delete-by-query, or a new index and a ' +
        're-snapshot), or delete the rows with DELETE, which Debezium streams row by row',
      zombieIds,
    );
  } else if (zombies > 0 && !lost && i.topicTombstones === 0) {
    add(
      'deleted products still searchable, and the topic holds no tombstones',
      'the source never emits a tombstone for a delete: tombstones.on.delete=false ' +
        'together with the unwrap transform dropping or rewriting deletes',
      'transforms.unwrap.delete.tombstone.handling.mode=tombstone on the source (the delete event itself ' +
        'becomes the tombstone), or tombstones.on.delete=true where the sink needs no version header',
      zombieIds,
    );
  } else if (zombies > 0 && !lost && (i.topicTombstones ?? 0) > 0) {
    add(
      'deleted products still searchable, though the topic holds tombstones',
      'the sink skips tombstones instead of deleting',
      'behavior.on.null.values=delete on the sink',
      zombieIds,
    );
  }
  return out;
}
