/** Small Elasticsearch calls the measures need (direct, never through the proxy). */

export async function esCount(esUrl: string, index: string, query: unknown = { match_all: {} }): Promise<number> {
  const res = await fetch(`${esUrl}/${encodeURIComponent(index)}/_count`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(5000),
  });
  if (res.status === 404) {
    await res.body?.cancel();
    return 0;
  }
  if (!res.ok) throw new Error(`_count on ${index}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  const body = (await res.json()) as { count?: number };
  return body.count ?? 0;
}

export async function esIndexSetting(esUrl: string, index: string, setting: string): Promise<string | undefined> {
  const res = await fetch(
    `${esUrl}/${encodeURIComponent(index)}/_settings/${setting}?include_defaults=true&flat_settings=true`,
    { signal: AbortSignal.timeout(5000) },
  );
  if (!res.ok) return undefined;
  const body = (await res.json()) as Record<
    string,
    { settings?: Record<string, string>; defaults?: Record<string, string> }
  >;
  const first = Object.values(body)[0];
  return first?.settings?.[setting] ?? first?.defaults?.[setting];
}

export interface EsNodeCounters {
  /** Bulk shard requests executed (the write thread pool's completed tasks). */
  writeTasks: number;
  /** Documents indexed (all indices). */
  indexed: number;
  /** Ms spent indexing (all indices). */
  indexMs: number;
  refreshes: number;
  searches: number;
}

/** Node-wide counters, to turn a window's deltas into docs per bulk request, refreshes, searches. */
export async function esNodeCounters(esUrl: string): Promise<EsNodeCounters | undefined> {
  try {
    const res = await fetch(
      `${esUrl}/_nodes/_local/stats/indices,thread_pool?filter_path=` +
        'nodes.*.indices.indexing,nodes.*.indices.refresh,nodes.*.indices.search,nodes.*.thread_pool.write',
      {
        signal: AbortSignal.timeout(5000),
      },
    );
    if (!res.ok) return undefined;
    type Node = {
      indices?: {
        indexing?: { index_total?: number; index_time_in_millis?: number };
        refresh?: { total?: number };
        search?: { query_total?: number };
      };
      thread_pool?: { write?: { completed?: number } };
    };
    const body = (await res.json()) as { nodes?: Record<string, Node> };
    const n = Object.values(body.nodes ?? {})[0];
    if (!n) return undefined;
    return {
      writeTasks: n.thread_pool?.write?.completed ?? 0,
      indexed: n.indices?.indexing?.index_total ?? 0,
      indexMs: n.indices?.indexing?.index_time_in_millis ?? 0,
      refreshes: n.indices?.refresh?.total ?? 0,
      searches: n.indices?.search?.query_total ?? 0,
    };
  } catch {
    return undefined;
  }
}

export function counterDelta(a: EsNodeCounters | undefined, b: EsNodeCounters | undefined): EsNodeCounters | undefined {
  if (!a || !b) return undefined;
  return {
    writeTasks: b.writeTasks - a.writeTasks,
    indexed: b.indexed - a.indexed,
    indexMs: b.indexMs - a.indexMs,
    refreshes: b.refreshes - a.refreshes,
    searches: b.searches - a.searches,
  };
}
