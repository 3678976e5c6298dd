/**
 * What an application of the dual-write kind does after its Postgres commit: it indexes the same change into
 * Elasticsearch itself, one call per changed product, through the es proxy (so network faults on that hop
 * reach it, as they reach the sink connector of the other kinds). A call that fails or times out is given up:
 * the error is returned for the caller to log, and nothing retries it — the seed's "basic implementation".
 */

export interface IndexedProduct {
  product_id: number;
  name: string;
  description: string | null;
  price: string;
  created_at: number | null;
}

export class DocumentWriter {
  constructor(
    private readonly esUrl: string,
    private readonly index: string,
    private readonly timeoutMs: number,
  ) {}

  /** Indexes the product's document under its product_id; undefined when Elasticsearch took it, else why not. */
  put(doc: IndexedProduct | Record<string, unknown>, id: number): Promise<string | undefined> {
    return this.call('PUT', id, doc);
  }

  /** Deletes the product's document; a document that is not there counts as deleted. */
  remove(id: number): Promise<string | undefined> {
    return this.call('DELETE', id);
  }

  private async call(method: 'PUT' | 'DELETE', id: number, body?: unknown): Promise<string | undefined> {
    const url = `${this.esUrl}/${encodeURIComponent(this.index)}/_doc/${id}`;
    try {
      const res = await fetch(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.text();
      if (res.ok || (method === 'DELETE' && res.status === 404)) return undefined;
      return `${method}: HTTP ${res.status} ${text.slice(0, 200)}`;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : (e.cause?.code ?? e.message);
      return `${method}: ${why}`;
    }
  }
}
