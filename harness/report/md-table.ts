/**
 * A GitHub-flavoured pipe table whose columns are padded to equal width, so it reads as a table both rendered
 * and as plain text in a CI log.
 */
export function mdTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly number[] = [],
): string {
  const cells = [headers, ...rows].map((r) => headers.map((_, i) => mdCell(r[i] ?? '')));
  const widths = headers.map((_, i) => Math.max(3, ...cells.map((r) => width(r[i] ?? ''))));
  const line = (r: readonly string[]): string =>
    '| ' +
    r
      .map((c, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - width(c));
        return right.includes(i) ? pad + c : c + pad;
      })
      .join(' | ') +
    ' |';
  const rule =
    '|' + widths.map((w, i) => (right.includes(i) ? ` ${'-'.repeat(w - 1)}: ` : ` ${'-'.repeat(w)} `)).join('|') + '|';
  const [head, ...body] = cells;
  return [line(head ?? []), rule, ...body.map(line)].join('\n');
}

/**
 * A cell never breaks the row: pipes are escaped and line breaks become spaces. Backslashes are left alone so
 * JSON escapes like `\n` stay readable in a plain-text log.
 */
function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r\n|\r|\n/g, ' ');
}

/** Display width in code points (close enough for the ASCII-heavy content of a report). */
function width(s: string): number {
  return Array.from(s).length;
}
