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

// The offset a task resumes from: logged when found, or named by the error when the slot no longer holds it.
const OFFSET =
  /(?:Found previous offset|trying to read change stream starting at) .*?\blsn=LSN\{([0-9A-F]+\/[0-9A-F]+)\}/;
const SLOT = /Obtained valid replication slot .*?\blatestFlushedLsn=LSN\{([0-9A-F]+\/[0-9A-F]+)\}/;

/** An LSN (`hi/lo`, hexadecimal) as one number. */
export function lsnValue(lsn: string): bigint {
  const [hi = '0', lo = '0'] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

/**
 * The first task start in the log whose slot is ahead of the offset it resumed from: the changes between were
 * never streamed to this connector (the slot was created again, or advanced, while it was away). A start logs
 * the two in either order (the offset first when it is found; the slot first when the task then fails on an
 * offset the slot no longer holds); each offset line pairs with one slot line, the nearest unpaired one.
 */
export function slotAheadOfOffset(log: string): SlotAhead | undefined {
  let offset: string | undefined;
  let slot: string | undefined;
  for (const line of log.split('\n')) {
    const o = OFFSET.exec(line)?.[1];
    const s = o === undefined ? SLOT.exec(line)?.[1] : undefined;
    if (o !== undefined) offset = o;
    if (s !== undefined) slot = s;
    if (offset === undefined || slot === undefined) continue;
    if (lsnValue(slot) > lsnValue(offset)) return { offset, slot };
    offset = slot = undefined;
  }
  return undefined;
}
