/**
 * One worker: one Postgres connection and the ops of the shards it owns, so no other worker ever touches its
 * ids. Its transactions run one after another on the server, and its entries are appended in that (commit)
 * order. The connection runs in pg's pipeline mode: a transaction's BEGIN, statements and COMMIT go out in one
 * write and cost one round trip instead of one per statement.
 */
import pg from 'pg';
import type { HistoryWriter } from '../record/history-file.ts';
import type { Effect, Outcome } from '../record/history.ts';
import type { AfterCommit, Committed } from './after-commit.ts';
import type { StepResult } from './effects.ts';
import { OpQueue } from './op-queue.ts';
import { errorText, isNotSentError, isRollbackError } from './outcome.ts';
import { closePolitely, destroy } from './pg-close.ts';
import type { AnyOp, StepCodec } from './step-codec.ts';
import type { DriverStats } from './stats.ts';
import { sleep } from './token-bucket.ts';

export interface WorkerContext<O extends AnyOp> {
  pgUrl: string;
  /** This worker's own (it holds the worker's beliefs). */
  codec: StepCodec<O>;
  history: HistoryWriter;
  /** Ops per transaction. */
  batch: number;
  /**
   * With batch = 1: up to this many queued single-op transactions are sent back to back without waiting for
   * each answer (still one after the other on the server, each with its own commit). 1 = strictly one at a time.
   */
  pipelineDepth: number;
  /** No answer within this → the connection is dropped and the op is unknown. Also the statement_timeout. */
  opTimeoutMs: number;
  connectTimeoutMs: number;
  /** Aborted at the deadline or on the caller's signal: finish the transaction in flight, send nothing new. */
  stop: AbortSignal;
  nextBatchId: () => number;
  stats: DriverStats;
  /** What the application writes after each transaction (outbox rows in a second transaction, dual writes). */
  afterCommit?: AfterCommit;
}

type SendResult = 'done' | 'not-sent';

export class Worker<O extends AnyOp> {
  readonly queue: OpQueue<O>;
  private client: pg.Client | null = null;
  private everConnected = false;

  constructor(
    readonly index: number,
    private readonly ctx: WorkerContext<O>,
  ) {
    this.queue = new OpQueue<O>(Math.max(64, ctx.batch * 4));
  }

  async run(): Promise<void> {
    const { batch, pipelineDepth } = this.ctx;
    try {
      for (;;) {
        let txns: O[][];
        if (batch > 1) {
          const group = await this.queue.take(batch);
          txns = group.length > 0 ? [group] : [];
        } else {
          // Transaction boundaries do not depend on timing here, so pipelining whatever is queued is safe.
          const first = await this.queue.take(1);
          const more = first.length > 0 && pipelineDepth > 1 ? this.queue.takeAvailable(pipelineDepth - 1) : [];
          txns = [...first, ...more].map((op) => [op]);
        }
        if (txns.length === 0 || this.ctx.stop.aborted) return;
        await this.execute(txns);
      }
    } finally {
      await this.close();
    }
  }

  private async execute(txns: O[][]): Promise<void> {
    for (;;) {
      const client = await this.connect();
      if (!client) return; // stopped while the database was unreachable: nothing was sent
      if ((await this.send(client, txns)) === 'done') return;
      this.drop(client);
      await sleep(50, this.ctx.stop); // the connection died before the write: don't spin if it keeps doing that
    }
  }

  /**
   * Sends transactions back to back in one write and records them in order. Each element of `txns` is the
   * ops of one Postgres transaction: a lone non-txn op runs as a single autocommit statement, anything else
   * inside BEGIN … COMMIT.
   */
  private async send(client: pg.Client, txns: O[][]): Promise<SendResult> {
    const { opTimeoutMs } = this.ctx;
    const sendMs = Date.now();
    const pending: Promise<{ settled: PromiseSettledResult<pg.QueryResult>[]; ackMs: number }>[] = [];
    // pg writes each query as it is queued; corked, everything leaves in one write (one syscall).
    const socket = client.connection.stream;
    socket.cork();
    try {
      for (const group of txns) {
        const queries = this.enqueue(client, group);
        pending.push(Promise.allSettled(queries).then((settled) => ({ settled, ackMs: Date.now() })));
      }
    } finally {
      socket.uncork();
    }

    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.drop(client);
    }, opTimeoutMs + 2_000); // after the server-side statement_timeout had its chance to fail it cleanly
    const answers = await Promise.all(pending);
    clearTimeout(timer);

    const all = answers.flatMap((a) => a.settled);
    if (all.some((s) => s.status === 'rejected' && !isRollbackError(s.reason))) {
      this.drop(client);
      if (all.every((s) => s.status === 'rejected' && isNotSentError(s.reason))) return 'not-sent';
    }
    const committed = txns.flatMap((group, i) => {
      const a = answers[i];
      return a ? [this.historyEntries(group, a.settled, sendMs, a.ackMs, timedOut)] : [];
    });
    const after = this.ctx.afterCommit;
    if (after) for (const txn of committed) await after(client, txn, () => this.drop(client));
    return 'done';
  }

  /**
   * A lone non-txn op runs as one autocommit statement, unless its outbox rows must be cleaned up before the
   * commit.
   */
  private wrapped(group: O[]): boolean {
    return group.length !== 1 || group[0]?.kind === 'txn' || this.ctx.codec.alwaysWrapped;
  }

  private enqueue(client: pg.Client, group: O[]): Promise<pg.QueryResult>[] {
    const wrapped = this.wrapped(group);
    // Build every statement first: if one cannot be built, nothing (no dangling BEGIN) has been queued.
    const configs = this.ctx.codec.statements(group);
    const queries: Promise<pg.QueryResult>[] = [];
    if (wrapped) queries.push(client.query('BEGIN'));
    for (const c of configs) queries.push(client.query(c));
    if (wrapped) queries.push(client.query('COMMIT'));
    return queries;
  }

  /** Classifies one transaction's answers and appends one history entry per op. */
  private historyEntries(
    group: O[],
    settled: PromiseSettledResult<pg.QueryResult>[],
    sendMs: number,
    ackMs: number,
    timedOut: boolean,
  ): Committed {
    const { opTimeoutMs, stats, codec } = this.ctx;
    const wrapped = this.wrapped(group);
    let rollback: unknown = undefined;
    let broken: unknown = undefined;
    for (const s of settled) {
      if (s.status === 'fulfilled') continue;
      if (isRollbackError(s.reason)) rollback ??= s.reason;
      else broken ??= s.reason;
    }

    let outcome: Outcome;
    let error: string | undefined;
    if (rollback !== undefined) {
      // An ERROR aborts the transaction: whatever happened to the connection afterwards, it cannot commit.
      outcome = 'failed';
      error = errorText(rollback);
    } else if (broken !== undefined) {
      outcome = 'unknown';
      error = timedOut ? `no answer within ${opTimeoutMs + 2_000} ms (${errorText(broken)})` : errorText(broken);
    } else {
      const commit = settled[settled.length - 1];
      const tag = commit?.status === 'fulfilled' ? commit.value.command : undefined;
      if (wrapped && tag !== 'COMMIT') {
        outcome = 'failed';
        error = `COMMIT answered ${tag ?? 'nothing'}`;
      } else {
        outcome = 'ok';
      }
    }

    stats.transactions++;
    if (error !== undefined) stats.error(error);
    const batch = group.length > 1 ? this.ctx.nextBatchId() : undefined;
    let at = wrapped ? 1 : 0; // index of the op's first statement result
    const all: Effect[] = [];
    for (const op of group) {
      const stepCount = codec.stepCount(op);
      let effects: Effect[] = [];
      let rowCounts: number[] | undefined;
      if (outcome === 'ok') {
        const results: StepResult[] = Array.from({ length: stepCount }, (_, k) => {
          const r = settled[at + k];
          return r?.status === 'fulfilled'
            ? { rows: r.value.rows, rowCount: r.value.rowCount }
            : { rows: [], rowCount: 0 };
        });
        effects = codec.committed(op, results);
        rowCounts = results.map((r) => r.rowCount ?? 0);
        for (const n of rowCounts) {
          if (n > 0) stats.rowsChanged += n;
          else stats.noopSteps++;
        }
      } else if (outcome === 'unknown') {
        effects = codec.intended(op);
      }
      at += stepCount;
      all.push(...effects);
      this.ctx.history.append({
        kind: op.kind,
        worker: this.index,
        request: codec.request(op),
        effects,
        sendMs,
        ackMs,
        outcome,
        ...(error !== undefined ? { error } : {}),
        ...(batch !== undefined ? { batch } : {}),
        ...(rowCounts ? { rowCounts } : {}),
      });
      stats.recorded++;
      stats.byKind[op.kind]++;
      stats.byOutcome[outcome]++;
    }
    return { outcome, effects: all };
  }

  /** The live connection, reconnecting with capped exponential backoff; null once stopped. */
  private async connect(): Promise<pg.Client | null> {
    const { stats } = this.ctx;
    for (let attempt = 0; !this.client; attempt++) {
      if (this.ctx.stop.aborted) return null;
      const c = new pg.Client({
        connectionString: this.ctx.pgUrl,
        pipeline: true,
        application_name: `outbox-chaos-workload-${this.index}`,
        keepAlive: true,
        keepAliveInitialDelayMillis: 5_000,
        connectionTimeoutMillis: this.ctx.connectTimeoutMs,
        statement_timeout: this.ctx.opTimeoutMs,
      });
      // Without an 'error' listener a dropped connection would be an uncaught exception.
      c.on('error', (e) => this.lost(c, e));
      c.on('end', () => this.lost(c));
      try {
        await c.connect();
        if (this.everConnected) stats.reconnects++;
        this.everConnected = true;
        this.client = c;
        stats.connected++;
      } catch (e) {
        stats.connectFailures++;
        stats.error(`connect: ${errorText(e)}`);
        destroy(c);
        const backoff = Math.min(2_000, 50 * 2 ** Math.min(attempt, 10));
        await sleep(backoff * (0.5 + Math.random() / 2), this.ctx.stop); // jitter: workers don't stampede
      }
    }
    return this.client;
  }

  private lost(c: pg.Client, e?: Error): void {
    if (this.client !== c) return;
    this.client = null;
    this.ctx.stats.connected--;
    if (e) this.ctx.stats.error(`connection: ${errorText(e)}`);
  }

  private drop(c: pg.Client): void {
    this.lost(c);
    destroy(c);
  }

  private async close(): Promise<void> {
    const c = this.client;
    if (!c) return;
    this.lost(c);
    await closePolitely(c);
  }
}
