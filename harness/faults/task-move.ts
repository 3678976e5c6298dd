import type { FaultContext } from './fault.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A connector's task that ran on a worker when the fault hit it. */
interface Held {
  connector: string;
  role: 'source' | 'sink';
  task: number;
}

/** The tasks of the pipeline's connectors that run on `workerId` now. */
export async function tasksOn(ctx: FaultContext, workerId: string): Promise<Held[]> {
  const out: Held[] = [];
  for (const role of ['source', 'sink'] as const) {
    const name = ctx.connectors[role];
    const st = await ctx.connect.status(name).catch(() => undefined);
    for (const t of st?.tasks ?? []) if (t.worker_id === workerId) out.push({ connector: name, role, task: t.id });
  }
  return out;
}

/** The member name of a worker id (`127.0.0.1:17404` → connect-1), else the id itself. */
function memberOf(ctx: FaultContext, workerId: string): string {
  return ctx.endpoints.cluster?.workers.find((w) => w.workerId === workerId)?.member ?? workerId;
}

/**
 * Polls Connect (through whichever worker answers) from `t0` until every task in `held` is RUNNING on a
 * worker other than `from`, or until `until()` says to stop; each move is written to the timeline as it
 * happens ("task moved: …"), and the result sums them up for the fault's own detail.
 */
export async function watchTaskMove(
  ctx: FaultContext,
  from: string,
  held: Held[],
  t0: number,
  until: () => boolean,
): Promise<string> {
  if (held.length === 0) return `no task of the pipeline ran on ${memberOf(ctx, from)}`;
  const moved = new Map<string, string>();
  const key = (h: Held) => `${h.role} task ${h.task}`;
  while (moved.size < held.length && !until()) {
    for (const h of held) {
      if (moved.has(key(h))) continue;
      const st = await ctx.connect.status(h.connector).catch(() => undefined);
      const t = st?.tasks.find((x) => x.id === h.task);
      if (t?.state === 'RUNNING' && t.worker_id !== from) {
        const line =
          `${key(h)} (${h.connector}) moved from ${memberOf(ctx, from)} to ${memberOf(ctx, t.worker_id)}: ` +
          `RUNNING there ${((Date.now() - t0) / 1000).toFixed(1)} s after the fault`;
        moved.set(key(h), line);
        ctx.record({ t: Date.now(), kind: 'note', message: `task moved: ${line}` });
      }
    }
    await sleep(200);
  }
  const stuck = held
    .filter((h) => !moved.has(key(h)))
    .map((h) => `${key(h)} did not move within ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return [...moved.values(), ...stuck].join('; ');
}
