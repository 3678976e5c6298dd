/**
 * Applies the generated stream to Postgres and records every op in the history.
 *
 *   generator ─▶ dispatcher (token bucket, maxOps, deadline) ─▶ queue per worker (shard % concurrency)
 *                                                               ─▶ worker: own connection, one txn at a time
 *
 * The stream and the batches (consecutive chunks of each worker's ops) are the same in every run with the same
 * seed and profile; only timing and outcomes differ.
 */
import type { TableModel } from '../model/table.ts';
import type { HistoryWriter } from '../record/history-file.ts';
import type { OpKind, Outcome } from '../record/history.ts';
import { afterCommitFor, inTransactionOutbox, type ApplicationWrites } from './after-commit.ts';
import { OpGenerator } from './generate.ts';
import { OpHasher } from './op-hash.ts';
import type { Op } from './ops.ts';
import type { TableOp } from './tables/ops.ts';
import { parseProfile, type IdRange, type WorkloadProfile } from './profile.ts';
import { prepareTable } from './setup.ts';
import { Statements } from './sql.ts';
import { DriverStats } from './stats.ts';
import { ProductCodec, type AnyOp, type StepCodec } from './step-codec.ts';
import { TableCodec, TableOpHasher } from './tables/codec.ts';
import { TableOpGenerator } from './tables/generate.ts';
import { TableStatements } from './tables/statements.ts';
import { TokenBucket } from './token-bucket.ts';
import { Worker } from './worker.ts';

export interface RunWorkloadOptions {
  pgUrl: string;
  /** Default "products"; "schema.table" allowed. */
  table?: string;
  /**
   * Run the table workload on these tables (models read from the catalog, model/catalog.ts) instead of
   * products': keys, types and foreign keys from the models. Not with `table` nor an application's own writes.
   */
  tables?: readonly TableModel[];
  seed: number;
  profile: WorkloadProfile;
  history: HistoryWriter;
  /** Stops the workload early: the transactions in flight finish, nothing new is sent. */
  signal?: AbortSignal;
  onProgress?: (progress: WorkloadProgress) => void;
  /** Default 1000. */
  progressIntervalMs?: number;
  /** Server statement_timeout; no answer within this + 2 s → connection dropped, op unknown. Default 10000. */
  opTimeoutMs?: number;
  /** Default 5000. */
  connectTimeoutMs?: number;
  /**
   * Single-op mode (batch = 1): how many queued transactions a worker may have in flight on its connection
   * (sent back to back, answered in order). Default 1: one transaction at a time, like a plain application.
   */
  pipelineDepth?: number;
  /** Run even if the id range already holds rows (they are then treated as unknown). Default false. */
  allowExistingRows?: boolean;
  /**
   * What the application writes besides the products row (outbox rows, Elasticsearch documents).
   * Default cdc: nothing.
   */
  app?: ApplicationWrites;
}

export interface WorkloadProgress {
  elapsedMs: number;
  /** Ops handed to workers / recorded in the history. */
  dispatched: number;
  recorded: number;
  byOutcome: Record<Outcome, number>;
  /** Recorded ops per second since the previous progress report. */
  opsPerSec: number;
  connectedWorkers: number;
  reconnects: number;
  lastError: string | null;
}

export type StopReason = 'duration' | 'abort' | 'maxOps' | 'exhausted' | 'error';

export interface WorkloadSummary {
  seed: number;
  /** = workloadHash(seed, profile, opsGenerated); for tables, tableWorkloadHash(seed, profile, tables, n). */
  workloadHash: string;
  /** Ops taken from the generator and handed to workers (some may be dropped unsent at the deadline). */
  opsGenerated: number;
  /** Ops recorded in the history (= sent). */
  opsRecorded: number;
  byKind: Record<OpKind, number>;
  byOutcome: Record<Outcome, number>;
  /** Postgres transactions attempted. */
  transactions: number;
  rowsChanged: number;
  /** Statements of ok ops that matched no row (their row's insert failed, was unknown, ...). */
  noopSteps: number;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  opsPerSec: number;
  transactionsPerSec: number;
  reconnects: number;
  connectFailures: number;
  stoppedBy: StopReason;
  errors: { message: string; count: number }[];
  ids: IdRange;
  sequence: string | null;
  /** False when the database could not be reached before the workload had to stop (nothing was sent). */
  prepared: boolean;
  /** An application that writes elsewhere too (outbox rows after the commit, dual writes): how that went. */
  app?: { kind: ApplicationWrites['kind']; written: number; failed: number; skipped: number };
}

export async function runWorkload(o: RunWorkloadOptions): Promise<WorkloadSummary> {
  // Typed callers can still hand over nonsense (concurrency 0 would divide by zero): check before connecting.
  const profile = parseProfile(o.profile);
  if (!Number.isSafeInteger(o.seed)) throw new Error(`seed must be a safe integer, got ${o.seed}`);
  const app = o.app ?? { kind: 'cdc' };
  const tables = o.tables;
  if (tables !== undefined) {
    if (app.kind !== 'cdc')
      throw new Error(
        `the table workload writes no ${app.kind} application rows: run it with the cdc application, ` +
          'or run the products workload',
      );
    if (o.table !== undefined) throw new Error('name the tables by their models (tables), not with table as well');
    if (tables.length === 0) throw new Error('tables is empty: name at least one captured table');
  }
  const table = tables !== undefined ? tables.map((t) => t.name).join(', ') : (o.table ?? 'products');
  // Validates the names (and builds the generator, which refuses what it cannot write) before anything connects.
  const run: Run<AnyOp> =
    tables !== undefined
      ? tableRun(o.seed, profile, tables)
      : (productRun(o.seed, profile, new Statements(table, inTransactionOutbox(app, table))) as Run<AnyOp>);
  const opTimeoutMs = o.opTimeoutMs ?? 10_000;
  const connectTimeoutMs = o.connectTimeoutMs ?? 5_000;
  const startedAt = Date.now();
  const stats = new DriverStats();

  const stopCtl = new AbortController();
  let stoppedBy: StopReason | null = null;
  const stop = (why: StopReason): void => {
    stoppedBy ??= why;
    stopCtl.abort();
  };
  const deadline = setTimeout(() => stop('duration'), profile.durationMs);
  const onAbort = (): void => stop('abort');
  if (o.signal?.aborted) stop('abort');
  o.signal?.addEventListener('abort', onAbort, { once: true });

  const hasher = run.hasher;
  let progressTimer: NodeJS.Timeout | undefined;
  let prepared = null;
  try {
    prepared = await prepareTable({
      pgUrl: o.pgUrl,
      table,
      ids: profile.ids,
      ...(tables !== undefined ? { models: tables } : {}),
      allowExistingRows: o.allowExistingRows ?? false,
      connectTimeoutMs,
      stop: stopCtl.signal,
      stats,
    });
    if (prepared) {
      let batchIds = 0;
      const workers = Array.from(
        { length: profile.concurrency },
        (_, i) =>
          new Worker(i, {
            pgUrl: o.pgUrl,
            codec: run.codec(),
            history: o.history,
            batch: profile.batch,
            pipelineDepth: Math.min(1_000, Math.max(1, Math.floor(o.pipelineDepth ?? 1))),
            opTimeoutMs,
            connectTimeoutMs,
            stop: stopCtl.signal,
            nextBatchId: () => batchIds++,
            stats,
            ...(tables === undefined ? { afterCommit: afterCommitFor(app, table, stats, opTimeoutMs) } : {}),
          }),
      );
      stopCtl.signal.addEventListener('abort', () => workers.forEach((w) => w.queue.stop()), { once: true });
      progressTimer = startProgress(o, startedAt, hasher, stats);
      const running = workers.map((w) =>
        w.run().catch((e: unknown) => {
          stop('error'); // e.g. the history file failed: no point going on
          throw e;
        }),
      );
      let dispatchError: unknown = undefined;
      try {
        const natural = await dispatch(run.generator, profile, workers, hasher, stopCtl.signal, o.history);
        if (natural) {
          stoppedBy ??= natural;
          workers.forEach((w) => w.queue.close()); // workers drain what is queued, then end
        }
      } catch (e) {
        dispatchError = e;
        stop('error');
      }
      // Always wait for the workers, so no connection or transaction outlives the call.
      const results = await Promise.allSettled(running);
      if (dispatchError !== undefined) throw dispatchError;
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
  } finally {
    stopCtl.abort(); // idempotent; releases anything still waiting on the stop signal
    clearTimeout(deadline);
    clearInterval(progressTimer);
    o.signal?.removeEventListener('abort', onAbort);
  }

  const endedAt = Date.now();
  const seconds = Math.max(0.001, (endedAt - startedAt) / 1000);
  return {
    seed: o.seed,
    workloadHash: hasher.digest(),
    opsGenerated: hasher.count,
    opsRecorded: stats.recorded,
    byKind: stats.byKind,
    byOutcome: stats.byOutcome,
    transactions: stats.transactions,
    rowsChanged: stats.rowsChanged,
    noopSteps: stats.noopSteps,
    startedAt,
    endedAt,
    durationMs: endedAt - startedAt,
    opsPerSec: stats.recorded / seconds,
    transactionsPerSec: stats.transactions / seconds,
    reconnects: stats.reconnects,
    connectFailures: stats.connectFailures,
    stoppedBy: stoppedBy ?? 'duration',
    errors: stats.topErrors(),
    ids: profile.ids,
    sequence: prepared?.sequence ?? null,
    prepared: prepared !== null,
    ...(app.kind === 'cdc' ? {} : { app: { kind: app.kind, ...stats.app } }),
  };
}

/** What the driver runs: products' ops or a table workload's, each with its generator, hasher and codecs. */
interface Run<O extends AnyOp> {
  generator: Iterator<O>;
  hasher: Hasher<O>;
  /** A new codec for each worker (it holds the worker's beliefs). */
  codec: () => StepCodec<O>;
}

interface Hasher<O> {
  count: number;
  update(op: O): void;
  digest(): string;
}

function productRun(seed: number, profile: WorkloadProfile, statements: Statements): Run<Op> {
  return {
    generator: new OpGenerator(seed, profile),
    hasher: new OpHasher(),
    codec: () => new ProductCodec(statements),
  };
}

function tableRun(seed: number, profile: WorkloadProfile, tables: readonly TableModel[]): Run<TableOp> {
  const statements = new TableStatements(tables);
  return {
    generator: new TableOpGenerator(seed, profile, tables),
    hasher: new TableOpHasher(),
    codec: () => new TableCodec(statements),
  };
}

/** Feeds the stream to the workers. Returns why it ended on its own, or null when it was stopped. */
async function dispatch<O extends AnyOp>(
  gen: Iterator<O>,
  profile: WorkloadProfile,
  workers: Worker<O>[],
  hasher: Hasher<O>,
  stop: AbortSignal,
  history: HistoryWriter,
): Promise<StopReason | null> {
  const bucket = new TokenBucket(profile.ratePerSec);
  for (;;) {
    if (stop.aborted) return null;
    if (profile.maxOps > 0 && hasher.count >= profile.maxOps) return 'maxOps';
    const next = gen.next();
    if (next.done) return 'exhausted';
    const op = next.value;
    if (!(await bucket.take(stop))) return null;
    await history.ready(); // a slow disk slows the workload rather than filling memory
    const worker = workers[op.shard % workers.length]!;
    if (!(await worker.queue.push(op))) return null;
    hasher.update(op);
  }
}

function startProgress(
  o: RunWorkloadOptions,
  startedAt: number,
  hasher: Hasher<AnyOp>,
  stats: DriverStats,
): NodeJS.Timeout | undefined {
  const onProgress = o.onProgress;
  if (!onProgress) return undefined;
  let lastRecorded = 0;
  let lastAt = startedAt;
  return setInterval(() => {
    const now = Date.now();
    const progress: WorkloadProgress = {
      elapsedMs: now - startedAt,
      dispatched: hasher.count,
      recorded: stats.recorded,
      byOutcome: { ...stats.byOutcome },
      opsPerSec: ((stats.recorded - lastRecorded) * 1000) / Math.max(1, now - lastAt),
      connectedWorkers: stats.connected,
      reconnects: stats.reconnects,
      lastError: stats.lastError,
    };
    lastRecorded = stats.recorded;
    lastAt = now;
    try {
      onProgress(progress);
    } catch {
      // a progress printer must not stop the workload
    }
  }, o.progressIntervalMs ?? 1_000);
}
