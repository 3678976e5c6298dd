import { createServer } from 'node:net';
import { ConfigError, EnvError } from '../util/errors.ts';
import { exec } from '../util/exec.ts';

/**
 * Every port the local stack binds, derived from one base so two stacks (or a user's own Postgres on 5432,
 * Kafka on 9092, Connect on 8083, ES on 9200, Toxiproxy on 8474) never collide with it.
 */
export interface PortPlan {
  postgres: number;
  kafka: number;
  kafkaController: number;
  /** The broker listener that sits behind the kafka proxy (advertised as the proxy's address). */
  kafkaProxiedUpstream: number;
  connect: number;
  elasticsearch: number;
  elasticsearchTransport: number;
  toxiproxy: number;
  proxyPostgres: number;
  proxyKafka: number;
  proxyElasticsearch: number;
}

export const DEFAULT_PORT_BASE = 17400;

export function portPlan(base: number = DEFAULT_PORT_BASE): PortPlan {
  if (!Number.isInteger(base) || base < 1024 || base > 65000) {
    throw new ConfigError(`port base ${base} is out of range`, 'use --port-base with a number between 1024 and 65000');
  }
  return {
    postgres: base,
    kafka: base + 1,
    kafkaController: base + 2,
    kafkaProxiedUpstream: base + 3,
    connect: base + 4,
    elasticsearch: base + 5,
    elasticsearchTransport: base + 6,
    toxiproxy: base + 7,
    proxyPostgres: base + 10,
    proxyKafka: base + 11,
    proxyElasticsearch: base + 12,
  };
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

async function holder(port: number): Promise<string> {
  const r = await exec('ss', ['-Hltnp', `sport = :${port}`]).catch(() => undefined);
  const m = r?.stdout.match(/users:\(\("([^"]+)",pid=(\d+)/);
  return m ? ` by ${m[1]} (pid ${m[2]})` : '';
}

/** Fails with the port, its purpose and its holder when any planned port is taken. */
export async function assertPortsFree(plan: PortPlan): Promise<void> {
  for (const [purpose, port] of Object.entries(plan)) {
    if (!(await portFree(port))) {
      throw new EnvError(
        `port ${port} (${purpose}) is already in use${await holder(port)}`,
        `stop that process, run \`outbox-chaos down\` if it is a stack of ours, or pick other ports with --port-base N (or OUTBOX_CHAOS_PORT_BASE)`,
      );
    }
  }
}

/** Waits until every port of the plan can be bound again; returns those still taken at the deadline. */
export async function waitPortsFree(plan: PortPlan, timeoutMs = 10_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const taken: number[] = [];
    for (const port of Object.values(plan)) if (!(await portFree(port))) taken.push(port);
    if (taken.length === 0 || Date.now() > deadline) return taken;
    await new Promise((r) => setTimeout(r, 200));
  }
}
