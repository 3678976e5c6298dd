import { basename, join } from 'node:path';
import { stateRoot } from '../../harness/provision/paths.ts';
import { readState } from '../../harness/stack/state.ts';

/**
 * The integration files run on two workers, in two lanes. Most files share the one test stack of the global
 * setup and must not overlap: each holds that stack's lock for its whole run (test/tools/shared-stack-lock.ts).
 * The files named here start stacks of their own (own names, own port blocks) and run beside them. A file
 * missing from this list only loses time, never correctness: it waits for the lock.
 */
const OWN_STACK = [
  'zoo.int.test.ts',
  'lifecycle.int.test.ts',
  'plugin-path.int.test.ts',
  'containers.int.test.ts',
  'opensearch.int.test.ts',
];

/**
 * The shared stacks the global setup starts: a file that needs one takes whichever is free (shared-stack-lock.ts).
 * One by default; OUTBOX_CHAOS_TEST_SHARED_STACKS=2 starts two, so the shared lane's files run two at a time once
 * the other lane's are done (40.5 instead of ~44 min in one CI), but then a lag-sensitive file (capacity) can run
 * beside another on a machine already CPU-bound, and it failed so once. On a stack you started
 * (OUTBOX_CHAOS_TEST_REUSE) that one alone.
 */
export const SHARED_STACKS = [
  { name: 'test', portBase: Number(process.env.OUTBOX_CHAOS_TEST_PORT_BASE ?? 17500) },
  { name: 'test-2', portBase: Number(process.env.OUTBOX_CHAOS_TEST_PORT_BASE_2 ?? 17800) },
].slice(0, Number(process.env.OUTBOX_CHAOS_TEST_SHARED_STACKS ?? 1));

/** The names of the shared stacks the integration files may take. */
export function sharedStackNames(): string[] {
  const reuse = process.env.OUTBOX_CHAOS_TEST_REUSE;
  return reuse ? [reuse] : SHARED_STACKS.map((s) => s.name);
}

/** The stacks the zoo's and the cluster's files start (the global setup's Ctrl-C watcher stops them too). */
export const ZOO_STACK = {
  name: process.env.OUTBOX_CHAOS_TEST_ZOO_NAME ?? 'test-zoo',
  portBase: Number(process.env.OUTBOX_CHAOS_TEST_ZOO_PORT_BASE ?? 17700),
};
export const CLUSTER_STACK = {
  name: process.env.OUTBOX_CHAOS_TEST_CLUSTER_NAME ?? 'test-cluster',
  portBase: Number(process.env.OUTBOX_CHAOS_TEST_CLUSTER_PORT_BASE ?? 17600),
};
/** The cluster of Postgres 17 (failover slots) the cluster file starts once the first one is down. */
export const CLUSTER_PG17_STACK = {
  name: process.env.OUTBOX_CHAOS_TEST_CLUSTER17_NAME ?? 'test-cluster-pg17',
  portBase: Number(process.env.OUTBOX_CHAOS_TEST_CLUSTER17_PORT_BASE ?? 17640),
};
/** The OpenSearch stack of test/opensearch.int.test.ts (`--search opensearch`). */
export const OPENSEARCH_STACK = {
  name: process.env.OUTBOX_CHAOS_TEST_OS_NAME ?? 'test-os',
  portBase: Number(process.env.OUTBOX_CHAOS_TEST_OS_PORT_BASE ?? 17900),
};

/** The search engine of the stack the tests run on when you started it (OUTBOX_CHAOS_TEST_REUSE), if any. */
export function reusedSearch(): 'elasticsearch' | 'opensearch' | undefined {
  const name = process.env.OUTBOX_CHAOS_TEST_REUSE;
  if (!name) return undefined;
  return readState(join(stateRoot(), name))?.search ?? 'elasticsearch';
}

/**
 * Seconds each long file took in a fresh-clone CI run (2 cores): each lane's longest go first, so that the short
 * ones fill in at the end and the two workers finish together. A file not listed goes after them.
 */
const SECONDS: Readonly<Record<string, number>> = {
  'zoo.int.test.ts': 870,
  'containers.int.test.ts': 360,
  'scenarios.int.test.ts': 835,
  'own-tables.int.test.ts': 280,
  'capacity.int.test.ts': 215,
  'lifecycle.int.test.ts': 180,
  'external.int.test.ts': 165,
  'package.int.test.ts': 160,
  'partitioned.int.test.ts': 160,
  'opensearch.int.test.ts': 135,
  'outbox.int.test.ts': 135,
  'append.int.test.ts': 110,
  'exactly-once.int.test.ts': 75,
  'heartbeat.int.test.ts': 75,
};

/** Whether a test file runs on a stack of its own rather than the shared one. */
export function ownsStack(file: string): boolean {
  const name = basename(file);
  // On a stack you started (OUTBOX_CHAOS_TEST_REUSE), the zoo runs on that stack like everything else.
  if (name === 'zoo.int.test.ts' && process.env.OUTBOX_CHAOS_TEST_REUSE) return false;
  // The OpenSearch file too, when that stack runs OpenSearch (on an Elasticsearch one it still starts its own).
  if (name === 'opensearch.int.test.ts' && reusedSearch() === 'opensearch') return false;
  return OWN_STACK.includes(name);
}

/** The shared lane's and the own-stack lane's files alternately, each lane's longest first, else in the given order. */
export function laneOrder<T>(files: T[], path: (f: T) => string): T[] {
  const rank = (f: T): number => -(SECONDS[basename(path(f))] ?? 0);
  const lane = (own: boolean): T[] => files.filter((f) => ownsStack(path(f)) === own).sort((a, b) => rank(a) - rank(b));
  const [shared, own] = [lane(false), lane(true)];
  const out: T[] = [];
  for (let i = 0; i < Math.max(shared.length, own.length); i++)
    out.push(...[shared[i], own[i]].filter((f): f is T => f !== undefined));
  return out;
}
