import { describe, expect, it } from 'vitest';
import { freshRunNames } from '../pipeline/run-names.ts';
import { findLeftovers, tagTime, type Objects } from './leftovers.ts';

const empty = (): Objects => ({ connectors: [], slots: [], publications: [], tables: [], indices: [], topics: [] });

describe('leftovers of earlier runs', () => {
  it('reads the start time back from a tag', () => {
    const t = Date.UTC(2026, 10, 27, 12, 0, 0);
    const tag = freshRunNames(true, `oc${t.toString(36)}x7`).topicPrefix;
    expect(tagTime(tag)).toBe(t);
  });

  it('groups every object a run makes under its tag, and nothing else', () => {
    const a = freshRunNames(true, `oc${(1_700_000_000_000).toString(36)}a1`);
    const b = freshRunNames(true, `oc${(1_800_000_000_000).toString(36)}b2`);
    const all = empty();
    for (const n of [b, a]) {
      all.connectors.push(`${n.connectorPrefix}product-connector`, `${n.connectorPrefix}elasticsearch-sink-connector`);
      all.slots.push(n.slot);
      all.publications.push(n.publication);
      all.tables.push(n.table);
      all.indices.push(n.index);
      all.topics.push(`${n.topicPrefix}.public.${n.table}`, `__debezium-heartbeat.${n.topicPrefix}`);
    }
    // Somebody else's objects, some of them named much like ours.
    all.connectors.push('product-connector', 'ocean-sink');
    all.slots.push('debezium', 'oc_orders');
    all.publications.push('product_publication');
    all.tables.push('products', 'occupancy_products');
    all.indices.push('products', '.kibana');
    all.topics.push('outbox.public.products', '__consumer_offsets', 'oc.events');

    const found = findLeftovers(all);
    expect(found.map((l) => l.tag)).toEqual([a.topicPrefix, b.topicPrefix]);
    expect(found[0]?.objects).toEqual({
      connectors: [`${a.connectorPrefix}product-connector`, `${a.connectorPrefix}elasticsearch-sink-connector`],
      slots: [a.slot],
      publications: [a.publication],
      tables: [a.table],
      indices: [a.index],
      topics: [`${a.topicPrefix}.public.${a.table}`, `__debezium-heartbeat.${a.topicPrefix}`],
    });
    expect(found.flatMap((l) => Object.values(l.objects).flat())).toHaveLength(16);
  });
});
