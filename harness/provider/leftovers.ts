import { ConnectClient } from '../connect/client.ts';
import { dropRunTopics, resetPipeline } from '../pipeline/lifecycle.ts';
import { freshRunNames, RUN_TAG_PREFIX } from '../pipeline/run-names.ts';
import type { Endpoints } from '../stack/endpoints.ts';
import { withKafkaAdmin } from '../stack/kafka-admin.ts';
import { withPg } from '../stack/pg.ts';

/** Every object of a shared environment whose name could carry a run's tag. */
export interface Objects {
  connectors: string[];
  slots: string[];
  publications: string[];
  tables: string[];
  indices: string[];
  topics: string[];
}

/** A run's tag: the prefix, Date.now() in base 36 (8 digits until 2059), two random digits. */
const TAG = `${RUN_TAG_PREFIX}[0-9a-z]{10}`;

const PATTERNS: Record<keyof Objects, RegExp> = {
  connectors: new RegExp(`^(${TAG})-`),
  slots: new RegExp(`^(${TAG})$`),
  publications: new RegExp(`^(${TAG})_pub$`),
  tables: new RegExp(`^(${TAG})_products$`),
  indices: new RegExp(`^(${TAG})-products$`),
  topics: new RegExp(`^(?:__debezium-heartbeat\\.)?(${TAG})(?:\\.|$)`),
};

/** When the run that made a tag started. */
export function tagTime(tag: string): number {
  return parseInt(tag.slice(RUN_TAG_PREFIX.length, RUN_TAG_PREFIX.length + 8), 36);
}

export interface Leftover {
  tag: string;
  startedAt: number;
  objects: Objects;
}

/** The objects runs left behind (a crash, `--keep`), grouped by run, oldest first. */
export function findLeftovers(all: Objects): Leftover[] {
  const byTag = new Map<string, Leftover>();
  for (const kind of Object.keys(PATTERNS) as (keyof Objects)[]) {
    for (const name of all[kind]) {
      const tag = PATTERNS[kind].exec(name)?.[1];
      if (!tag) continue;
      let l = byTag.get(tag);
      if (!l) {
        l = {
          tag,
          startedAt: tagTime(tag),
          objects: { connectors: [], slots: [], publications: [], tables: [], indices: [], topics: [] },
        };
        byTag.set(tag, l);
      }
      l.objects[kind].push(name);
    }
  }
  return [...byTag.values()].sort((a, b) => a.startedAt - b.startedAt);
}

/** Lists the environment's objects, read-only. */
export async function listObjects(ep: Endpoints): Promise<Objects> {
  const [slots, publications, tables] = await withPg(ep, ep.pg.database, async (c) => {
    const names = async (sql: string) => (await c.query<{ n: string }>(sql)).rows.map((r) => r.n);
    return [
      await names('SELECT slot_name AS n FROM pg_replication_slots'),
      await names('SELECT pubname AS n FROM pg_publication'),
      await names("SELECT tablename AS n FROM pg_tables WHERE schemaname = 'public'"),
    ];
  });
  const r = await fetch(`${ep.esUrl}/_cat/indices?format=json&h=index`, { signal: AbortSignal.timeout(10_000) });
  const indices = ((await r.json()) as { index: string }[]).map((i) => i.index);
  const topics = await withKafkaAdmin(ep.kafkaBootstrap, (a) => a.listTopics());
  return { connectors: await new ConnectClient(ep.connectUrl).list(), slots, publications, tables, indices, topics };
}

/** Removes one run's leftovers the way the run itself would have at its end. */
export async function removeLeftover(ep: Endpoints, l: Leftover): Promise<void> {
  const names = freshRunNames(true, l.tag);
  await resetPipeline(ep, names, { everything: false, connectors: l.objects.connectors });
  await dropRunTopics(ep, names);
}
