import pg from 'pg';
import { errorMessage } from '../util/errors.ts';

export interface PgConnOptions {
  connectTimeoutMs?: number;
  /** Client-side: a stopped or partitioned server must not hang an observer. Default 5 s. */
  queryTimeoutMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * One Postgres connection that survives the server going away: any failed query drops the connection, and
 * reconnecting waits an exponential backoff. Callers are sequential (one loop each), so no pooling.
 */
export class ReconnectingPg {
  private client: pg.Client | undefined;
  private retryAt = 0;
  private backoffMs: number;
  private lastError = '';

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly opts: PgConnOptions = {},
  ) {
    this.backoffMs = opts.minBackoffMs ?? 200;
  }

  /** False while waiting out a backoff: the caller skips its turn instead of counting a failure. */
  ready(now = Date.now()): boolean {
    return this.client !== undefined || now >= this.retryAt;
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    const c = await this.connected();
    try {
      const r = await c.query<R>(sql, params);
      this.backoffMs = this.opts.minBackoffMs ?? 200;
      return r;
    } catch (err) {
      // After a timeout or a broken socket the connection's state is unknown: start over.
      if (!(err instanceof pg.DatabaseError)) this.drop(err);
      throw err;
    }
  }

  /** The statements in one transaction, one after another; any failure rolls it back and is thrown. */
  async transaction(statements: { text: string; values?: unknown[] }[]): Promise<pg.QueryResult[]> {
    const c = await this.connected();
    try {
      await c.query('BEGIN');
      const out: pg.QueryResult[] = [];
      for (const st of statements) out.push(await c.query(st.text, st.values));
      await c.query('COMMIT');
      this.backoffMs = this.opts.minBackoffMs ?? 200;
      return out;
    } catch (err) {
      if (err instanceof pg.DatabaseError) await c.query('ROLLBACK').catch(() => undefined);
      else this.drop(err);
      throw err;
    }
  }

  private async connected(): Promise<pg.Client> {
    if (this.client) return this.client;
    if (Date.now() < this.retryAt)
      throw new Error(`not connected, next attempt in ${this.retryAt - Date.now()} ms (last error: ${this.lastError})`);
    const c = new pg.Client({
      ...this.config,
      connectionTimeoutMillis: this.opts.connectTimeoutMs ?? 3000,
      query_timeout: this.opts.queryTimeoutMs ?? 5000,
    });
    // An idle connection that breaks emits 'error'; unhandled, it would crash the process.
    c.on('error', (err) => {
      if (this.client === c) this.drop(err);
    });
    try {
      await c.connect();
    } catch (err) {
      void c.end().catch(() => undefined);
      this.backoff(err);
      throw err;
    }
    this.client = c;
    return c;
  }

  private drop(err: unknown): void {
    const c = this.client;
    this.client = undefined;
    // Not awaited: ending a connection to a stopped server waits for the server.
    void c?.end().catch(() => undefined);
    this.backoff(err);
  }

  private backoff(err: unknown): void {
    this.lastError = errorMessage(err);
    this.retryAt = Date.now() + this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 5000);
  }

  async close(timeoutMs = 1000): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.retryAt = Number.POSITIVE_INFINITY;
    if (!c) return;
    let t: NodeJS.Timeout | undefined;
    await Promise.race([c.end().catch(() => undefined), new Promise<void>((r) => (t = setTimeout(r, timeoutMs)))]);
    clearTimeout(t);
  }
}
