import { describe, expect, it } from 'vitest';
import { startConsumerLag } from './consumer-lag.ts';
import { lagTargetFrom } from './sink-topics.ts';

describe('the consumer-lag target from the sink config', () => {
  it("takes the topics the sink reads, and Connect's group name", () => {
    expect(lagTargetFrom({ topics: 'shop.public.products' }, 'es-sink')).toEqual({
      group: 'connect-es-sink',
      topics: ['shop.public.products'],
    });
    expect(lagTargetFrom({ topics: ' a, b ,,c', 'consumer.override.group.id': 'mine' }, 's')).toEqual({
      group: 'mine',
      topics: ['a', 'b', 'c'],
    });
  });

  it('matches topics.regex against whole topic names', () => {
    const t = lagTargetFrom({ 'topics.regex': 'shop\\.public\\..*' }, 's');
    if ('unmeasurable' in t || !t.pattern) throw new Error('expected a pattern');
    expect(
      ['shop.public.products', 'xshop.public.products', 'shop.public.orders'].filter((n) => t.pattern?.test(n)),
    ).toEqual(['shop.public.products', 'shop.public.orders']);
  });

  it('says what it cannot measure', () => {
    expect(lagTargetFrom({}, 's')).toEqual({
      unmeasurable: 'the sink connector s names no topics (neither topics nor topics.regex)',
    });
    expect(lagTargetFrom({ 'topics.regex': '(' }, 's')).toMatchObject({
      unmeasurable: expect.stringContaining('topics.regex "("'),
    });
  });
});

describe('the consumer-lag observer', () => {
  it('says once what it cannot measure, and samples nothing', async () => {
    const lines: string[] = [];
    const emitted: unknown[] = [];
    const o = startConsumerLag({
      kafkaBootstrap: '127.0.0.1:1',
      target: async () => ({ unmeasurable: 'the sink connector s names no topics' }),
      emit: (x) => emitted.push(x),
      log: (l) => lines.push(l),
      everyMs: 10,
    });
    await new Promise((r) => setTimeout(r, 120));
    await o.stop();
    expect(lines).toEqual(['observe/consumer-lag: not measured this run: the sink connector s names no topics']);
    expect(emitted).toEqual([]);
    expect(o.failures()).toBe(0);
  });
});
