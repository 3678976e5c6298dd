/**
 * The observers against a real stack: a few products written while they run for ~8 s, then the samples file
 * read back. Needs a running stack named by OUTBOX_CHAOS_TEST_STACK (`outbox-chaos up --detach --name X`);
 * skipped, saying so, without it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { registeredNames, restoreDefaultPipeline } from '../pipeline/lifecycle.ts';
import type { HistoryEntry, ProductRow } from '../record/history.ts';
import { nearestRank } from '../record/lag-summary.ts';
import type { Sample } from '../record/samples.ts';
import { findRunningStack } from '../stack/attach.ts';
import { startObservers } from './observers.ts';

const stackName = process.env['OUTBOX_CHAOS_TEST_STACK'];
const reason =
  'OUTBOX_CHAOS_TEST_STACK is not set (name of a stack started with `outbox-chaos up --detach --name <name>`)';
if (!stackName) console.warn(`[observe] stack test skipped: ${reason}`);

const RUN_MS = 8000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function toRow(r: Record<string, unknown>): ProductRow {
  return {
    product_id: Number(r['product_id']),
    name: String(r['name']),
    description: r['description'] === null ? null : String(r['description']),
    price: String(r['price']),
    created_at: r['created_at'] instanceof Date ? r['created_at'].getTime() : null,
  };
}

describe.skipIf(!stackName)(
  `observers against stack "${stackName ?? ''}"${stackName ? '' : ` — SKIPPED: ${reason}`}`,
  () => {
    it('samples probe lag, slot lag, consumer lag, connector states and op lag', async () => {
      const state = findRunningStack(stackName);
      if (!state)
        throw new Error(
          `no running stack "${stackName}": start it with \`outbox-chaos up --detach --name ${stackName}\``,
        );
      const ep = state.endpoints;
      // The file before this one on the stack may have left another definition's pipeline: the healthy one back.
      await restoreDefaultPipeline(ep);
      const dir = await mkdtemp(join(tmpdir(), 'obs-stack-'));
      const samplesPath = join(dir, 'samples.jsonl');
      const logLines: string[] = [];
      const db = new pg.Client({ ...ep.pg });
      await db.connect();
      const ids: number[] = [];
      try {
        const names = await registeredNames(ep);
        const obs = startObservers({
          endpoints: ep,
          names,
          samplesPath,
          opSampleEvery: 1,
          log: (l) => logLines.push(l),
        });
        let seq = 0;
        // An op per 250 ms over 10 products: each product is written every 2.5 s, longer than the lag, so most
        // tracked ops are seen rather than superseded.
        const until = Date.now() + RUN_MS;
        for (let i = 0; Date.now() < until; i++) {
          const sendMs = Date.now();
          const insert = ids.length < 10;
          const r = insert
            ? await db.query('INSERT INTO products (name, description, price) VALUES ($1, $2, $3) RETURNING *', [
                `obs-test ${i}`,
                'observer stack test',
                '19.9',
              ])
            : await db.query('UPDATE products SET name = $2, price = price + 1 WHERE product_id = $1 RETURNING *', [
                ids[i % ids.length],
                `obs-test ${i}`,
              ]);
          const ackMs = Date.now();
          const after = toRow(r.rows[0] as Record<string, unknown>);
          if (insert) ids.push(after.product_id);
          const entry: HistoryEntry = {
            seq: seq++,
            kind: insert ? 'insert' : 'update',
            worker: 0,
            request: {},
            effects: [{ product_id: after.product_id, after }],
            sendMs,
            ackMs,
            outcome: 'ok',
          };
          obs.trackOp(entry);
          obs.countOp();
          await sleep(250);
        }
        const latest = obs.latest();
        const summary = await obs.stop();
        const samples = (await readFile(samplesPath, 'utf8'))
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l) as Sample);
        const of = <K extends Sample['kind']>(k: K) =>
          samples.filter((s): s is Extract<Sample, { kind: K }> => s.kind === k);

        const e2e = of('e2e-lag').map((s) => s.lagMs);
        const sorted = [...e2e].sort((a, b) => a - b);
        console.log(
          `[observe] e2e-lag n=${e2e.length} p50=${nearestRank(sorted, 50)} p95=${nearestRank(sorted, 95)} ` +
            `max=${sorted.at(-1)} ms; ` +
            `probe poll interval achieved ${summary.probe?.meanPollIntervalMs?.toFixed(1)} ms (configured 50), ` +
            `writes ${summary.probe?.meanWriteIntervalMs?.toFixed(1)} ms; ` +
            `op-lag n=${of('op-lag').length} ${JSON.stringify(summary.ops)}; latest ${JSON.stringify(latest)}; ` +
            `log ${JSON.stringify(logLines)}`,
        );

        expect(e2e.length).toBeGreaterThan(10);
        for (const lag of e2e) {
          expect(lag).toBeGreaterThan(0);
          expect(lag).toBeLessThan(10_000);
        }
        expect(of('probe').length).toBeGreaterThan(20);
        expect(summary.probe?.caughtUp).toBe(true);
        expect(of('slot-lag').length).toBeGreaterThan(2);
        expect(of('slot-lag').every((s) => s.slot === names.slot && s.bytes >= 0)).toBe(true);
        expect(of('consumer-lag').length).toBeGreaterThan(2);
        // The topic may be empty when sampling starts (a fresh pipeline); the probe's writes must show by the end.
        expect(
          of('consumer-lag').every(
            (s) => s.group === 'connect-elasticsearch-sink-connector' && s.lag >= 0 && s.endOffset >= 0,
          ),
        ).toBe(true);
        expect(of('consumer-lag').at(-1)?.endOffset).toBeGreaterThan(0);
        const lastState = new Map(of('connector').map((s) => [s.name, s]));
        for (const name of ['product-connector', 'elasticsearch-sink-connector']) {
          const s = lastState.get(name);
          expect(s, `a sample for ${name}`).toBeDefined();
          expect([s?.state, ...(s?.tasks ?? [])], `${name}: ${s?.trace ?? ''}`).toEqual(['RUNNING', 'RUNNING']);
        }
        const opLags = of('op-lag');
        expect(opLags.length).toBeGreaterThan(5);
        for (const s of opLags) expect(s.lagMs).toBeGreaterThan(0);
        expect(of('op-rate').length).toBeGreaterThanOrEqual(6);
        expect(of('op-rate').some((s) => s.opsPerSec > 0)).toBe(true);
        expect(latest.connectorStates['elasticsearch-sink-connector']?.state).toBe('RUNNING');
        expect(summary.samplesDropped).toBe(0);
      } finally {
        if (ids.length > 0)
          await db.query('DELETE FROM products WHERE product_id = ANY($1)', [ids]).catch(() => undefined);
        await db.end();
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);
