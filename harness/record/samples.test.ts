import { describe, expect, it } from 'vitest';
import { witnessText, type AppendWitness } from './samples.ts';

describe('witnessText', () => {
  const w = (committed: string[], observed: AppendWitness['observed']): AppendWitness => ({
    table: 'ledger',
    key: '4',
    shape: 'lost',
    committed,
    observed,
  });

  it('names the row, the shape and both lists', () => {
    expect(witnessText(w(['t1', 't4', 't9'], ['t1', 't9']))).toBe(
      'ledger 4: lost, committed [t1 t4 t9], shown [t1 t9]',
    );
    expect(witnessText(w(['t1'], null))).toBe('ledger 4: lost, committed [t1], shown no document');
    expect(witnessText(w(['t1'], '"t1,t2"'))).toBe('ledger 4: lost, committed [t1], shown "t1,t2"');
  });

  it('cuts a long common start to its last two tokens', () => {
    const start = ['a', 'b', 'c', 'd', 'e'];
    expect(witnessText(w([...start, 'f', 'g'], [...start, 'g']))).toBe(
      'ledger 4: lost, committed […3 d e f g], shown […3 d e g]',
    );
    // Three in common: nothing cut.
    expect(witnessText(w(['a', 'b', 'c', 'x'], ['a', 'b', 'c']))).toBe(
      'ledger 4: lost, committed [a b c x], shown [a b c]',
    );
  });
});
