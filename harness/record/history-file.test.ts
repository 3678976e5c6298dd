import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryWriter, readHistory, type NewHistoryEntry } from './history-file.ts';
import type { HistoryEntry } from './history.ts';

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'oc-hist-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const entry = (i: number): NewHistoryEntry => ({
  kind: 'update',
  worker: i % 3,
  request: { n: i },
  effects: [
    {
      product_id: i,
      after: {
        product_id: i,
        name: `n${i} 😀`,
        description: i % 2 ? null : 'x'.repeat(i),
        price: '1.00',
        created_at: 1,
      },
    },
  ],
  sendMs: 1000 + i,
  ackMs: 1001 + i,
  outcome: 'ok',
});

async function collect(path: string, opts?: { skipTruncatedTail?: boolean }): Promise<HistoryEntry[]> {
  const out: HistoryEntry[] = [];
  for await (const e of readHistory(path, opts)) out.push(e);
  return out;
}

describe('HistoryWriter / readHistory', () => {
  it('assigns seq in append order and round-trips through the file', async () => {
    const path = join(await tmp(), 'run', 'history.jsonl');
    const seen: number[] = [];
    const w = await HistoryWriter.open(path, { chunkBytes: 4096, onEntry: (e) => seen.push(e.seq) });
    const written = Array.from({ length: 2000 }, (_, i) => w.append(entry(i)));
    await w.close();
    expect(written.map((e) => e.seq)).toEqual([...Array(2000).keys()]);
    expect(seen).toEqual(written.map((e) => e.seq));
    expect(await collect(path)).toEqual(written);
    expect(() => w.append(entry(0))).toThrow(/closed/);
  });

  it('flushes on a timer, so a run that dies keeps what it appended', async () => {
    const path = join(await tmp(), 'history.jsonl');
    const w = await HistoryWriter.open(path, { flushMs: 20 });
    w.append(entry(1));
    await new Promise((r) => setTimeout(r, 150));
    expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(2);
    await w.close();
  });

  it('skips a truncated last line by default, and says where a bad line is', async () => {
    const path = join(await tmp(), 'history.jsonl');
    const w = await HistoryWriter.open(path);
    w.append(entry(0));
    w.append(entry(1));
    await w.close();
    await appendFile(path, '{"seq":2,"kind":"upd');
    expect((await collect(path)).map((e) => e.seq)).toEqual([0, 1]);
    await expect(collect(path, { skipTruncatedTail: false })).rejects.toThrow(/history\.jsonl:3: not JSON/);

    const bad = join(await tmp(), 'bad.jsonl');
    await writeFile(bad, `${JSON.stringify({ seq: 0, kind: 'insert', outcome: 'ok', effects: [] })}\nnope\n{}\n`);
    await expect(collect(bad)).rejects.toThrow(/bad\.jsonl:2: not JSON/);
  });

  it('listener errors do not lose entries', async () => {
    const path = join(await tmp(), 'history.jsonl');
    const w = await HistoryWriter.open(path, {
      onEntry: () => {
        throw new Error('boom');
      },
    });
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      w.append(entry(0));
      w.append(entry(1));
    } finally {
      console.warn = warn;
    }
    await w.close();
    expect(await collect(path)).toHaveLength(2);
  });
});
