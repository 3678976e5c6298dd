/** Surviving mutants, and EQUIVALENT.md: those listed as equivalent, one table row each (file, line, mutant, why). */

export interface Survivor {
  file: string;
  line: number;
  mutator: string;
  replacement: string;
  status: 'Survived' | 'NoCoverage';
  code: string;
}

export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

export interface Listed {
  file: string;
  line: number;
  mutator: string;
  replacement: string;
}

export function parseEquivalent(markdown: string): Listed[] {
  const out: Listed[] = [];
  for (const raw of markdown.split('\n')) {
    if (!raw.startsWith('|')) continue;
    const cells = splitRow(raw);
    if (cells.length < 5) continue;
    const line = Number(cells[1]);
    if (!Number.isInteger(line) || line <= 0) continue;
    out.push({
      file: cells[0]!.replace(/`/g, ''),
      line,
      mutator: cells[2]!.replace(/`/g, ''),
      replacement: unquote(cells[3]!),
    });
  }
  return out;
}

/** Table cells, with `\|` inside a cell kept as a pipe. */
function splitRow(row: string): string[] {
  const cells: string[] = [];
  let cell = '';
  for (let i = 1; i < row.length; i++) {
    const c = row[i]!;
    if (c === '\\' && row[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (c === '|') {
      cells.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  return cells;
}

/** A replacement as the table writes it: in backticks (double ones when it holds a backtick). */
function unquote(cell: string): string {
  const m = /^(`+)\s?([\s\S]*?)\s?\1$/.exec(cell);
  return oneLine(m ? m[2]! : cell);
}

export function matches(s: Survivor, l: Listed): boolean {
  return s.file === l.file && s.line === l.line && s.mutator === l.mutator && s.replacement === l.replacement;
}
