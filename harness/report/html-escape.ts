/** Escaping for text and attribute values in HTML. */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * JSON safe to embed in `<script type="application/json">`: `<` is written as `\u003c`, so neither `</script`
 * nor `<!--` can appear; U+2028/2029 are escaped for older JS parsers that read the text as a literal.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Inline JS or CSS from a file: a literal `</script`/`</style` would end the element early. */
export function inlineSafe(code: string, tag: 'script' | 'style'): string {
  return code.replace(new RegExp(`</${tag}`, 'gi'), `<\\/${tag}`);
}

/** A template tag that escapes every interpolated value unless it is already `Html`. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlPart = Html | string | number | null | undefined | readonly HtmlPart[];

function part(v: HtmlPart): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return (v as readonly HtmlPart[]).map(part).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: HtmlPart[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += part(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/** Pieces of one `html` template written over several source lines, joined as the single template would render. */
export function htmlJoin(...parts: Html[]): Html {
  return new Html(parts.map((p) => p.value).join(''));
}

export function raw(s: string): Html {
  return new Html(s);
}
