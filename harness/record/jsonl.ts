import { readFile } from 'node:fs/promises';

/**
 * Reads a JSON-lines file. Blank lines are skipped; a malformed *last* line is dropped, because a run that
 * crashed mid-write leaves exactly that, and the rest of its record is still worth rendering. A malformed line
 * anywhere else is an error naming the file and line.
 */
export async function readJsonl<T>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8');
  const lines = text.split('\n');
  const out: T[] = [];
  const last = lines.reduce((n, l, i) => (l.trim() === '' ? n : i), -1);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch (err) {
      if (i === last) break;
      throw new Error(`${path}:${i + 1}: not valid JSON (${(err as Error).message})`);
    }
  }
  return out;
}
