/**
 * The names of everything a run creates. Topic prefix and slot differ per run, so a reset never waits for
 * Kafka or Postgres to forget the last run. On an environment the harness does not own (scoped), every
 * object carries the run's tag, so the run can tell its own objects from everyone else's.
 */
export interface RunNames {
  topicPrefix: string;
  slot: string;
  index: string;
  table: string;
  publication: string;
  /** The outbox table of an outbox pipeline (${OUTBOX_TABLE}). */
  outboxTable: string;
  /** Put before the definition's connector names ('' on a stack of our own). */
  connectorPrefix: string;
}

const FIXED = {
  index: 'products',
  table: 'products',
  publication: 'product_publication',
  outboxTable: 'outbox',
  connectorPrefix: '',
};

export function defaultRunNames(): RunNames {
  return { topicPrefix: 'outbox', slot: 'outbox_chaos_products', ...FIXED };
}

/** Every tag starts with this, so leftovers of crashed runs can be listed on a shared environment. */
export const RUN_TAG_PREFIX = 'oc';

/** The prefix, the start time in base 36, two random base-36 digits (two harnesses starting in one ms). */
function newRunTag(): string {
  const random = Math.floor(Math.random() * 36 ** 2)
    .toString(36)
    .padStart(2, '0');
  return `${RUN_TAG_PREFIX}${Date.now().toString(36)}${random}`;
}

export function freshRunNames(scoped: boolean, tag = newRunTag()): RunNames {
  if (!scoped) return { topicPrefix: tag, slot: tag, ...FIXED };
  return {
    topicPrefix: tag,
    slot: tag,
    index: `${tag}-products`,
    table: `${tag}_products`,
    publication: `${tag}_pub`,
    outboxTable: `${tag}_outbox`,
    connectorPrefix: `${tag}-`,
  };
}
