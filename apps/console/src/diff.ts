/** One line of a line diff: unchanged, only in the old text (`del`) or only in the new (`add`). */
export interface DiffLine {
  kind: 'same' | 'del' | 'add';
  text: string;
  /** 1-based line numbers in the old and the new text; absent on the side the line is not in. */
  a?: number;
  b?: number;
}

/** Above this many lines of change, the texts are shown as wholly replaced (bounded memory). */
const MAX_EDITS = 4000;

export function splitLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop(); // a final newline ends the last line, it does not start one
  return lines;
}

/**
 * The shortest line diff of `before` and `after` (Myers' O(ND) algorithm): common prefix and
 * suffix first, then the middle. Prompts are tens to hundreds of lines: the browser does it in
 * well under a millisecond, no server route needed.
 */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const out: DiffLine[] = [];
  for (let i = 0; i < head; i++) out.push({ kind: 'same', text: a[i]!, a: i + 1, b: i + 1 });
  out.push(...middle(a.slice(head, a.length - tail), b.slice(head, b.length - tail), head));
  for (let i = tail; i > 0; i--) out.push({ kind: 'same', text: a[a.length - i]!, a: a.length - i + 1, b: b.length - i + 1 });
  return out;
}

function middle(a: string[], b: string[], offset: number): DiffLine[] {
  const n = a.length;
  const m = b.length;
  const replaced = () => [
    ...a.map((text, i): DiffLine => ({ kind: 'del', text, a: offset + i + 1 })),
    ...b.map((text, i): DiffLine => ({ kind: 'add', text, b: offset + i + 1 })),
  ];
  if (n === 0 || m === 0) return replaced();
  const max = Math.min(n + m, MAX_EDITS);
  const size = 2 * max + 2;
  const zero = max + 1;
  let v = new Int32Array(size);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found === -1; d++) {
    trace.push(v);
    v = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[zero + k - 1]! < v[zero + k + 1]!) ? v[zero + k + 1]! : v[zero + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[zero + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found === -1) return replaced();
  // Walk back from (n, m) through the saved rounds; the edits come out last first.
  const reversed: DiffLine[] = [];
  let x = n;
  let y = m;
  for (let d = found; d >= 0; d--) {
    const before = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && before[zero + k - 1]! < before[zero + k + 1]!) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : before[zero + prevK]!;
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      reversed.push({ kind: 'same', text: a[x]!, a: offset + x + 1, b: offset + y + 1 });
    }
    if (d === 0) break;
    if (x === prevX) {
      y--;
      reversed.push({ kind: 'add', text: b[y]!, b: offset + y + 1 });
    } else {
      x--;
      reversed.push({ kind: 'del', text: a[x]!, a: offset + x + 1 });
    }
  }
  return reversed.reverse();
}

/** A row of the side-by-side view: the old line on the left, the new one on the right. */
export interface DiffRow {
  kind: 'same' | 'del' | 'add' | 'change';
  left?: DiffLine;
  right?: DiffLine;
}

/** Pairs each run of removed lines with the added lines that follow it, row by row. */
export function sideBySide(lines: DiffLine[]): DiffRow[] {
  const rows: DiffRow[] = [];
  for (let i = 0; i < lines.length; ) {
    const line = lines[i]!;
    if (line.kind === 'same') {
      rows.push({ kind: 'same', left: line, right: line });
      i++;
      continue;
    }
    const dels: DiffLine[] = [];
    const adds: DiffLine[] = [];
    while (i < lines.length && lines[i]!.kind === 'del') dels.push(lines[i++]!);
    while (i < lines.length && lines[i]!.kind === 'add') adds.push(lines[i++]!);
    for (let j = 0; j < Math.max(dels.length, adds.length); j++) {
      const left = dels[j];
      const right = adds[j];
      rows.push({ kind: left && right ? 'change' : left ? 'del' : 'add', ...(left ? { left } : {}), ...(right ? { right } : {}) });
    }
  }
  return rows;
}
