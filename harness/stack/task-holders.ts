import type { Endpoints } from './endpoints.ts';
import { groupMembers, withKafkaAdmin } from './kafka-admin.ts';
import { withPg } from './pg.ts';

/**
 * Who holds a connector's work, as the services it talks to see it: a sink's consumers (the member ids of its
 * group, sorted) or a source's replication connection (the pid of the walsender streaming its slot). Empty when
 * nobody does (no member, no walsender, no such slot); undefined when it cannot be read.
 */
export async function taskHolders(
  ep: Endpoints,
  of: { group: string } | { slot: string },
): Promise<string[] | undefined> {
  try {
    if ('group' in of) {
      const g = await withKafkaAdmin(ep.kafkaBootstrap, (a) => groupMembers(a, of.group));
      return g.members.map((m) => m.memberId).sort();
    }
    const pid = await withPg(ep, ep.pg.database, async (c) => {
      const r = await c.query<{ pid: number | null }>(
        'SELECT active_pid AS pid FROM pg_replication_slots WHERE slot_name = $1',
        [of.slot],
      );
      return r.rows[0]?.pid ?? null;
    });
    return pid === null ? [] : [String(pid)];
  } catch {
    return undefined;
  }
}
