import http from 'node:http';
import https from 'node:https';

// One kept-alive connection per protocol: the lag probe asks 20-50 times a second, and a fresh fetch() per
// ask costs the harness about twice the CPU of a plain request on a reused socket.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 2 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 2 }),
};

/**
 * One document's _source fields as a search would see them now: GET with realtime=false reads the last
 * refreshed view, so refresh latency stays in what the probe measures, at a fraction of a search's cost.
 * undefined when there is no such document (or no index).
 */
export function getVisibleDoc(
  esUrl: string,
  index: string,
  id: string,
  fields: string[],
  timeoutMs = 3000,
): Promise<Record<string, unknown> | undefined> {
  const url = new URL(`${esUrl.replace(/\/+$/, '')}/${encodeURIComponent(index)}/_doc/${encodeURIComponent(id)}`);
  url.searchParams.set('realtime', 'false');
  url.searchParams.set('_source_includes', fields.join(','));
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.get(url, { agent: agents[url.protocol as 'http:' | 'https:'], timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        if (res.statusCode === 404) return resolve(undefined);
        if (res.statusCode !== 200)
          return reject(
            new Error(`Elasticsearch GET ${index}/_doc/${id}: HTTP ${res.statusCode} ${body.slice(0, 200)}`),
          );
        try {
          const doc = JSON.parse(body) as { found?: boolean; _source?: Record<string, unknown> };
          resolve(doc.found ? (doc._source ?? {}) : undefined);
        } catch (err) {
          reject(err as Error);
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () =>
      req.destroy(new Error(`Elasticsearch GET ${index}/_doc/${id}: no answer within ${timeoutMs} ms`)),
    );
    req.on('error', reject);
  });
}
