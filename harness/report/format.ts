/** Small, deterministic formatters shared by the markdown, html and junit renderers (no locale dependence). */

/** 3120 → "3,120". */
export function fmtInt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  return (
    sign +
    Math.round(Math.abs(n))
      .toString()
      .replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  );
}

/** One decimal, without a trailing ".0": 1.8, 30, 45.2. */
function oneDecimal(x: number): string {
  const s = x.toFixed(1);
  return s.endsWith('.0') ? s.slice(0, -2) : s;
}

/** A duration for humans: "850 ms", "1.8 s", "30 s", "2 min 5 s"; null → "—". */
export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${oneDecimal(ms / 1000)} s`;
  const totalS = Math.round(abs / 1000);
  const sign = ms < 0 ? '-' : '';
  const m = Math.floor(totalS / 60);
  const s = totalS % 60;
  return `${sign}${m} min${s === 0 ? '' : ` ${s} s`}`;
}

/** Seconds since run start with a fixed decimal, so a column of offsets lines up: "+12.0 s". */
export function fmtOffset(t: number, runStart: number): string {
  const s = (t - runStart) / 1000;
  return `${s < 0 ? '-' : '+'}${Math.abs(s).toFixed(1)} s`;
}

export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

export const TRUNCATE_AT = 60;

/**
 * A string as a quoted literal, cut to ~60 code points with its full length noted, e.g. `"abc…" (8192 chars)`.
 * JSON quoting makes control characters, quotes and newlines visible instead of breaking a table row.
 */
export function fmtString(s: string, max: number = TRUNCATE_AT): string {
  const cps = Array.from(s);
  if (cps.length <= max) return JSON.stringify(s);
  return `${JSON.stringify(cps.slice(0, max - 1).join('') + '…')} (${fmtInt(cps.length)} chars)`;
}

/** Free text (a detail sentence) in one line, unquoted, cut to `max` code points with its length noted. */
export function fmtText(s: string, max: number = 120): string {
  const cps = Array.from(s);
  const cut = cps.length <= max ? s : cps.slice(0, max - 1).join('') + '…';
  // JSON escaping without the quotes: control characters and newlines become visible escapes.
  const esc = JSON.stringify(cut).slice(1, -1).replace(/\\"/g, '"');
  return cps.length <= max ? esc : `${esc} (${fmtInt(cps.length)} chars)`;
}

/** Any JSON-ish value in one short line. */
export function fmtValue(v: unknown, max: number = TRUNCATE_AT): string {
  if (typeof v === 'string') return fmtString(v, max);
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  const json = JSON.stringify(v) ?? String(v);
  const cps = Array.from(json);
  return cps.length <= max ? json : `${cps.slice(0, max - 1).join('')}… (${fmtInt(cps.length)} chars)`;
}

/** `{a: 1, b: "x"}` → `a: 1, b: "x"`, skipping `omit` keys. */
export function fmtFields(obj: object, omit: readonly string[] = []): string {
  return Object.entries(obj)
    .filter(([k]) => !omit.includes(k))
    .map(([k, v]) => `${k}: ${fmtValue(v)}`)
    .join(', ');
}

/** Minimal structural types so this module stays free of checker imports. */
interface DocLike {
  _id: string;
  _source: Record<string, unknown>;
}

/** The Postgres side of an anomaly in one line (product_id is shown in its own column). */
export function fmtPgRow(row: object | null): string {
  return row === null ? '(no row)' : fmtFields(row, ['product_id']);
}

/**
 * One Elasticsearch document in one line: `_id=17 name: "x", price: "1.00"`. `product_id` is left out when it
 * matches the anomaly's (it has its own column) and shown when it does not, because then it matters.
 */
export function fmtEsDoc(doc: DocLike, productId?: number): string {
  const omit = productId !== undefined && doc._source['product_id'] === productId ? ['product_id'] : [];
  const fields = fmtFields(doc._source, omit);
  return `_id=${fmtId(doc._id)} ${fields === '' ? '{}' : fields}`;
}

export function fmtEsDocs(docs: readonly DocLike[], productId?: number): string {
  return docs.length === 0 ? '(no document)' : docs.map((d) => fmtEsDoc(d, productId)).join(' ; ');
}

/** Plain ids stay bare; anything odd is quoted so it cannot be confused with the fields after it. */
export function fmtId(id: string): string {
  return /^[\w.-]{1,40}$/.test(id) ? id : fmtString(id, 40);
}
