/**
 * The critical path of a cold start: the chain of steps and program milestones that decided when both
 * connectors ran, so the next lever is visible. Inside `start services` the programs start side by side; the
 * last one to answer (Elasticsearch, or Kafka → Connect) is the path, split at its own log milestones.
 */

export interface Span {
  name: string;
  startMs: number;
  endMs: number;
}

export interface MilestoneAt {
  service: string;
  what: string;
  atMs: number;
}

export interface Segment {
  what: string;
  startMs: number;
  endMs: number;
}

function find(steps: readonly Span[], name: string): Span | undefined {
  return steps.find((s) => s.name === name || s.name.startsWith(`${name} (`));
}

/** Splits [from, to] at the service's milestones that fall inside it (in time order). */
function splitAt(
  label: string,
  from: number,
  to: number,
  milestones: readonly MilestoneAt[],
  service: string,
  whats: readonly string[],
): Segment[] {
  const cuts = milestones
    .filter((m) => m.service === service && whats.includes(m.what) && m.atMs > from && m.atMs < to)
    .sort((a, b) => a.atMs - b.atMs);
  const out: Segment[] = [];
  let at = from;
  let prev = 'start';
  for (const c of cuts) {
    out.push({ what: `${label}: ${prev} → ${c.what}`, startMs: at, endMs: c.atMs });
    at = c.atMs;
    prev = c.what;
  }
  out.push({ what: `${label}: ${prev} → ready`, startMs: at, endMs: to });
  return out;
}

const ES_CUTS = ['first log line (server JVM up)', 'modules loaded', 'node started'];
const KAFKA_CUTS = ['first log line (JVM up, log4j configured)', 'Kafka Server started'];
const CONNECT_CUTS = [
  'first log line (JVM up, log4j configured)',
  'plugin scan done',
  'REST server listening',
  'Kafka Connect started',
];

export function criticalPath(steps: readonly Span[], milestones: readonly MilestoneAt[]): Segment[] {
  const out: Segment[] = [];
  const provision = find(steps, 'provision');
  const services = find(steps, 'start services');
  const register = find(steps, 'register pipeline');
  if (provision) out.push({ what: 'provision (cache check)', startMs: provision.startMs, endMs: provision.endMs });
  if (services) {
    if (provision && services.startMs > provision.endMs)
      out.push({ what: 'stop leftovers, ports, data dirs', startMs: provision.endMs, endMs: services.startMs });
    const esWait = find(steps, 'elasticsearch');
    if (esWait && esWait.endMs - esWait.startMs > 50) {
      out.push(...splitAt('elasticsearch', services.startMs, esWait.endMs, milestones, 'elasticsearch', ES_CUTS));
    } else {
      const tox = find(steps, 'toxiproxy');
      const kafka = find(steps, 'kafka');
      const pg = find(steps, 'postgres');
      const connect = find(steps, 'connect');
      if (tox) out.push({ what: 'toxiproxy and its proxies', startMs: tox.startMs, endMs: tox.endMs });
      const first = kafka && pg && pg.endMs > kafka.endMs ? pg : kafka;
      if (first === pg && pg) out.push({ what: 'postgres: initdb, start', startMs: pg.startMs, endMs: pg.endMs });
      else if (kafka) out.push(...splitAt('kafka', kafka.startMs, kafka.endMs, milestones, 'kafka', KAFKA_CUTS));
      if (connect) out.push(...splitAt('connect', connect.startMs, connect.endMs, milestones, 'connect', CONNECT_CUTS));
    }
    if (register && register.startMs > services.endMs + 20)
      out.push({ what: '(between steps)', startMs: services.endMs, endMs: register.startMs });
  }
  if (register)
    out.push({ what: 'register source + sink → RUNNING', startMs: register.startMs, endMs: register.endMs });
  return out;
}
