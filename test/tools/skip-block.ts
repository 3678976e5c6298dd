/**
 * The block that closes `npm test`: every skipped test, grouped by file and reason, each group with its fix,
 * so a skip is never silent. Pure, so it is unit-tested without running vitest inside vitest.
 */
import { causeOf } from './prereqs.ts';

export interface Skipped {
  /** Test file relative to the project root. */
  file: string;
  /** Suite titles and test title, joined by " > ". */
  fullName: string;
  /** What `ctx.skip(note)` said, if anything. */
  note?: string;
  todo?: boolean;
}

// Tests name their reason in a title: "… — SKIPPED: reason", "… (skipped: reason)" or "… (needs X)".
const IN_TITLE = [/ — SKIPPED: (.+?)(?= > |$)/, /\(skipped: (.+?)\)(?= > |$)/, /\(needs (.+?)\)(?= > |$)/];

export function reasonOf(s: Skipped): string {
  if (s.note) return s.note;
  if (s.todo) return 'marked todo';
  for (const re of IN_TITLE) {
    const m = re.exec(s.fullName);
    if (m?.[1]) return IN_TITLE.indexOf(re) === 2 ? `needs ${m[1]}` : m[1];
  }
  const cause = causeOf(s.file);
  return cause ? `needs ${cause.needs}` : 'no reason given';
}

const STRIP = [/ — SKIPPED: .+?(?= > |$)/g, /\s*\(skipped: .+?\)(?= > |$)/g, /\s*\(needs .+?\)(?= > |$)/g];

/** The test's name without the reason its titles carry (the group line says it once). */
function shortName(fullName: string): string {
  return STRIP.reduce((n, re) => n.replace(re, ''), fullName);
}

export function skipBlock(skips: readonly Skipped[]): string {
  if (skips.length === 0) return 'skipped tests: none';
  const groups = new Map<string, { file: string; reason: string; names: string[] }>();
  for (const s of skips) {
    const reason = reasonOf(s);
    const key = `${s.file}\u0000${reason}`;
    const g = groups.get(key) ?? { file: s.file, reason, names: [] };
    g.names.push(shortName(s.fullName));
    groups.set(key, g);
  }
  const lines = [`── skipped tests: ${skips.length} ${'─'.repeat(60)}`];
  for (const g of groups.values()) {
    lines.push(`⊘ ${g.file}: ${g.names.length} skipped`);
    lines.push(`    why  ${g.reason}`);
    const fix =
      causeOf(g.file)?.fix ?? 'see the reason above (no known fix for this file: add one to test/tools/prereqs.ts)';
    lines.push(`    fix  ${fix}`);
    for (const n of g.names) lines.push(`    · ${n}`);
  }
  lines.push('─'.repeat(78));
  return lines.join('\n');
}
