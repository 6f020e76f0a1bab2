import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { asciiOnly, escapeNonAscii } from '../scripts/ascii-bundle.js';

/** Each regex literal of `source`, evaluated: `source` is `return [/…/, …];`. */
const regexes = (source: string) => new Function(source)() as RegExp[];

describe('the CLI bundle is made pure ASCII', () => {
  it('escapes regular-expression literals without changing what they match, with and without the u flag', () => {
    const source = String.raw`return [/[äöüßẞ]/i, /🟡\s*/g, /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu, /[🟢🟡]/u, /\é/, /x\\é/, /[^é]+/];`;
    const escaped = asciiOnly(source);
    expect(isAscii(Buffer.from(escaped))).toBe(true);
    const before = regexes(source);
    const after = regexes(escaped);
    const samples = ['Ä', 'ß', 'x', '🟡  rest', '🟢', 'it’s', "it's", 'é', 'x\\é', 'e', 'abc', '\uD83D', 'ääé🟡'];
    for (const [i, regex] of before.entries()) {
      expect(after[i]!.flags).toBe(regex.flags);
      for (const sample of samples) expect(sample.match(new RegExp(after[i]!)), `${regex} on ${sample}`).toEqual(sample.match(new RegExp(regex)));
    }
  });

  it('escapes comments, leaves ASCII alone, and refuses what it cannot escape with its line', () => {
    expect(asciiOnly('const a = 1; /* café */ // naïve\nconst b = 2;')).toBe('const a = 1; /* caf\\u00e9 */ // na\\u00efve\nconst b = 2;');
    const ascii = 'const s = "plain";';
    expect(asciiOnly(ascii)).toBe(ascii);
    // A tagged template's raw text is what its tag reads: \u escapes would change it.
    expect(() => asciiOnly('const a = 1;\nconst t = String.raw`🟡`;')).toThrow(/line 2: [\s\S]*String\.raw/);
  });

  it('drops the backslash of an identity escape it replaces', () => {
    expect(escapeNonAscii('\\é')).toBe('\\u00e9');
    expect(escapeNonAscii('\\\\é')).toBe('\\\\\\u00e9');
  });

  it('leaves no non-ASCII byte in the built bundle', () => {
    const bundle = fileURLToPath(new URL('../dist/kaged.cjs', import.meta.url));
    expect(isAscii(readFileSync(bundle))).toBe(true);
  });
});
