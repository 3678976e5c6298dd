import { describe, expect, it } from 'vitest';
import { lsnValue, slotAheadOfOffset, snapshotPastSlot } from './debezium-log.ts';

const offset = (lsn: string) =>
  `[2026-12-06T07:10:55,736] INFO Found previous offset PostgresOffsetContext [sourceInfoSchema=Schema{x}, ` +
  `sourceInfo=source_info[server='s'db='mycompany', lsn=LSN{${lsn}}, txId=12815, messageType=UPDATE, ` +
  `lastCommitLsn=LSN{0/1}], lastSnapshotRecord=false] (PostgresSnapshotChangeEventSource)`;
const slot = (lsn: string) =>
  `[2026-12-06T07:10:55,742] INFO Obtained valid replication slot ReplicationSlot [active=false, ` +
  `latestFlushedLsn=LSN{${lsn}}, catalogXmin=13116] (PostgresConnection)`;

describe("Debezium's task start in the Connect log", () => {
  it('finds a slot ahead of the offset the task resumed from', () => {
    const log = ['noise', offset('0/3B456E8'), 'more noise', slot('0/3B64658')].join('\n');
    expect(slotAheadOfOffset(log)).toEqual({ offset: '0/3B456E8', slot: '0/3B64658' });
  });

  it('says nothing when the slot is at or behind the offset, or a line is missing', () => {
    expect(slotAheadOfOffset([offset('0/3B456E8'), slot('0/3B456E8')].join('\n'))).toBeUndefined();
    expect(slotAheadOfOffset([offset('1/0'), slot('0/FFFFFFFF')].join('\n'))).toBeUndefined();
    expect(slotAheadOfOffset(slot('0/3B64658'))).toBeUndefined();
    expect(slotAheadOfOffset(offset('0/3B64658'))).toBeUndefined();
    expect(slotAheadOfOffset('')).toBeUndefined();
  });

  it('pairs each slot line with the offset before it: an earlier healthy start does not hide a later gap', () => {
    const log = [offset('0/10'), slot('0/10'), offset('0/20'), slot('0/30')].join('\n');
    expect(slotAheadOfOffset(log)).toEqual({ offset: '0/20', slot: '0/30' });
    // The first start (no offset yet) logs its slot twice; the next start's offset pairs with its own slot line.
    const first = [slot('0/1CFB7A0'), offset('0/1D03AE8'), slot('0/1D22570'), slot('0/1D22570')];
    expect(slotAheadOfOffset(first.join('\n'))).toEqual({ offset: '0/1D03AE8', slot: '0/1D22570' });
  });

  it('reads the offset from the error of a task that fails on an offset the slot no longer holds', () => {
    const error =
      'io.debezium.DebeziumException: The connector is trying to read change stream starting at ' +
      "PostgresOffsetContext [sourceInfo=source_info[server='s'db='mycompany', lsn=LSN{0/3CE9000}, txId=1], " +
      'lastCommitLsn=LSN{0/1}], but this is no longer available on the server.';
    // As Debezium 3.6 logs it: no offset found line, the slot line, then the error naming the offset.
    const log = [slot('0/3CE6608'), slot('0/3D17230'), 'WARN Last recorded offset…', error];
    expect(slotAheadOfOffset(log.join('\n'))).toEqual({ offset: '0/3CE9000', slot: '0/3D17230' });
  });

  const noOffset = '[2026-12-06T10:05:27,229] INFO No previous offset found (PostgresConnectorTask)';
  const newSlot =
    '[2026-12-06T10:05:16,047] INFO Obtained valid replication slot ReplicationSlot [active=false, ' +
    'latestFlushedLsn=null, catalogXmin=null] (PostgresConnection)';
  const xlog = (lsn: string) =>
    `[2026-12-06T10:05:27,291] INFO Read xlogStart at 'LSN{${lsn}}' from transaction '5669' (PostgresOffsetContext)`;

  it('finds a start without offset that snapshotted past the position its existing slot held', () => {
    // As Debezium 3.6 logs a start after DELETE /connectors/…/offsets: the slot line, then the snapshot's LSN.
    const log = [noOffset, slot('0/1B97538'), 'Snapshot step 4', xlog('0/1B9CF70'), slot('0/1B97538')];
    expect(snapshotPastSlot(log.join('\n'))).toEqual({ slot: '0/1B97538', snapshot: '0/1B9CF70' });
  });

  it('says nothing for a first registration (a new slot), a start with an offset, or a snapshot at the slot', () => {
    expect(snapshotPastSlot([noOffset, newSlot, xlog('0/1B24740'), slot('0/1B24740')].join('\n'))).toBeUndefined();
    expect(snapshotPastSlot([offset('0/10'), slot('0/10'), xlog('0/20')].join('\n'))).toBeUndefined();
    expect(snapshotPastSlot([noOffset, slot('0/20'), xlog('0/20')].join('\n'))).toBeUndefined();
    // A healthy first start, then a reset: the second one is found.
    const two = [noOffset, newSlot, xlog('0/10'), offset('0/30'), slot('0/30'), noOffset, slot('0/40'), xlog('0/48')];
    expect(snapshotPastSlot(two.join('\n'))).toEqual({ slot: '0/40', snapshot: '0/48' });
  });

  it('orders LSNs by their high word first', () => {
    expect(lsnValue('1/0') > lsnValue('0/FFFFFFFF')).toBe(true);
    expect(lsnValue('0/A')).toBe(10n);
  });

  it('reads LSNs whose high word has several digits, in every line it reads', () => {
    expect(slotAheadOfOffset([offset('1A/10'), slot('1A/20')].join('\n'))).toEqual({ offset: '1A/10', slot: '1A/20' });
    const refused = 'trying to read change stream starting at source_info[lsn=LSN{1A/10}]';
    expect(slotAheadOfOffset([slot('1A/20'), refused].join('\n'))).toEqual({ offset: '1A/10', slot: '1A/20' });
    expect(snapshotPastSlot([noOffset, slot('1A/10'), xlog('1A/20')].join('\n'))).toEqual({
      slot: '1A/10',
      snapshot: '1A/20',
    });
  });

  it('an LSN without its low word reads as a low word of 0', () => {
    expect(lsnValue('2')).toBe(2n << 32n);
  });

  it('a slot line followed by other lines, or an error naming an offset before any slot line: nothing', () => {
    expect(slotAheadOfOffset([slot('0/20'), 'noise'].join('\n'))).toBeUndefined();
    expect(slotAheadOfOffset('trying to read change stream starting at source_info[lsn=LSN{0/10}]')).toBeUndefined();
  });

  it("a start's first slot line is its slot; a snapshot read at or before it ends the start", () => {
    expect(snapshotPastSlot([noOffset, slot('0/10'), slot('0/30'), xlog('0/20')].join('\n'))).toEqual({
      slot: '0/10',
      snapshot: '0/20',
    });
    expect(snapshotPastSlot([noOffset, slot('0/20'), xlog('0/10'), xlog('0/30')].join('\n'))).toBeUndefined();
    // A new slot's snapshot ends the start too: a slot line after it belongs to no start without an offset.
    expect(snapshotPastSlot([noOffset, newSlot, xlog('0/10'), slot('0/08'), xlog('0/20')].join('\n'))).toBeUndefined();
  });
});
