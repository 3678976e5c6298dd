import { withPg } from '../stack/pg.ts';
import { defineFault } from './define.ts';
import type { Fault, FaultContext } from './fault.ts';

/** The workload's connections name themselves so (workers and their setup); the harness's observers do not. */
export const APP_CONNECTIONS = 'outbox-chaos-workload-%';

/**
 * Terminates the application's own Postgres sessions (the workload's, by application_name) over a direct
 * connection, at the start and then every `everyMs` while the fault lasts: what a failover, a connection
 * pooler's restart or an idle-session killer does to an application, and what its crash looks like from
 * the database. Debezium's replication connection and the harness's observers are left alone. Whatever the
 * application had in flight on a killed session gets an error; what it does next is what is under test.
 */
export function appDisconnectFault(id: string, everyMs: number): Fault {
  let timer: NodeJS.Timeout | undefined;
  let rounds = 0;
  let sessions = 0;
  const kill = async (ctx: FaultContext): Promise<void> => {
    const ep = ctx.endpoints;
    const n = await withPg(ep, ep.pg.database, async (c) => {
      const r = await c.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE $1 AND datname = current_database() AND pid <> pg_backend_pid()',
        [APP_CONNECTIONS],
      );
      return r.rowCount ?? 0;
    });
    rounds++;
    sessions += n;
  };
  return defineFault({
    id,
    kind: 'postgres.app-disconnect',
    target: 'postgres',
    describe: () => `pg_terminate_backend of the application's sessions${everyMs > 0 ? `, every ${everyMs} ms` : ''}`,
    async inject(ctx) {
      await kill(ctx);
      if (everyMs > 0) {
        // A round that fails (Postgres busy) is skipped; the next one comes anyway.
        timer = setInterval(() => void kill(ctx).catch(() => undefined), everyMs);
      }
    },
    async repair() {
      if (timer === undefined && rounds === 0) return;
      clearInterval(timer);
      timer = undefined;
      const detail = `${sessions} application session(s) terminated in ${rounds} round(s)`;
      rounds = 0;
      sessions = 0;
      return detail;
    },
  });
}
