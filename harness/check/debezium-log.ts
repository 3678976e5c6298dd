/**
 * What Debezium's Postgres connector logs at task start, read from the run's Connect log slice: its stored
 * offset's LSN ("Found previous offset … lsn=LSN{…}") and the slot's confirmed position ("Obtained valid
 * replication slot … latestFlushedLsn=LSN{…}"). Pure: unit-tested on log text.
 */

/** A task start whose slot had confirmed more than the connector's stored offset holds. */
export interface SlotAhead {
  offset: string;
  slot: string;
}

// The offset a task resumes from, when found at its start; and as the error names it when the slot no longer
// holds it (after the slot line of that start).
const FOUND = /Found previous offset .*?\blsn=LSN\{([0-9A-F]+\/[0-9A-F]+)\}/;
const REFUSED = /trying to read change stream starting at .*?\blsn=LSN\{([0-9A-F]+\/[0-9A-F]+)\}/;
const SLOT = /Obtained valid replication slot .*?\blatestFlushedLsn=LSN\{([0-9A-F]+\/[0-9A-F]+)\}/;

/** An LSN (`hi/lo`, hexadecimal) as one number. */
export function lsnValue(lsn: string): bigint {
  const [hi = '0', lo = '0'] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

/**
 * The first task start in the log whose slot is ahead of the offset it resumed from: the changes between were
 * never streamed to this connector (the slot was created again, or advanced, while it was away). A start that
 * finds its offset logs it before the slot; one that then fails on an offset the slot no longer holds names the
 * offset after the slot, in its error.
 */
export function slotAheadOfOffset(log: string): SlotAhead | undefined {
  let found: string | undefined;
  let slot: string | undefined;
  const ahead = (offset: string, at: string): SlotAhead | undefined =>
    lsnValue(at) > lsnValue(offset) ? { offset, slot: at } : undefined;
  for (const line of log.split('\n')) {
    const f = FOUND.exec(line)?.[1];
    if (f !== undefined) {
      // A new start: whatever slot line came before belongs to an earlier one.
      [found, slot] = [f, undefined];
      continue;
    }
    const s = SLOT.exec(line)?.[1];
    if (s !== undefined) {
      const hit = found !== undefined ? ahead(found, s) : undefined;
      if (hit) return hit;
      [found, slot] = [undefined, s];
      continue;
    }
    const r = REFUSED.exec(line)?.[1];
    const hit = r !== undefined && slot !== undefined ? ahead(r, slot) : undefined;
    if (hit) return hit;
  }
  return undefined;
}

/** A task start without a stored offset, on a slot that already existed, that snapshotted from a later LSN. */
export interface SnapshotPastSlot {
  slot: string;
  snapshot: string;
}

const NO_OFFSET = /No previous offset found/;
const XLOG_START = /Read xlogStart at 'LSN\{([0-9A-F]+\/[0-9A-F]+)\}'/;

/**
 * The first task start that found no offset (first registration, or offsets reset) while its slot already held
 * a confirmed position, and took its snapshot from a later LSN: streaming then starts at the snapshot's LSN, so
 * changes between the two are never streamed. Updates and inserts among them are in the snapshot; deletes are
 * not (the rows are gone, and a snapshot cannot delete), so their documents stay. A new slot logs
 * `latestFlushedLsn=null`.
 */
export function snapshotPastSlot(log: string): SnapshotPastSlot | undefined {
  let slot: string | undefined;
  let fresh = false;
  for (const line of log.split('\n')) {
    if (NO_OFFSET.test(line)) {
      [fresh, slot] = [true, undefined];
      continue;
    }
    if (!fresh) continue;
    const s = SLOT.exec(line)?.[1];
    if (s !== undefined && slot === undefined) {
      slot = s;
      continue;
    }
    const x = XLOG_START.exec(line)?.[1];
    if (x !== undefined) {
      if (slot !== undefined && lsnValue(x) > lsnValue(slot)) return { slot, snapshot: x };
      fresh = false;
    }
  }
  return undefined;
}
