import { requireRunningStack } from '../stack/attach.ts';
import { parse } from './args.ts';

export const ENV_HELP = `outbox-chaos env [--name NAME]

Prints the running stack's endpoints as shell exports, so the usual psql and curl commands work:
  eval "$(npx outbox-chaos env)"
  psql "$PG_URL" -c 'SELECT count(*) FROM products'
  curl "$CONNECT_URL/connectors"
  curl "$ES_URL/_cat/indices?v"`;

export async function envCommand(argv: string[]): Promise<number> {
  const { values } = parse('env', argv, { name: { type: 'string' } });
  if (values.help) {
    console.log(ENV_HELP);
    return 0;
  }
  const s = requireRunningStack(values.name as string | undefined);
  const e = s.endpoints;
  const vars: Record<string, string> = {
    PG_URL: e.pgUrl,
    PGHOST: e.pg.host,
    PGPORT: String(e.pg.port),
    PGUSER: e.pg.user,
    PGPASSWORD: e.pg.password,
    PGDATABASE: e.pg.database,
    KAFKA_BOOTSTRAP: e.kafkaBootstrap,
    CONNECT_URL: e.connectUrl,
    ES_URL: e.esUrl,
    TOXIPROXY_URL: e.toxiproxyUrl,
  };
  for (const [k, v] of Object.entries(vars)) console.log(`export ${k}='${v}'`);
  return 0;
}
