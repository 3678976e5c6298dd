import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Start-up milestones read back from the services' own logs (Kafka, Connect and Elasticsearch stamp every
 * line with local time to the millisecond), so a cold start can be split into the parts each program owns.
 */

export interface Milestone {
  service: string;
  what: string;
  t: number;
  /** A number the line carries (e.g. the plugin scan's own "took N ms"). */
  value?: number;
}

interface Pattern {
  what: string;
  re: RegExp;
  /** Take the last match instead of the first. */
  last?: boolean;
}

const PATTERNS: Record<string, Pattern[]> = {
  kafka: [
    { what: 'first log line (JVM up, log4j configured)', re: /./ },
    { what: 'controller starting', re: /\[ControllerServer id=\d+\] Starting controller/ },
    { what: 'broker starting', re: /\[BrokerServer id=\d+\] Starting broker/ },
    { what: 'group coordinator up', re: /\[GroupCoordinator id=\d+\] Startup complete/ },
    { what: 'Kafka Server started', re: /Kafka Server started/ },
  ],
  connect: [
    { what: 'first log line (JVM up, log4j configured)', re: /./ },
    { what: 'plugin scan done', re: /Scanning plugins with \w+ took (\d+) ms/ },
    { what: 'REST server listening', re: /REST server listening/ },
    { what: 'herder starting', re: /Herder starting/ },
    { what: 'internal topics read', re: /Started KafkaBasedLog for topic \S*connect-configs/ },
    { what: 'joined group (generation 1)', re: /Joined group at generation 1 / },
    { what: 'Kafka Connect started', re: /Kafka Connect started/ },
    { what: 'source connector starting', re: /Starting connector product-connector/ },
    {
      what: 'source task started',
      re: /WorkerSourceTask\{id=product-connector-0\} Source task finished initialization/,
    },
    { what: 'sink connector starting', re: /Starting connector elasticsearch-sink-connector/ },
    {
      what: 'sink task started',
      re: /WorkerSinkTask\{id=elasticsearch-sink-connector-0\} Sink task finished initialization/,
    },
  ],
  elasticsearch: [
    { what: 'first log line (server JVM up)', re: /./ },
    { what: 'modules loaded', re: /loaded module|modules \[/ },
    { what: 'transport bound', re: /TransportService.*publish_address/ },
    { what: 'node started', re: /\] started \{/ },
    { what: 'gateway recovered', re: /recovered \[\d+\] indices/ },
  ],
};

const STAMP = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)[,.](\d{3})\]/;

/** Epoch ms of a log line's leading `[yyyy-mm-ddThh:mm:ss,SSS]` (local time), or undefined. */
export function lineTime(line: string): number | undefined {
  const m = STAMP.exec(line);
  if (!m) return undefined;
  const t = new Date(`${m[1]}.${m[2]}`).getTime();
  return Number.isFinite(t) ? t : undefined;
}

export function milestonesIn(service: string, text: string, sinceMs = 0): Milestone[] {
  const patterns = PATTERNS[service] ?? [];
  const found = new Map<string, Milestone>();
  for (const line of text.split('\n')) {
    const t = lineTime(line);
    if (t === undefined || t < sinceMs) continue;
    for (const p of patterns) {
      if (!p.last && found.has(p.what)) continue;
      const m = p.re.exec(line);
      if (!m) continue;
      const value = m[1] !== undefined ? Number(m[1]) : undefined;
      found.set(p.what, {
        service,
        what: p.what,
        t,
        ...(value !== undefined && Number.isFinite(value) ? { value } : {}),
      });
    }
  }
  return [...found.values()].sort((a, b) => a.t - b.t);
}

/** Milestones of every service log in a stack's logs directory written since `sinceMs`. */
export function stackMilestones(stackDir: string, sinceMs: number): Milestone[] {
  const out: Milestone[] = [];
  for (const service of Object.keys(PATTERNS)) {
    const file = join(stackDir, 'logs', `${service}.log`);
    if (!existsSync(file)) continue;
    out.push(...milestonesIn(service, readFileSync(file, 'utf8'), sinceMs - 1000));
  }
  return out.sort((a, b) => a.t - b.t);
}
