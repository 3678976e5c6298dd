import type { Emit } from '../record/samples-file.ts';
import type { Endpoints } from '../stack/endpoints.ts';
import { FailureLog, type LogLine } from './failure-log.ts';
import { startLoop } from './loop.ts';
import { ReconnectingPg } from './pg-conn.ts';

export interface SlotLagOptions {
  endpoints: Endpoints;
  slot: string;
  emit: Emit;
  log: LogLine;
  /** Default 1000 ms. */
  everyMs?: number;
}

export interface SlotLagObserver {
  /** Bytes from the latest successful sample; undefined when the latest attempt failed or found no slot. */
  latestBytes(): number | undefined;
  /** Whether a walsender held the slot at the latest successful sample; undefined as for latestBytes. */
  latestActive(): boolean | undefined;
  failures(): number;
  stop(): Promise<void>;
}

// confirmed_flush_lsn moves when Connect commits the source's offsets (offset.flush.interval.ms), so the
// curve is a staircase at that period, not a smooth line.
const SQL = `SELECT active, pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text AS bytes
  FROM pg_replication_slots WHERE slot_name = $1`;

/** Samples how far the connector's replication slot is behind the WAL, and whether a walsender holds it. */
export function startSlotLag(opts: SlotLagOptions): SlotLagObserver {
  const db = new ReconnectingPg({ ...opts.endpoints.pg, application_name: 'outbox-chaos-slot-lag' });
  const failures = new FailureLog('slot-lag', opts.log);
  let latest: number | undefined;
  let active: boolean | undefined;

  const loop = startLoop(
    opts.everyMs ?? 1000,
    async () => {
      if (!db.ready()) return;
      const r = await db.query<{ active: boolean; bytes: string | null }>(SQL, [opts.slot]);
      const row = r.rows[0];
      if (!row) throw new Error(`replication slot ${opts.slot} does not exist`);
      if (row.bytes === null) throw new Error(`replication slot ${opts.slot} has no confirmed_flush_lsn yet`);
      latest = Number(row.bytes);
      active = row.active;
      opts.emit({ t: Date.now(), kind: 'slot-lag', slot: opts.slot, bytes: latest, active: row.active });
      failures.ok();
    },
    (e) => {
      latest = undefined; // a stale figure would read as current on the progress line
      active = undefined;
      failures.fail(e);
    },
  );

  return {
    latestBytes: () => latest,
    latestActive: () => active,
    failures: () => failures.failures,
    async stop() {
      await loop.stop();
      await db.close();
    },
  };
}
