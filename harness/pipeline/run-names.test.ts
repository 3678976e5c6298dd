import { describe, expect, it } from 'vitest';
import { freshRunNames, RUN_TAG_PREFIX } from './run-names.ts';

describe('run names', () => {
  it('keep the fixed object names on a stack of our own, with fresh topic and slot names', () => {
    const a = freshRunNames(false);
    expect(a).toMatchObject({
      table: 'products',
      publication: 'product_publication',
      index: 'products',
      connectorPrefix: '',
    });
    expect(a.topicPrefix).not.toBe(freshRunNames(false).topicPrefix);
  });

  it('tag every object on a shared environment, in names each system accepts', () => {
    const n = freshRunNames(true);
    const tag = n.topicPrefix;
    expect(tag.startsWith(RUN_TAG_PREFIX)).toBe(true);
    // Postgres slot names: lower-case letters, digits, underscore; identifiers up to 63 bytes.
    expect(n.slot).toMatch(/^[a-z0-9_]{1,63}$/);
    for (const ident of [n.table, n.publication]) expect(ident).toMatch(/^[a-z][a-z0-9_]{0,62}$/);
    // Elasticsearch index names: lower case, no leading -, _ or +.
    expect(n.index).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
    for (const v of [n.table, n.publication, n.index, n.connectorPrefix]) expect(v.startsWith(tag)).toBe(true);
  });
});
