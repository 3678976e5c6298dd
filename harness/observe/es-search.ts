export interface EsHit {
  _id: string;
  _source: Record<string, unknown>;
}

/**
 * One `_search` straight against Elasticsearch: what a customer's query would see, refresh latency included
 * (a realtime GET by id would hide it). A missing index is an answer (nothing visible), not an error.
 */
export async function searchHits(esUrl: string, index: string, body: unknown, timeoutMs = 3000): Promise<EsHit[]> {
  const res = await fetch(`${esUrl.replace(/\/+$/, '')}/${encodeURIComponent(index)}/_search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (res.status === 404) {
    await res.body?.cancel();
    return [];
  }
  if (!res.ok)
    throw new Error(
      `Elasticsearch _search on ${index}: HTTP ${res.status} ${(await res.text().catch(() => '')).slice(0, 200)}`,
    );
  return parseHits(await res.json());
}

export function parseHits(page: unknown): EsHit[] {
  const outer = isRecord(page) ? page['hits'] : undefined;
  const hits = isRecord(outer) ? outer['hits'] : undefined;
  if (!Array.isArray(hits)) throw new Error('Elasticsearch _search: response without hits.hits');
  const out: EsHit[] = [];
  for (const h of hits) {
    if (!isRecord(h) || typeof h['_id'] !== 'string') continue;
    const src = h['_source'];
    out.push({ _id: h['_id'], _source: isRecord(src) ? src : {} });
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
