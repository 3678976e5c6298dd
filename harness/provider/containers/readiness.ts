import type { Endpoints } from '../../stack/endpoints.ts';
import { withKafkaAdmin } from '../../stack/kafka-admin.ts';
import { withPg } from '../../stack/pg.ts';
import type { ProcessTarget } from '../../stack/targets.ts';

/**
 * Whether each service answers its protocol from the host. A TCP connect is no test here: Docker's proxy
 * for a published port accepts connections while the process behind it is down.
 */
export function readiness(ep: Endpoints): Record<ProcessTarget, () => Promise<boolean>> {
  const httpOk = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(3000) })).ok;
  return {
    postgres: () => withPg(ep, 'postgres', async (c) => (await c.query('SELECT 1')).rowCount === 1),
    // Metadata, then a connection to the broker it names (the PLAINTEXT listener's advertised address).
    kafka: () => withKafkaAdmin(ep.kafkaBootstrap, async (a) => (await a.describeCluster()).brokers.length > 0),
    // 200 only once the worker has joined its group and read its config topic.
    connect: () => httpOk(`${ep.connectUrl}/connectors`),
    elasticsearch: () => httpOk(`${ep.esUrl}/_cluster/health?wait_for_status=yellow&timeout=1s`),
  };
}

export const READY_TIMEOUT_MS: Record<ProcessTarget, number> = {
  postgres: 60_000,
  kafka: 120_000,
  connect: 180_000,
  elasticsearch: 180_000,
};
