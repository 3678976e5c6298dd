import pg from 'pg';
import type { ClusterEndpoints, Endpoints } from '../stack/endpoints.ts';
import { ToxiproxyApi } from '../stack/toxiproxy-api.ts';
import { EnvError, errorMessage } from '../util/errors.ts';
import { defineFault } from './define.ts';
import { witness } from './evidence.ts';
import type { Fault, FaultContext } from './fault.ts';
import { postgresRoles } from './roles.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Node = ClusterEndpoints['postgres'][number];

async function onNode<T>(ep: Endpoints, n: Node, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({
    ...ep.pg,
    host: n.host,
    port: n.port,
    database: ep.pg.database,
    connectionTimeoutMillis: 3000,
  });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

interface SlotState {
  confirmed: string | null;
  active: boolean;
}

async function slotOn(ep: Endpoints, n: Node, slot: string): Promise<SlotState | undefined> {
  return onNode(ep, n, async (c) => {
    const r = await c.query<{ confirmed: string | null; active: boolean }>(
      'SELECT confirmed_flush_lsn::text AS confirmed, active FROM pg_replication_slots WHERE slot_name = $1',
      [slot],
    );
    return r.rows[0];
  });
}

/** Timeline notes of a failover start with this, so the report can find them (see scenario/run/cluster-notes.ts). */
export const FAILOVER_NOTE = 'failover:';

/**
 * A Postgres failover as an operator (or Patroni) does it, on a cluster: the pg proxies stop leading to the
 * primary (clients refused, Debezium's connection cut), its logical walsenders are ended, it is fenced by a
 * fast shutdown (which waits until the standby has every WAL record, so no committed transaction is lost in
 * Postgres), the standby is promoted, and both pg proxies (Debezium's and the application's) point at it.
 * Postgres 15 and 16 replicate no logical slot; on 17 a failover slot is copied to the standby (prepare waits
 * for the copy). Whether the connector's slot exists on the new primary, and when one appears there, is
 * watched and noted. The heal rebuilds the fenced node as the new primary's hot standby (a base backup), so
 * the next scenario again has a primary and a standby.
 */
export function failoverFault(id: string): Fault {
  let fenced: string | undefined;
  let promoted: string | undefined;
  let watching: Promise<void> | undefined;
  let stop = false;
  return defineFault({
    id,
    kind: 'postgres.failover',
    target: 'postgres',
    describe: () => 'failover: fence the primary, promote the standby, repoint the pg proxies',
    async prepare(ctx) {
      const c = ctx.endpoints.cluster;
      const roles = await postgresRoles(ctx);
      const from = c?.postgres.find((n) => n.member === roles.primary);
      const to = c?.postgres.find((n) => n.member === roles.standby);
      const ready = from && to ? await awaitFailoverSlotCopy(ctx, from, to, ctx.names.slot) : undefined;
      return ready && `postgres failover: ${ready}`;
    },
    async inject(ctx) {
      const c = ctx.endpoints.cluster;
      if (!c)
        throw new EnvError('postgres.failover needs a Postgres standby: a cluster', 'run with --topology cluster');
      const roles = await postgresRoles(ctx);
      const from = c.postgres.find((n) => n.member === roles.primary);
      const to = c.postgres.find((n) => n.member === roles.standby);
      if (!from || !to)
        throw new EnvError(
          `postgres.failover: needs a primary and a standby, found primary ${roles.primary ?? 'none'}, ` +
            `standby ${roles.standby ?? 'none'}`,
        );
      const handle = ctx.members?.[from.member];
      if (!handle?.stop)
        throw new EnvError(
          `postgres.failover: no control of ${from.member}'s process on this provider`,
          'run with --provider local (or containers) and --topology cluster',
        );
      const proxies = new ToxiproxyApi(ctx.endpoints.toxiproxyUrl);
      const slot = ctx.names.slot;
      const before = await slotOn(ctx.endpoints, from, slot).catch(() => undefined);
      const t0 = Date.now();
      for (const p of c.primaryProxies) await proxies.setEnabled(p, false);
      await onNode(ctx.endpoints, from, (q) =>
        q.query(
          'SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots ' +
            "WHERE slot_type = 'logical' AND active_pid IS NOT NULL",
        ),
      );
      const lastLsn = await onNode(
        ctx.endpoints,
        from,
        async (q) => (await q.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]?.lsn,
      );
      await handle.stop();
      fenced = from.member;
      const tFenced = Date.now();
      const at = await onNode(ctx.endpoints, to, async (q) => {
        await q.query('SELECT pg_promote(true, 60)');
        return (await q.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]?.lsn;
      });
      promoted = to.member;
      const led = [];
      for (const p of c.primaryProxies) led.push(await proxies.setUpstream(p, to.upstream, true));
      const primary = await onNode(ctx.endpoints, to, async (q) => {
        const r = await q.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby');
        return r.rows[0]?.standby === false;
      }).catch(() => false);
      const aimed = led.every((x) => x.upstream === to.upstream && x.enabled);
      witness(
        ctx,
        id,
        'standby-promoted',
        primary && aimed,
        `${to.member} ${primary ? 'out of recovery (a primary)' : 'still in recovery or unreachable'}; ` +
          led.map((x) => `${x.name} → ${x.upstream}${x.enabled ? '' : ' (disabled)'}`).join(', '),
      );
      const tPromoted = Date.now();
      const onNew = await slotOn(ctx.endpoints, to, slot).catch(() => undefined);
      const slotWas = before
        ? `slot ${slot} on ${from.member} at confirmed_flush_lsn ${before.confirmed} (WAL end ${lastLsn})`
        : `no slot ${slot} on ${from.member}`;
      ctx.record({
        t: tPromoted,
        kind: 'note',
        message:
          `${FAILOVER_NOTE} ${from.member} fenced at ${new Date(tFenced).toISOString()}, ` +
          `${to.member} promoted (WAL at ${at}); ${slotWas}; ` +
          `on ${to.member}: ` +
          (onNew ? `the slot exists (confirmed_flush_lsn ${onNew.confirmed})` : 'the slot does not exist'),
      });
      stop = false;
      if (!onNew) watching = watchSlot(ctx, to, slot, tPromoted, () => stop);
      return (
        `${from.member} fenced (${Date.now() - t0} ms: proxies off, walsenders ended, fast shutdown), ` +
        `${to.member} promoted in ${tPromoted - tFenced} ms, proxies ${c.primaryProxies.join(' and ')} → ${to.upstream}`
      );
    },
    async repair(ctx) {
      stop = true;
      await watching;
      watching = undefined;
      if (!fenced || !promoted) return;
      const h = ctx.members?.[fenced];
      const done = h?.rebuildAsStandbyOf
        ? await h.rebuildAsStandbyOf(promoted)
        : `${fenced} stays fenced (this provider cannot rebuild it)`;
      fenced = undefined;
      promoted = undefined;
      return done;
    },
  });
}

/** How long a failover's preparation waits for the standby's copy of a failover slot before giving up. */
const SLOT_SYNC_WAIT_MS = 90_000;

/**
 * On Postgres 17+, when the connector's slot is a failover slot: waits (before the workload) until the standby
 * holds a synchronized, persistent copy of it, and says how long that took (undefined when the slot is no
 * failover slot). A production slot has existed, and been copied, long before any failover; a run's slot is
 * seconds old. The standby's slot sync worker naps up to 30 s when idle, and copies a new slot only once the
 * primary's slot has moved past the standby's own horizon (its catalog_xmin advances at running-transactions
 * records, which pg_log_standby_snapshot writes at once instead of every 15 s). PostgreSQL's docs tell an
 * operator to check this before failing over. Without a copy in time the failover goes ahead anyway, and the
 * run shows what that costs.
 */
async function awaitFailoverSlotCopy(
  ctx: FaultContext,
  from: Node,
  to: Node,
  slot: string,
): Promise<string | undefined> {
  const ep = ctx.endpoints;
  const failover = await onNode(ep, from, async (q) => {
    // Before 17 the column does not exist: the query fails, and the slot is no failover slot.
    const r = await q.query<{ failover: boolean }>('SELECT failover FROM pg_replication_slots WHERE slot_name = $1', [
      slot,
    ]);
    return r.rows[0]?.failover === true;
  }).catch(() => false);
  if (!failover) return undefined;
  const t0 = Date.now();
  while (Date.now() - t0 < SLOT_SYNC_WAIT_MS) {
    const copy = await onNode(ep, to, async (q) => {
      const r = await q.query<{ confirmed: string | null }>(
        'SELECT confirmed_flush_lsn::text AS confirmed FROM pg_replication_slots ' +
          'WHERE slot_name = $1 AND synced AND NOT temporary',
        [slot],
      );
      return r.rows[0];
    }).catch(() => undefined);
    if (copy)
      return (
        `before the workload, ${to.member} held a synchronized copy of failover slot ${slot} ` +
        `(confirmed_flush_lsn ${copy.confirmed}) after a wait of ${Date.now() - t0} ms`
      );
    await onNode(ep, from, (q) => q.query('SELECT pg_log_standby_snapshot()')).catch(() => undefined);
    await sleep(500);
  }
  return (
    `${to.member} had no synchronized copy of failover slot ${slot} after ${SLOT_SYNC_WAIT_MS / 1000} s: ` +
    'the failover goes ahead without it'
  );
}

/** Notes when (and at which position) a slot of that name appears on the new primary, polling until healed. */
async function watchSlot(
  ctx: FaultContext,
  n: Node,
  slot: string,
  since: number,
  stopped: () => boolean,
): Promise<void> {
  while (!stopped()) {
    try {
      const s = await slotOn(ctx.endpoints, n, slot);
      if (s) {
        ctx.record({
          t: Date.now(),
          kind: 'note',
          message:
            `${FAILOVER_NOTE} slot ${slot} created on ${n.member} ` +
            `${((Date.now() - since) / 1000).toFixed(1)} s after the promotion, ` +
            `at confirmed_flush_lsn ${s.confirmed}: ` +
            `changes committed before that position, after the connector's last flushed offset, are never streamed`,
        });
        return;
      }
    } catch (err) {
      if (stopped()) return;
      ctx.record({
        t: Date.now(),
        kind: 'note',
        message: `${FAILOVER_NOTE} could not read slots on ${n.member}: ${errorMessage(err)}`,
      });
    }
    await sleep(250);
  }
  ctx.record({
    t: Date.now(),
    kind: 'note',
    message:
      `${FAILOVER_NOTE} slot ${slot} did not appear on ${n.member} while the failover lasted ` +
      `(${((Date.now() - since) / 1000).toFixed(1)} s)`,
  });
}
