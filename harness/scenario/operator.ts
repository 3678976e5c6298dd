import type { ConnectClient } from '../connect/client.ts';
import type { TimelineEvent } from '../record/timeline.ts';
import type { OperatorRule } from './schema.ts';

/**
 * Plays the on-call operator: Kafka Connect never restarts a FAILED task by itself, so a scenario may say
 * that someone would restart it. Every intervention goes to the timeline, and the report shows it.
 */
export function startOperator(opts: {
  rules: OperatorRule[];
  connect: ConnectClient;
  connectors: { source: string; sink: string };
  record: (e: TimelineEvent) => void;
  everyMs?: number;
}): { stop(): void } {
  const failedSince = new Map<string, number>();
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy || opts.rules.length === 0) return;
    busy = true;
    try {
      for (const role of ['source', 'sink'] as const) {
        const name = opts.connectors[role];
        const rule = opts.rules.find((r) => r.connector === role || r.connector === 'any');
        if (!rule) continue;
        const st = await opts.connect.status(name).catch(() => undefined);
        const failed = st?.tasks.filter((t) => t.state === 'FAILED') ?? [];
        if (failed.length === 0 && st?.connector.state !== 'FAILED') {
          failedSince.delete(name);
          continue;
        }
        const since = failedSince.get(name) ?? Date.now();
        failedSince.set(name, since);
        if (Date.now() - since < rule.afterMs) continue;
        const trace = (failed[0]?.trace ?? st?.connector.trace ?? '').split('\n')[0] ?? '';
        await opts.connect.restart(name, { includeTasks: true, onlyFailed: true }).catch(() => undefined);
        opts.record({
          t: Date.now(),
          kind: 'operator',
          action: `restarted failed task(s) of ${name}`,
          reason: trace || 'task FAILED',
        });
        failedSince.delete(name);
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.everyMs ?? 1000);
  return { stop: () => clearInterval(timer) };
}
