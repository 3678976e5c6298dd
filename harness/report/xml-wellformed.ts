/**
 * A small, strict XML 1.0 well-formedness check for tests (no XML parser is a dependency): one root element,
 * balanced tags, quoted unique attributes, only the five named entities or numeric references that XML 1.0
 * permits, and no forbidden characters. Returns the problem, or null when the document is well-formed.
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;
const NAME = '[A-Za-z_:][\\w.:-]*';
const TAG = new RegExp(`^<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*"[^"]*")*)\\s*(/?)>`);
const ATTR = new RegExp(`(${NAME})\\s*=\\s*"([^"]*)"`, 'g');

function badReference(s: string): string | null {
  const rest = s.replace(ENTITY, (ref) => {
    const m = /^&#(x?)([0-9a-fA-F]+);$/.exec(ref);
    if (!m) return '';
    const cp = parseInt(m[2] ?? '', m[1] ? 16 : 10);
    const ok =
      cp === 0x9 ||
      cp === 0xa ||
      cp === 0xd ||
      (cp >= 0x20 && cp <= 0xd7ff) ||
      (cp >= 0xe000 && cp <= 0xfffd) ||
      (cp >= 0x10000 && cp <= 0x10ffff);
    return ok ? '' : '\u0000';
  });
  if (rest.includes('\u0000')) return 'character reference to a forbidden character';
  if (rest.includes('&')) return `bare "&" in ${JSON.stringify(s.slice(0, 40))}`;
  return null;
}

export function xmlWellFormedError(doc: string): string | null {
  if (FORBIDDEN.test(doc)) return 'forbidden control character';
  let s = doc.replace(/^\uFEFF?<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  while (s.length > 0) {
    if (s.startsWith('<!--')) {
      const end = s.indexOf('-->');
      if (end < 0) return 'unterminated comment';
      s = s.slice(end + 3);
      continue;
    }
    if (s.startsWith('<')) {
      const m = TAG.exec(s);
      if (!m) return `malformed tag at ${JSON.stringify(s.slice(0, 40))}`;
      const [whole, close, name = '', attrs = '', selfClose] = m;
      if (close) {
        if (stack.pop() !== name) return `unbalanced </${name}>`;
      } else {
        if (stack.length === 0 && ++roots > 1) return 'more than one root element';
        const seen = new Set<string>();
        for (const a of attrs.matchAll(ATTR)) {
          if (seen.has(a[1] ?? '')) return `duplicate attribute ${a[1]}`;
          seen.add(a[1] ?? '');
          if ((a[2] ?? '').includes('<')) return `"<" in attribute ${a[1]}`;
          const bad = badReference(a[2] ?? '');
          if (bad) return bad;
        }
        if (!selfClose) stack.push(name);
      }
      s = s.slice(whole.length);
      continue;
    }
    const next = s.indexOf('<');
    const text = next < 0 ? s : s.slice(0, next);
    if (stack.length === 0 && text.trim() !== '') return 'text outside the root element';
    const bad = badReference(text);
    if (bad) return bad;
    s = next < 0 ? '' : s.slice(next);
  }
  if (stack.length > 0) return `unclosed <${stack[stack.length - 1]}>`;
  return roots === 1 ? null : 'no root element';
}
