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

/** The longest file of each lane goes first, so that the short ones fill in at the end. */
const FIRST = ['scenarios.int.test.ts', 'zoo.int.test.ts'];

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
  const rank = (f: T): number => (FIRST.includes(basename(path(f))) ? 0 : 1);
  const lane = (own: boolean): T[] => files.filter((f) => ownsStack(path(f)) === own).sort((a, b) => rank(a) - rank(b));
  const [shared, own] = [lane(false), lane(true)];
  const out: T[] = [];
  for (let i = 0; i < Math.max(shared.length, own.length); i++)
    out.push(...[shared[i], own[i]].filter((f): f is T => f !== undefined));
  return out;
}
