import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { faultKindsMarkdown } from './kind-table.ts';
import { draw, type FaultKind, kindProblems } from './kind.ts';
import { FAULT_KINDS, makeFault } from './registry.ts';

const DOC = new URL('../../docs/fault-kinds.md', import.meta.url);
const START = '<!-- fault-kinds:start (generated from harness/faults/*-faults.ts) -->';
const END = '<!-- fault-kinds:end -->';

const good: FaultKind = {
  kind: 'network.test',
  summary: 'a complete definition for the test',
  example: { target: 'es', size: 2 },
  needs: 'toxiproxy',
  topology: 'any',
  targets: ['es', 'kafka@1'],
  params: [
    { name: 'size', unit: 'bytes', required: true, doc: 'size' },
    { name: 'part', unit: 'bytes', doc: 'part of size' },
  ],
  random: { size: draw.int(1, 10), part: draw.share('size', 0, 50) },
  instantaneous: false,
  evidence: ['toxic-saw-traffic'],
  build: () => {
    throw new Error('not built here');
  },
};

describe('fault kind definitions', () => {
  it('are complete: kind, summary, example, targets, topology, parameters, draws, evidence', () => {
    for (const k of FAULT_KINDS)
      expect({ kind: k.kind, problems: kindProblems(k) }).toEqual({ kind: k.kind, problems: [] });
  });

  it('catches an incomplete or inconsistent definition', () => {
    expect(kindProblems(good)).toEqual([]);
    const problems = (change: Partial<FaultKind>) => kindProblems({ ...good, ...change });
    expect(problems({ kind: 'latency' })).toEqual(['kind "latency" is not <family>.<name>']);
    expect(problems({ evidence: [] })).toEqual(['no evidence declared']);
    expect(problems({ evidence: ['nothing-seen' as never] })).toEqual(['unknown evidence "nothing-seen"']);
    expect(problems({ targets: [] })).toContain('targets empty or repeated');
    expect(problems({ defaultTarget: 'pg' })).toEqual(['defaultTarget not a target']);
    expect(problems({ targets: ['kafka@1'] })).toEqual(['every target is a cluster role: topology cluster']);
    expect(problems({ random: { part: draw.share('size', 0, 50) } })).toEqual([
      'random.part: its base size is not drawn before it',
      'required size has no random draw',
    ]);
    expect(problems({ random: { size: draw.int(1, 10), speed: draw.int(1, 2) } })).toEqual([
      'random.speed is not a parameter',
    ]);
    expect(problems({ random: { size: draw.oneOf(draw.share('size', 0, 1)) } })).toEqual([
      'random.size: a share cannot be nested',
    ]);
    expect(problems({ example: { kind: 'network.test' } })).toEqual(['example repeats the kind']);
  });

  it("build each kind from its example, as that kind, with the kind's instantaneity", () => {
    for (const k of FAULT_KINDS) {
      const f = makeFault({ kind: k.kind, ...k.example }, `${k.kind}#1`);
      expect([f.kind, f.instantaneous, f.target]).toEqual([
        k.kind,
        k.instantaneous,
        k.example.target ?? k.defaultTarget,
      ]);
    }
  });

  it('are documented in docs/fault-kinds.md by the generated table (OUTBOX_CHAOS_WRITE_DOCS=1 rewrites it)', () => {
    const page = readFileSync(DOC, 'utf8');
    const a = page.indexOf(START);
    const b = page.indexOf(END);
    expect(a >= 0 && b > a, `docs/fault-kinds.md needs the markers ${START} and ${END}`).toBe(true);
    const table = `${START}\n${faultKindsMarkdown(FAULT_KINDS)}\n${END}`;
    const current = page.slice(a, b + END.length);
    if (current !== table && process.env.OUTBOX_CHAOS_WRITE_DOCS === '1')
      writeFileSync(DOC, page.slice(0, a) + table + page.slice(b + END.length));
    else expect(current, 'the table is stale: rerun this test with OUTBOX_CHAOS_WRITE_DOCS=1').toBe(table);
  });
});
