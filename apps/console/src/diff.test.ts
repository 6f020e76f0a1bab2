import { describe, expect, it } from 'vitest';
import { diffLines, sideBySide, splitLines } from './diff.js';

const kinds = (before: string, after: string) => diffLines(before, after).map((l) => `${{ same: ' ', del: '-', add: '+' }[l.kind]}${l.text}`);

describe('diffLines', () => {
  it('keeps equal texts as unchanged lines, numbered on both sides', () => {
    expect(diffLines('a\nb\n', 'a\nb\n')).toEqual([
      { kind: 'same', text: 'a', a: 1, b: 1 },
      { kind: 'same', text: 'b', a: 2, b: 2 },
    ]);
  });

  it('finds a changed line between common lines', () => {
    expect(kinds('one\ntwo\nthree\n', 'one\nTWO\nthree\n')).toEqual([' one', '-two', '+TWO', ' three']);
  });

  it('finds insertions and deletions in the middle (not only at the ends)', () => {
    expect(kinds('a\nb\nc\nd\ne', 'a\nc\nd\nx\ne')).toEqual([' a', '-b', ' c', ' d', '+x', ' e']);
  });

  it('gives the shortest edit script (LCS length) on interleaved changes', () => {
    const a = 'a b c a b b a'.split(' ').join('\n');
    const b = 'c b a b a c'.split(' ').join('\n');
    const lines = diffLines(a, b);
    // Myers' classic example: 5 edits, 4 lines kept.
    expect(lines.filter((l) => l.kind === 'same')).toHaveLength(4);
    expect(lines.filter((l) => l.kind !== 'same')).toHaveLength(5);
    // Both texts can be read back from the diff.
    expect(lines.filter((l) => l.kind !== 'add').map((l) => l.text)).toEqual(splitLines(a));
    expect(lines.filter((l) => l.kind !== 'del').map((l) => l.text)).toEqual(splitLines(b));
  });

  it('numbers lines after the common prefix correctly', () => {
    const lines = diffLines('x\ny\nold\nz\n', 'x\ny\nnew\nextra\nz\n');
    expect(lines.find((l) => l.kind === 'del')).toEqual({ kind: 'del', text: 'old', a: 3 });
    expect(lines.filter((l) => l.kind === 'add')).toEqual([
      { kind: 'add', text: 'new', b: 3 },
      { kind: 'add', text: 'extra', b: 4 },
    ]);
    expect(lines.at(-1)).toEqual({ kind: 'same', text: 'z', a: 4, b: 5 });
  });

  it('handles empty texts and CRLF line ends', () => {
    expect(kinds('', 'a\n')).toEqual(['+a']);
    expect(kinds('a\r\nb\r\n', 'a\nb\n')).toEqual([' a', ' b']);
  });

  it('round-trips random edits of a long text', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const a = Array.from({ length: 400 }, (_, i) => `line ${i % 37}`);
    const b = a.filter(() => random() > 0.1).flatMap((line) => (random() > 0.9 ? [line, `new ${random()}`] : [line]));
    const lines = diffLines(a.join('\n'), b.join('\n'));
    expect(lines.filter((l) => l.kind !== 'add').map((l) => l.text)).toEqual(a);
    expect(lines.filter((l) => l.kind !== 'del').map((l) => l.text)).toEqual(b);
  });
});

describe('sideBySide', () => {
  it('pairs removed lines with the added lines after them', () => {
    const rows = sideBySide(diffLines('a\nb\nc\n', 'a\nB\nB2\nc\n'));
    expect(rows.map((r) => [r.kind, r.left?.text ?? null, r.right?.text ?? null])).toEqual([
      ['same', 'a', 'a'],
      ['change', 'b', 'B'],
      ['add', null, 'B2'],
      ['same', 'c', 'c'],
    ]);
  });
});
